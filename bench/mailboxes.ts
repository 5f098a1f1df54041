// Memory per idle mailbox: `npm run bench:mailboxes [-- --counts 0,10,100 --idle 15]`.
//
// Starts the sandbox's Dovecot with one user per mailbox, then for each count: adds that many
// mailboxes (besides the environment's) to a fresh key prefix, starts Winnow (worker and web roles,
// as `npm start` does) in a process of its own, waits until every mailbox is connected and idle in
// IDLE, lets it rest, and reads the process's resident memory. The difference to the run with no
// added mailbox, divided by the count, is what one idle mailbox costs.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/env.ts';
import { createSealer } from '../src/config/sealed.ts';
import { createMailboxStore } from '../src/mailboxes/records.ts';
import { mailboxKeys } from '../src/store/keys.ts';
import { SANDBOX_PASSWORD, startSandbox } from '../test/support/sandbox.ts';
import { until } from '../test/support/winnow.ts';

const { values } = parseArgs({ options: { counts: { type: 'string', default: '0,10,100' }, idle: { type: 'string', default: '15' } } });
const counts = values.counts.split(',').map(Number);
const idleMs = Number(values.idle) * 1000;
const most = Math.max(...counts);
const SECRET = 'bench-mailboxes-secret-0123456789abcdef';

/** Winnow as bin/winnow.js starts it, with the flags of `npm start`, loading nothing of the bench. */
const WINNOW_FLAGS = ['--max-semi-space-size=8'];
const WINNOW_PROCESS = `
module.enableCompileCache?.();
const [{ loadConfig }, { createLogger }, { startRuntime }] = await Promise.all([import(${JSON.stringify(new URL('../src/config/env.ts', import.meta.url).href)}), import(${JSON.stringify(new URL('../src/log.ts', import.meta.url).href)}), import(${JSON.stringify(new URL('../src/runtime.ts', import.meta.url).href)})]);
const config = loadConfig(process.env);
const runtime = await startRuntime(config, { worker: true, web: true }, createLogger(config.logLevel, { format: 'json' }));
process.once('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
`;

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(/\d+/.exec(status.split('\n').find((line) => line.startsWith(field)) ?? '0')?.[0] ?? 0) * 1024;
  return { rss: kb('VmRSS:'), peak: kb('VmHWM:') };
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

const sandbox = await startSandbox({ users: ['me', ...Array.from({ length: most }, (_, index) => `box${index}`)], smtp: true });
const rows: Array<{ count: number; rss: number; peak: number; connectMs: number }> = [];
try {
  for (const count of counts) {
    const prefix = `bench-mailboxes-${count}-${Date.now()}`;
    const env = { PATH: process.env.PATH ?? '', ...sandbox.env(), REDIS_PREFIX: prefix, WINNOW_SECRET: SECRET, DASHBOARD_PASSWORD: 'bench-mailboxes-password', LOG_LEVEL: 'warn', PORT: '0' };
    const redis = new Redis(sandbox.redisUrl);
    const store = createMailboxStore(redis, prefix, { secrets: createSealer(SECRET), config: loadConfig(env) });
    const ids = ['primary'];
    for (let index = 0; index < count; index += 1) {
      const user = sandbox.user(`box${index}`);
      const added = await store.add({
        name: `Box ${index}`,
        from: user.address,
        imap: { host: sandbox.imap.host, port: sandbox.imap.port, secure: false, user: user.user, pass: SANDBOX_PASSWORD },
        smtp: { host: sandbox.smtp.host, port: sandbox.smtp.port, secure: false, user: sandbox.smtp.user, pass: sandbox.smtp.pass },
      });
      ids.push(added.id);
    }
    const started = performance.now();
    const child = spawn(process.execPath, [...WINNOW_FLAGS, '--input-type=module', '--eval', WINNOW_PROCESS], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await until(
        async () => {
          const batch = redis.pipeline();
          for (const id of ids) batch.hget(mailboxKeys(prefix, id).health, 'connected');
          return ((await batch.exec()) ?? []).every(([, connected]) => connected === '1');
        },
        120_000,
        `all ${ids.length} mailboxes to connect`,
      );
      const connectMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      rows.push({ count, ...memoryOf(child.pid!), connectMs });
      process.stderr.write(`${count} added mailboxes: connected in ${(connectMs / 1000).toFixed(1)} s, RSS ${mb(rows.at(-1)!.rss)} MB\n`);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await redis.quit();
    }
  }
} finally {
  await sandbox.stop();
}

const base = rows.find((row) => row.count === 0);
console.log(`Node ${process.version}; resident memory of the Winnow process after ${values.idle} s idle (worker and web roles)`);
console.log('| added mailboxes | connected after | RSS | peak RSS | per added mailbox |');
console.log('|---|---|---|---|---|');
for (const row of rows) {
  const per = base && row.count > 0 ? `${mb((row.rss - base.rss) / row.count)} MB` : '–';
  console.log(`| ${row.count} | ${(row.connectMs / 1000).toFixed(1)} s | ${mb(row.rss)} MB | ${mb(row.peak)} MB | ${per} |`);
}
