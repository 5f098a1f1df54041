// Memory per idle mailbox: `npm run bench:mailboxes [-- --counts 0,10,100 --idle 15]`.
//
// Starts the sandbox's Dovecot with one user per mailbox, then for each count: adds that many
// mailboxes (besides the environment's) to a fresh key prefix, starts Winnow (worker and web roles,
// as `npm start` does) in a process of its own, waits until every mailbox is connected and idle in
// IDLE, lets it rest, and reads the process's resident memory. The difference to the run with no
// added mailbox, divided by the count, is what one idle mailbox costs.
import { spawn, type ChildProcess } from 'node:child_process';
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
// A first run that is not counted: it fills Node's compile cache, which the others then find warm.
const counts = [-1, ...values.counts.split(',').map(Number)];
const idleMs = Number(values.idle) * 1000;
const most = Math.max(0, ...counts);
const SECRET = 'bench-mailboxes-secret-0123456789abcdef';

/**
 * Winnow as bin/winnow.js starts it, with the flags of `npm start`, loading nothing of the bench.
 * `--expose-gc` only so that the measurement can follow a full collection: what is left then is
 * what the mailboxes hold, not garbage not yet collected.
 */
const WINNOW_FLAGS = ['--max-semi-space-size=8', '--expose-gc'];
const WINNOW_PROCESS = `
module.enableCompileCache?.();
const [{ loadConfig }, { createLogger }, { startRuntime }] = await Promise.all([import(${JSON.stringify(new URL('../src/config/env.ts', import.meta.url).href)}), import(${JSON.stringify(new URL('../src/log.ts', import.meta.url).href)}), import(${JSON.stringify(new URL('../src/runtime.ts', import.meta.url).href)})]);
const config = loadConfig(process.env);
const runtime = await startRuntime(config, { worker: true, web: true }, createLogger(config.logLevel, { format: 'json' }));
process.on('SIGUSR2', () => {
  globalThis.gc();
  const usage = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external }) + '\\n');
});
process.once('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
`;

function peakOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/\d+/.exec(status.split('\n').find((line) => line.startsWith('VmHWM:')) ?? '0')?.[0] ?? 0) * 1024;
}

/** Asks the Winnow process for a full collection and its memory after it; its log lines go to stderr. */
function measurer(child: ChildProcess) {
  let waiting: ((line: string) => void) | null = null;
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{"rss"') && waiting) waiting(line);
      else if (line !== '') process.stderr.write(`${line}\n`);
    }
  });
  return async (): Promise<{ rss: number; heapUsed: number; external: number }> => {
    const line = new Promise<string>((resolve) => (waiting = resolve));
    child.kill('SIGUSR2');
    return JSON.parse(await line) as { rss: number; heapUsed: number; external: number };
  };
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

const sandbox = await startSandbox({ users: ['me', ...Array.from({ length: most }, (_, index) => `box${index}`)], smtp: true });
const rows: Array<{ count: number; rss: number; heapUsed: number; external: number; peak: number; connectMs: number }> = [];
try {
  for (const count of counts) {
    const warmUp = count < 0;
    const prefix = `bench-mailboxes-${count}-${Date.now()}`;
    const env = { PATH: process.env.PATH ?? '', ...sandbox.env(), REDIS_PREFIX: prefix, WINNOW_SECRET: SECRET, DASHBOARD_PASSWORD: 'bench-mailboxes-password', LOG_LEVEL: 'warn' };
    const redis = new Redis(sandbox.redisUrl);
    const store = createMailboxStore(redis, prefix, { secrets: createSealer(SECRET), config: loadConfig(env) });
    const ids = ['primary'];
    for (let index = 0; index < Math.max(0, count); index += 1) {
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
    const child = spawn(process.execPath, [...WINNOW_FLAGS, '--input-type=module', '--eval', WINNOW_PROCESS], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const measure = measurer(child);
    try {
      await until(
        async () => {
          if (child.exitCode !== null) throw new Error(`Winnow exited (code ${child.exitCode}) before every mailbox connected`);
          const batch = redis.pipeline();
          for (const id of ids) batch.hget(mailboxKeys(prefix, id).health, 'connected');
          return ((await batch.exec()) ?? []).every(([, connected]) => connected === '1');
        },
        120_000,
        `all ${ids.length} mailboxes to connect`,
      );
      const connectMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      const row = { count, ...(await measure()), peak: peakOf(child.pid!), connectMs };
      if (!warmUp) rows.push(row);
      process.stderr.write(`${warmUp ? 'warm-up' : `${count} added mailboxes`}: connected in ${(connectMs / 1000).toFixed(1)} s, RSS ${mb(row.rss)} MB\n`);
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
console.log(`Node ${process.version}; the Winnow process (worker and web roles) after ${values.idle} s idle and a full collection`);
console.log('| added mailboxes | connected after | RSS | heap used | peak RSS | RSS per added mailbox | heap per added mailbox |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) {
  const per = (field: 'rss' | 'heapUsed') => (base && row.count > 0 ? `${Math.round((row[field] - base[field]) / row.count / 1024)} KB` : '–');
  console.log(`| ${row.count} | ${(row.connectMs / 1000).toFixed(1)} s | ${mb(row.rss)} MB | ${mb(row.heapUsed)} MB | ${mb(row.peak)} MB | ${per('rss')} | ${per('heapUsed')} |`);
}
