import type { Redis } from 'ioredis';
import { createImapClient } from '../mail/imap.ts';
import { ConfigError, loadConfig, type Config } from '../config/env.ts';
import { maskUrl, mailAdvice, redisAdvice, type Advice, type MailEndpoint } from '../config/advice.ts';
import { createSender } from '../mail/sender.ts';
import { connectRedis, lastRedisError, megabytes, redisMemory, redisProblems } from '../redis.ts';
import { loadDefaultTemplates, SCRIPT_KINDS } from '../script/template.ts';
import { createTemplateStore } from '../script/store.ts';
import { mailboxKeys } from '../store/keys.ts';
import { PRIMARY_MAILBOX } from '../runtime.ts';
import { parseAuthenticationResults, suggestAuthservId } from '../detect/authentication.ts';

export interface DoctorOptions {
  /**
   * How long a mail server may take to send its greeting. A port that expects TLS from the first
   * byte, spoken to in plain text, stays silent until then; that is what the wait is for.
   */
  greetingTimeoutMs?: number;
}

/** What one check found: `skipped` when it could not run (the reason says why), never `ok`. */
type Outcome =
  | { state: 'ok'; summary: string }
  | { state: 'warn'; summary: string; fix: string }
  | { state: 'fail'; advice: Advice }
  | { state: 'skipped'; reason: string };

const MARK: Record<Outcome['state'], string> = { ok: 'ok    ', warn: 'WARN  ', fail: 'FAIL  ', skipped: '--    ' };
const INDENT = '      ';

/**
 * Checks each part Winnow depends on and says, for each, what is wrong and what to change.
 * Exit code 1 if anything is. A check that cannot run says why ("not checked: Redis unreachable").
 */
