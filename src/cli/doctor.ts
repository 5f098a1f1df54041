import { createImapClient } from '../mail/imap.ts';
import { ConfigError, loadConfig } from '../config/env.ts';
import { createSender } from '../mail/sender.ts';
import { connectRedis, redisProblems } from '../redis.ts';
import { loadDefaultTemplates, SCRIPT_KINDS } from '../script/template.ts';
import { createTemplateStore } from '../script/store.ts';
import { mailboxKeys } from '../contacts/store.ts';
import { PRIMARY_MAILBOX } from '../runtime.ts';
import { parseAuthenticationResults, suggestAuthservId } from '../detect/authentication.ts';

type Check = { name: string; run: () => Promise<string> };

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

/** Checks each part Winnow depends on and says, for each, what is wrong. Exit code 1 if anything is. */
export async function doctor(env: Record<string, string | undefined>, write: (line: string) => void): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
    write('ok    configuration');
  } catch (error) {
    if (error instanceof ConfigError) {
      write('FAIL  configuration');
      for (const problem of error.problems) write(`        ${problem}`);
      return 1;
    }
    throw error;
  }
  const checks: Check[] = [
    {
      name: 'templates',
      run: async () => {
        // A broken default throws here with its file, line and column.
        const defaults = await loadDefaultTemplates();
        const redis = connectRedis(config.redis.url, 'producer', 'doctor-templates', () => undefined);
        const inForce: string[] = [];
        const broken: string[] = [];
        try {
          await redis.connect();
          const templates = createTemplateStore(redis, mailboxKeys(config.redis.prefix, PRIMARY_MAILBOX).templates, defaults);
          for (const kind of SCRIPT_KINDS) {
            const [{ version }, [newest]] = await Promise.all([templates.current(kind), templates.versions(kind, 1)]);
            // The store serves the default when the newest saved version no longer compiles.
            if (newest && version === null) broken.push(`version ${newest.version} of the ${kind}`);
            inForce.push(`${kind} ${version === null ? 'default' : `version ${version}`}`);
          }
        } catch (error) {
          return `the defaults compile; saved versions not checked (Redis: ${error instanceof Error ? error.message : String(error)})`;
        } finally {
          redis.disconnect();
        }
        if (broken.length > 0) throw new Error(`${broken.join(' and ')} no longer compile${broken.length === 1 ? 's' : ''}, so the default is in force; correct it on the templates page and save`);
        return `compile; in force: ${inForce.join(', ')}`;
      },
    },
    {
      name: `Redis ${config.redis.url.replace(/\/\/[^@]*@/, '//***@')}`,
      run: async () => {
        // Errors surface through the awaited commands below.
        const redis = connectRedis(config.redis.url, 'producer', 'doctor', () => undefined);
        try {
          await redis.connect();
          await redis.ping();
          const problems = await redisProblems(redis);
          if (problems.fatal.length > 0) throw new Error(problems.fatal.join('; '));
          return problems.warnings.length > 0 ? `reachable; ${problems.warnings.join('; ')}` : 'reachable, noeviction, AOF on';
        } finally {
          redis.disconnect();
        }
      },
    },
    {
      name: `IMAP ${config.imap.user} at ${config.imap.host}:${config.imap.port}`,
      run: async () => {
        const client = createImapClient(config.imap);
        client.on('error', () => undefined);
        try {
          await client.connect();
          const status = await client.status(config.imap.mailbox, { messages: true });
          return `logged in; ${config.imap.mailbox} holds ${status ? status.messages : "?"} messages; IDLE ${client.capabilities.has('IDLE') ? 'supported' : 'NOT supported (mail will be noticed late)'}`;
        } finally {
          await client.logout().catch(() => client.close());
        }
      },
    },
    {
      name: 'receiving server (AUTHSERV_ID)',
      run: async () => {
        if (config.authservId) return `${config.authservId}: its Authentication-Results are believed where they top a mail; Winnow also checks DKIM and DMARC itself`;
        const suggestion = suggestAuthservId(await recentAuthservIds(config.imap));
        if (!suggestion) return 'not set, and recent mail names no receiving server clearly; Winnow relies on its own DKIM and DMARC check';
        return `not set; ${suggestion.id} wrote the topmost Authentication-Results of ${suggestion.count} of the last ${suggestion.total} mails in ${config.imap.mailbox}. If it is your provider's receiving server, set AUTHSERV_ID=${suggestion.id} (it is not believed until you do)`;
      },
    },
    {
      name: `SMTP ${config.smtp.host}:${config.smtp.port}`,
      run: async () => {
        const sender = createSender(config.smtp);
        try {
          await sender.verify();
          return 'accepts connections and login';
        } finally {
          sender.close();
        }
      },
    },
  ];
  let failed = 0;
  for (const check of checks) {
    try {
      write(`ok    ${check.name}: ${await check.run()}`);
    } catch (error) {
      failed += 1;
      write(`FAIL  ${check.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  write(failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`);
  return failed === 0 ? 0 : 1;
}
