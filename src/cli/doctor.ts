import { createImapClient } from '../mail/imap.ts';
import { ConfigError, loadConfig } from '../config/env.ts';
import { createSender } from '../mail/sender.ts';
import { connectRedis, redisProblems } from '../redis.ts';
import { loadDefaultScript } from '../script/template.ts';

type Check = { name: string; run: () => Promise<string> };

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
      name: 'script template',
      run: async () => {
        await loadDefaultScript();
        return 'compiles';
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
