import type { Redis } from 'ioredis';
import { createImapClient } from '../mail/imap.ts';
import { ConfigError, loadConfig, type Config } from '../config/env.ts';
import { maskUrl, redisAdvice } from '../config/advice.ts';
import { checkImap, checkMailbox, checkSmtp, type Outcome } from '../mailboxes/check.ts';
import { createProviderClients } from '../mailboxes/oauth-client.ts';
import { oauthProviders } from '../mailboxes/oauth-providers.ts';
import { createMailboxTokens } from '../mailboxes/oauth-tokens.ts';
import { createLogger } from '../log.ts';
import { createMailboxStore, type Mailbox } from '../mailboxes/records.ts';
import { sealerOf } from '../config/sealed.ts';
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

    // The environment's mailbox, as before; then every mailbox added on the Mailboxes page.
    const imap = await checkImap({ ...config.imap, folder: config.imap.mailbox }, options);
    report(`IMAP ${config.imap.user} at ${config.imap.host}:${config.imap.port}`, imap);
    report('receiving server (AUTHSERV_ID)', await checkReceivingServer(config, imap.state !== 'fail'));
    report(`SMTP ${config.smtp.host}:${config.smtp.port}`, await checkSmtp(config.smtp, options));
    if (reachable) for (const [name, outcome] of await checkAddedMailboxes(redis, config, options)) report(name, outcome);
  } finally {
    redis.disconnect();
  }

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

/** Each mailbox added on the Mailboxes page: its IMAP and its SMTP, under its own name. */
async function checkAddedMailboxes(redis: Redis, config: Readonly<Config>, options: DoctorOptions): Promise<Array<[string, Outcome]>> {
  const secrets = sealerOf(config.secret);
  const store = createMailboxStore(redis, config.redis.prefix, { secrets, config });
  // Doctor speaks through its report; a token refresh's own log lines would only repeat it.
  const signIn = secrets ? createMailboxTokens({ redis, prefix: config.redis.prefix, clients: createProviderClients(oauthProviders(config.oauth)), secrets, logger: createLogger('silent') }) : undefined;
  const found: Array<[string, Outcome]> = [];
  const label = (mailbox: Mailbox, side: 'IMAP' | 'SMTP') =>
    side === 'IMAP' ? `mailbox "${mailbox.name}": IMAP ${mailbox.imap.user} at ${mailbox.imap.host}:${mailbox.imap.port}` : `mailbox "${mailbox.name}": SMTP ${mailbox.smtp.host}:${mailbox.smtp.port}`;
  try {
    for (const mailbox of (await store.list()).filter((one) => one.source === 'added')) {
      if (mailbox.paused) {
        found.push([`mailbox "${mailbox.name}"`, { state: 'skipped', reason: 'paused on the Mailboxes page' }]);
        continue;
      }
      let access;
      try {
        access = await store.access(mailbox.id);
      } catch (error) {
        found.push([`mailbox "${mailbox.name}"`, { state: 'fail', advice: { kind: 'other', problem: error instanceof Error ? error.message : String(error), fix: 'Set WINNOW_SECRET as the running Winnow has it.' } }]);
        continue;
      }
      if (!access) continue;
      const { imap, smtp } = await checkMailbox(access, config, signIn, options);
      found.push([label(mailbox, 'IMAP'), imap], [label(mailbox, 'SMTP'), smtp]);
    }
  } catch (error) {
    found.push(['added mailboxes', { state: 'skipped', reason: `could not read them from Redis (${error instanceof Error ? error.message : String(error)})` }]);
  }
  return found;
}