export async function doctor(env: Record<string, string | undefined>, write: (line: string) => void, options: DoctorOptions = {}): Promise<number> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
    write(`${MARK.ok}configuration`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(`${MARK.fail}configuration: ${error.problems.length === 1 ? 'one problem' : `${error.problems.length} problems`}`);
    for (const problem of error.problems) write(`${INDENT}- ${problem}`);
    write(`${MARK.skipped}Redis, templates, IMAP, SMTP: not checked: the configuration has problems (see above)`);
    write('1 check failed.');
    return 1;
  }

  let failed = 0;
  const report = (name: string, outcome: Outcome) => {
    switch (outcome.state) {
      case 'ok':
        write(`${MARK.ok}${name}: ${outcome.summary}`);
        break;
      case 'warn':
        write(`${MARK.warn}${name}: ${outcome.summary}`);
        write(`${INDENT}${outcome.fix}`);
        break;
      case 'fail':
        failed += 1;
        write(`${MARK.fail}${name}: ${outcome.advice.problem}`);
        if (outcome.advice.fix) write(`${INDENT}${outcome.advice.fix}`);
        break;
      case 'skipped':
        write(`${MARK.skipped}${name}: not checked: ${outcome.reason}`);
        break;
    }
  };

  const redis = connectRedis(config.redis.url, 'producer', 'doctor', () => undefined);
  try {
    const { outcome, reachable } = await checkRedis(redis, config);
    report(`Redis ${maskUrl(config.redis.url)}`, outcome);
    report('templates', await checkTemplates(reachable ? redis : null, config));
  } finally {
    redis.disconnect();
  }
  const imap = await checkImap(config, options);
  report(`IMAP ${config.imap.user} at ${config.imap.host}:${config.imap.port}`, imap);
  report('receiving server (AUTHSERV_ID)', await checkReceivingServer(config, imap.state !== 'fail'));
  report(`SMTP ${config.smtp.host}:${config.smtp.port}`, await checkSmtp(config, options));

  write(failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`);
  return failed === 0 ? 0 : 1;
}

async function checkRedis(redis: Redis, config: Readonly<Config>): Promise<{ outcome: Outcome; reachable: boolean }> {
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    // The 'error' event carries the cause (connection refused); connect() only says it closed.
    return { outcome: { state: 'fail', advice: redisAdvice(lastRedisError(redis) ?? error, config.redis.url) }, reachable: false };
  }
  const problems = await redisProblems(redis, config.redis.url);
  const [fatal] = problems.fatal;
  if (fatal) return { outcome: { state: 'fail', advice: fatal }, reachable: true };
  if (problems.warnings.length > 0) return { outcome: { state: 'warn', summary: 'reachable, noeviction', fix: problems.warnings.join(' ') }, reachable: true };
  const memory = await redisMemory(redis);
  return { outcome: { state: 'ok', summary: `reachable, noeviction, AOF on, ${megabytes(memory.used)} of ${megabytes(memory.max ?? 0)} maxmemory used` }, reachable: true };
}

/** The defaults compile without Redis; the saved versions in force need it. */
async function checkTemplates(redis: Redis | null, config: Readonly<Config>): Promise<Outcome> {
  let defaults;
  try {
    defaults = await loadDefaultTemplates();
  } catch (error) {
    // A broken default names its file, line and column.
    return { state: 'fail', advice: { kind: 'other', problem: error instanceof Error ? error.message : String(error), fix: 'Correct the file in templates/.' } };
  }
  if (redis === null) return { state: 'skipped', reason: 'Redis unreachable (the saved versions live there; the default templates compile)' };
  const templates = createTemplateStore(redis, mailboxKeys(config.redis.prefix, PRIMARY_MAILBOX).templates, defaults);
  const inForce: string[] = [];
  const broken: string[] = [];
  try {
    for (const kind of SCRIPT_KINDS) {
      const [{ version }, [newest]] = await Promise.all([templates.current(kind), templates.versions(kind, 1)]);
      // The store serves the default when the newest saved version no longer compiles.
      if (newest && version === null) broken.push(`version ${newest.version} of the ${kind}`);
      inForce.push(`${kind} ${version === null ? 'default' : `version ${version}`}`);
    }
  } catch (error) {
    return { state: 'skipped', reason: `Redis failed while reading the saved versions (${error instanceof Error ? error.message : String(error)}); the default templates compile` };
  }
  if (broken.length > 0) {
    return {
      state: 'fail',
      advice: { kind: 'other', problem: `${broken.join(' and ')} no longer compile${broken.length === 1 ? 's' : ''}, so the default is in force`, fix: 'Correct it on the templates page and save.' },
    };
  }
  return { state: 'ok', summary: `compile; in force: ${inForce.join(', ')}` };
}

function transportSecurity(account: { secure: boolean; requireTls: boolean }): string {
  if (account.secure) return 'over TLS';
  if (account.requireTls) return 'after STARTTLS';
  return 'with TLS optional (ALLOW_PLAINTEXT)';
}

async function checkImap(config: Readonly<Config>, options: DoctorOptions): Promise<Outcome> {
  const endpoint: MailEndpoint = { service: 'IMAP', host: config.imap.host, port: config.imap.port, secure: config.imap.secure, requireTls: config.imap.requireTls, user: config.imap.user };
  const client = createImapClient(config.imap, options.greetingTimeoutMs ? { greetingTimeout: options.greetingTimeoutMs } : {});
  // connect() rejects with the same error; the listener keeps it from being unhandled.
  client.on('error', () => undefined);
  try {
    try {
      await client.connect();
    } catch (error) {
      return { state: 'fail', advice: mailAdvice(error, endpoint) };
    }
    const folder = config.imap.mailbox;
    let messages: number | undefined;
    try {
      const status = await client.status(folder, { messages: true });
      messages = status ? status.messages : undefined;
    } catch (error) {
      const said = (error as { responseText?: string }).responseText ?? (error instanceof Error ? error.message : String(error));
      return { state: 'fail', advice: mailAdvice(Object.assign(new Error(`logged in, but could not open the folder "${folder}": ${said}`), { folder }), endpoint) };
    }
    const idle = client.capabilities.has('IDLE') ? 'IDLE supported' : 'IDLE NOT supported (mail will be noticed late)';
    return { state: 'ok', summary: `logged in ${transportSecurity(config.imap)}; ${folder} holds ${messages ?? '?'} messages; ${idle}` };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Recent mails read for the AUTHSERV_ID suggestion. */
const AUTHSERV_SAMPLE = 50;

/** The authserv-id on top of each of the latest mails in the watched folder (null where none). */
async function recentAuthservIds(imap: Parameters<typeof createImapClient>[0] & { mailbox: string }): Promise<Array<string | null>> {
  const client = createImapClient(imap);
  client.on('error', () => undefined);
  try {
    await client.connect();
    const lock = await client.getMailboxLock(imap.mailbox, { readOnly: true });
    const ids: Array<string | null> = [];
    try {
      const total = client.mailbox ? client.mailbox.exists : 0;
      if (total === 0) return [];
      for await (const message of client.fetch(`${Math.max(1, total - AUTHSERV_SAMPLE + 1)}:*`, { headers: ['authentication-results'] })) {
        // The header block of this one field, top first: the first value is the topmost.
        const text = message.headers?.toString('utf8').replace(/\r?\n[ \t]+/g, ' ') ?? '';
        const top = /^authentication-results:\s*(.*)$/im.exec(text)?.[1];
        ids.push(top === undefined ? null : (parseAuthenticationResults(top)?.authservId ?? null));
      }
    } finally {
      lock.release();
    }
    return ids;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** AUTHSERV_ID as set, or the id recent mail suggests: offered, never believed until it is set. */
async function checkReceivingServer(config: Readonly<Config>, imapWorks: boolean): Promise<Outcome> {
  if (config.authservId) return { state: 'ok', summary: `${config.authservId}: its Authentication-Results are believed where they top a mail; Winnow also checks DKIM and DMARC itself` };
  if (!imapWorks) return { state: 'skipped', reason: 'IMAP unreachable (recent mail tells which server receives it)' };
  let suggestion: ReturnType<typeof suggestAuthservId>;
  try {
    suggestion = suggestAuthservId(await recentAuthservIds(config.imap));
  } catch (error) {
    return { state: 'skipped', reason: `could not read recent mail (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!suggestion) return { state: 'ok', summary: 'not set, and recent mail names no receiving server clearly; Winnow relies on its own DKIM and DMARC check' };
  return {
    state: 'warn',
    summary: `not set; ${suggestion.id} wrote the topmost Authentication-Results of ${suggestion.count} of the last ${suggestion.total} mails in ${config.imap.mailbox}`,
    fix: `If it is your provider's receiving server, set AUTHSERV_ID=${suggestion.id} (it is not believed until you do).`,
  };
}

async function checkSmtp(config: Readonly<Config>, options: DoctorOptions): Promise<Outcome> {
  const endpoint: MailEndpoint = { service: 'SMTP', host: config.smtp.host, port: config.smtp.port, secure: config.smtp.secure, requireTls: config.smtp.requireTls, user: config.smtp.user };
  const sender = createSender(config.smtp, { greetingTimeoutMs: options.greetingTimeoutMs });
  try {
    // With credentials, verify() logs in; without, it only connects and greets.
    await sender.verify();
  } catch (error) {
    return { state: 'fail', advice: mailAdvice(error, endpoint) };
  } finally {
    sender.close();
  }
  if (!config.smtp.user) {
    return {
      state: 'warn',
      summary: `connected ${transportSecurity(config.smtp)} without logging in: SMTP_USER and SMTP_PASS are not set`,
      fix: 'Scripts will go out without a login. Most providers refuse that (set SMTP_USER and SMTP_PASS); a relay on this machine or your network may accept it.',
    };
  }
  return { state: 'ok', summary: `connected ${transportSecurity(config.smtp)} and logged in as ${config.smtp.user}` };
}
