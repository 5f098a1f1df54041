/**
 * npm run bench:faults -- [--requests N] [--kills K] [--seed S]
 *                         [--imap-drops D] [--redis-restarts R] [--redis-down MS]
 *                         [--interval MS] [--wait S] [--keep]
 *
 * The "faults" target of the design: no request lost, no script sent twice, across IMAP drops,
 * process kills and Redis restarts. Starts the sandbox (private Redis with AOF, private Dovecot,
 * SMTP peer) and runs Winnow as two real `winnow worker` processes sharing one mailbox (a lease in
 * Redis decides which one watches; both process queue jobs). Then delivers N LinkedIn invitations,
 * each from an address of its own, at a steady pace, while at seeded-random moments it SIGKILLs a
 * worker process and starts a replacement, restarts Dovecot (every IMAP connection drops) and
 * restarts Redis (AOF). After the last delivery it waits, bounded, until every request has a
 * script at the SMTP peer and the queues are idle, then prints what was lost and what was sent
 * twice. Exit code 0 when nothing was lost and no person got two scripts with different
 * Message-IDs; 1 otherwise; 2 when the run itself could not be carried out.
 *
 * --redis-down MS keeps Redis stopped that long at each restart (a big AOF takes seconds to load),
 * which outlasts the few reconnection attempts Winnow's producer connection makes per command.
 * --keep keeps the workers' logs (they are kept anyway when the run fails).
 *
 * A resend with the same Message-ID is counted apart: the send ledger resends with the same id
 * when a process died between the SMTP server's acceptance and the ledger write, and mail
 * clients show such a resend once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { contactId, createContactStore } from '../src/contacts/store.ts';
import { PRIMARY_MAILBOX } from '../src/runtime.ts';
import { jobId, QUEUE_NAMES, type QueueName } from '../src/queues/queues.ts';
import { oldLinkedInInvitation } from '../test/support/requests.ts';
import { startSandbox, type ReceivedMail, type Sandbox } from '../test/support/sandbox.ts';
import { nowMs } from '../test/support/sandbox-process.ts';
import { parseHeaders } from '../test/support/sandbox-smtp.ts';
import { liftVolumeLimits } from '../test/support/winnow.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    kills: { type: 'string', default: '6' },
    'imap-drops': { type: 'string', default: '3' },
    'redis-restarts': { type: 'string', default: '2' },
    'redis-down': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    interval: { type: 'string', default: '150' },
    wait: { type: 'string', default: '180' },
    keep: { type: 'boolean', default: false },
  },
});

function count(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench/faults: --${name} must be a whole number ≥ ${min} (got ${JSON.stringify(value)})`);
    process.exit(2);
  }
  return n;
}

const REQUESTS = count('requests', values.requests, 1);
const KILLS = count('kills', values.kills, 0);
const IMAP_DROPS = count('imap-drops', values['imap-drops'], 0);
const REDIS_RESTARTS = count('redis-restarts', values['redis-restarts'], 0);
const REDIS_DOWN_MS = count('redis-down', values['redis-down'], 0);
const SEED = count('seed', values.seed, 0);
const INTERVAL_MS = count('interval', values.interval, 1);
const WAIT_MS = count('wait', values.wait, 1) * 1000;
const WORKERS = 2;
const MAILBOX_LEASE = '3s';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(REPO, 'src', 'cli', 'main.ts');

/** Every setting Winnow reads; the workers get only the ones this benchmark sets. */
const WINNOW_SETTINGS = /^(IMAP_|SMTP_|REDIS_|MAIL_FROM$|PORT$|HOST$|TRUST_PROXY$|DASHBOARD_PASSWORD$|API_TOKEN$|RESPONSE_DEADLINE$|DEDUPE_WINDOW$|MAILBOX_LEASE$|BACKFILL_DAYS$|LOG_LEVEL$)/;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** mulberry32: a seeded generator, so a run's fault schedule can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : 'n/a');
const seconds = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)} s` : 'n/a');

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole process group, Winnow and anything it started.
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const since = (start: number) => `${((nowMs() - start) / 1000).toFixed(1).padStart(6)} s`;

// ---------------------------------------------------------------------------------------------
// Winnow worker processes

interface WorkerProcess {
  serial: number;
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  killedByUs: boolean;
}

const workers: WorkerProcess[] = [];
const unexpectedExits: Array<{ serial: number; code: number | null; signal: NodeJS.Signals | null; log: string }> = [];
let workerSerial = 0;
let stopping = false;
let workDir: string | null = null;
let workerEnv: NodeJS.ProcessEnv = {};

const liveWorkers = () => workers.filter((worker) => worker.exit === null);

/**
 * Starts `node src/cli/main.ts worker` in a process group of its own. Killing the group is
 * what a real crash of the service (a container stopped, the OOM killer on its cgroup) does.
 * The cwd is an empty temporary folder, so no .env file can add settings.
 */
function spawnWorker(): WorkerProcess {
  if (!workDir) throw new Error('no work folder');
  workerSerial += 1;
  const serial = workerSerial;
  const logFile = path.join(workDir, `worker-${serial}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [MAIN, 'worker'], { cwd: workDir, env: workerEnv, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`could not start ${process.execPath} ${MAIN}`);
  const worker: WorkerProcess = { serial, pid: child.pid, child, logFile, exit: null, killedByUs: false, exited: Promise.resolve() };
  worker.exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      worker.exit = { code, signal };
      // Whatever it left behind in its group goes with it.
      signalGroup(worker.pid, 'SIGKILL');
      if (!worker.killedByUs && !stopping) {
        unexpectedExits.push({ serial, code, signal, log: tail(logFile, 15) });
        console.error(`  worker #${serial} (pid ${worker.pid}) exited by itself (code ${code}, signal ${signal}); starting another`);
        if (unexpectedExits.length > 10) {
          console.error('bench/faults: workers keep exiting by themselves; giving up');
          void finish(2);
        } else spawnWorker();
      }
      resolve();
    });
  });
  workers.push(worker);
  return worker;
}

async function killWorker(worker: WorkerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  worker.killedByUs = true;
  signalGroup(worker.pid, signal);
  const gone = await Promise.race([worker.exited.then(() => true), sleep(signal === 'SIGKILL' ? 5_000 : 12_000).then(() => false)]);
  if (!gone) {
    signalGroup(worker.pid, 'SIGKILL');
    await Promise.race([worker.exited, sleep(5_000)]);
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Clean-up in every case: normal end, error, SIGINT/SIGTERM, and process.exit from anywhere.

let sandbox: Sandbox | null = null;
let redis: Redis | null = null;
const queues: Partial<Record<QueueName, Queue>> = {};
let finishing: Promise<never> | null = null;

process.on('exit', () => {
  // Synchronous last resort: no worker process group outlives this process.
  for (const worker of workers) if (worker.exit === null) signalGroup(worker.pid, 'SIGKILL');
});

function finish(code: number): Promise<never> {
  finishing ??= (async () => {
    stopping = true;
    const deadline = setTimeout(() => {
      console.error('bench/faults: clean-up took longer than 30 s; exiting');
      process.exit(code === 0 ? 2 : code);
    }, 30_000);
    deadline.unref();
    await Promise.all(liveWorkers().map((worker) => killWorker(worker, 'SIGTERM')));
    await Promise.all(Object.values(queues).map((queue) => queue.close().catch(() => undefined)));
    redis?.disconnect();
    await sandbox?.stop().catch((error: unknown) => console.error('bench/faults: sandbox.stop:', error));
    if (workDir) {
      if (values.keep || code !== 0) console.error(`worker logs kept in ${workDir}`);
      else rmSync(workDir, { recursive: true, force: true });
    }
    process.exit(code);
  })();
  return finishing;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\nbench/faults: ${signal}; stopping the workers and the sandbox`);
    void finish(130);
  });
}

// ---------------------------------------------------------------------------------------------
// The run

type FaultKind = 'worker kill' | 'IMAP drop' | 'Redis restart';
interface Fault {
  kind: FaultKind;
  at: number;
}
interface FaultRecord extends Fault {
  /** nowMs() when the fault began. */
  startedAt: number;
  tookMs: number;
  detail: string;
}
interface Delivery {
  index: number;
  address: string;
  uid: number;
  deliveredAt: number;
}

async function main(): Promise<number> {
  // The sandbox must run its own Redis: an external one (REDIS_URL) cannot be restarted.
  delete process.env.REDIS_URL;
  const rng = random(SEED);
  const runStart = nowMs();

  console.log(`Winnow fault benchmark: ${REQUESTS} requests, one every ${INTERVAL_MS} ms; ${KILLS} worker kills, ${IMAP_DROPS} IMAP drops, ${REDIS_RESTARTS} Redis restarts${REDIS_DOWN_MS > 0 ? ` (down ${REDIS_DOWN_MS} ms each)` : ''}; seed ${SEED}`);
  sandbox = await startSandbox({ users: ['me'] });
  const box = sandbox;
  const me = box.user('me');
  const prefix = `faults-${process.pid}-${Date.now().toString(36)}`;

  workDir = mkdtempSync(path.join(os.tmpdir(), 'winnow-faults-'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !WINNOW_SETTINGS.test(name)));
  workerEnv = {
    ...inherited,
    IMAP_HOST: box.imap.host,
    IMAP_PORT: String(box.imap.port),
    IMAP_SECURE: 'false',
    // The sandbox's servers speak plain text on loopback.
    ALLOW_PLAINTEXT: 'true',
    IMAP_USER: me.user,
    IMAP_PASS: me.pass,
    SMTP_HOST: box.smtp.host,
    SMTP_PORT: String(box.smtp.port),
    SMTP_SECURE: 'false',
    SMTP_USER: box.smtp.user,
    SMTP_PASS: box.smtp.pass,
    MAIL_FROM: `Morgan Example <${me.address}>`,
    REDIS_URL: box.redisUrl,
    REDIS_PREFIX: prefix,
    DASHBOARD_PASSWORD: 'dashboard-secret',
    RESPONSE_DEADLINE: '1h',
    MAILBOX_LEASE,
    LOG_LEVEL: 'warn',
  };

  redis = new Redis(box.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 20 });
  redis.on('error', () => {
    // Redis restarts are part of the run; ioredis reconnects by itself.
  });
  for (const name of QUEUE_NAMES) queues[name] = new Queue(name, { connection: redis, prefix: `${prefix}:q` });
  const store = createContactStore(redis, prefix, PRIMARY_MAILBOX);
  // Hundreds of scripts in minutes: far beyond the volume limits a user has by default.
  await liftVolumeLimits(redis, prefix);

  for (let i = 0; i < WORKERS; i++) spawnWorker();
  const ready = nowMs();
  for (;;) {
    const [connected] = await redis.hmget(store.keys.health, 'connected');
    const cursor = await redis.hget(store.keys.cursor, 'lastUid');
    if (connected === '1' && cursor !== null) break;
    if (nowMs() - ready > 60_000) throw new Error(`the workers did not start watching the mailbox within 60 s; log:\n${tail(workers[0]!.logFile, 30)}`);
    if (unexpectedExits.length > 0) throw new Error(`a worker exited at start:\n${unexpectedExits[0]!.log}`);
    await sleep(50);
  }
  console.log(`sandbox and ${WORKERS} worker processes ready after ${seconds(nowMs() - runStart)}; worker logs in ${workDir}`);

  // Faults at seeded-random moments within the delivery period, away from its very ends.
  const period = REQUESTS * INTERVAL_MS;
  const kinds: FaultKind[] = [
    ...Array<FaultKind>(KILLS).fill('worker kill'),
    ...Array<FaultKind>(IMAP_DROPS).fill('IMAP drop'),
    ...Array<FaultKind>(REDIS_RESTARTS).fill('Redis restart'),
  ];
  const schedule: Fault[] = kinds.map((kind) => ({ kind, at: period * (0.05 + 0.9 * rng()) })).sort((a, b) => a.at - b.at);
  const faults: FaultRecord[] = [];

  // Deliveries and Dovecot restarts take turns: an APPEND cut off by the restart would leave it
  // unknown whether the mail is in the box. Kills and Redis restarts overlap deliveries freely.
  let imapTurn: Promise<unknown> = Promise.resolve();
  const imapExclusive = <T>(step: () => Promise<T>): Promise<T> => {
    const run = imapTurn.then(step);
    imapTurn = run.catch(() => undefined);
    return run;
  };

  const deliveries: Delivery[] = [];
  let deliveryRetries = 0;
  const start = nowMs();

  const progress = setInterval(() => {
    const answered = new Set(box.smtp.received.flatMap((mail) => mail.recipients)).size;
    console.log(`  ${since(start)}  delivered ${deliveries.length}/${REQUESTS}  answered ${answered}  faults ${faults.length}/${schedule.length}  live workers ${liveWorkers().length}`);
  }, 10_000);

  const deliver = async () => {
    for (let i = 0; i < REQUESTS; i++) {
      const due = start + i * INTERVAL_MS;
      if (due > nowMs()) await sleep(due - nowMs());
      const address = `fault${i}@example.org`;
      const raw = await oldLinkedInInvitation({ name: `Fault Person${i}`, address }, me.address, `<fault-${i}.${prefix}@linkedin.example>`);
      for (let attempt = 1; ; attempt++) {
        try {
          const { uid, deliveredAt } = await imapExclusive(() => withTimeout(box.deliver(me.address, raw), 15_000, 'an IMAP APPEND'));
          deliveries.push({ index: i, address, uid, deliveredAt });
          break;
        } catch (error) {
          // Worst case the APPEND went through and the mail is in the box twice: Winnow's dedupe
          // (by address) must then absorb it, which this benchmark counts like any double script.
          deliveryRetries += 1;
          if (attempt >= 5) throw new Error(`could not deliver request ${i}: ${(error as Error).message}`, { cause: error });
          await sleep(250 * attempt);
        }
      }
    }
  };

  const inject = async () => {
    for (const fault of schedule) {
      const due = start + fault.at;
      if (due > nowMs()) await sleep(due - nowMs());
      const startedAt = nowMs();
      let detail = '';
      switch (fault.kind) {
        case 'worker kill': {
          const live = liveWorkers();
          const victim = live[Math.floor(rng() * live.length)];
          if (!victim) {
            detail = 'no live worker to kill';
            break;
          }
          await killWorker(victim, 'SIGKILL');
          const replacement = spawnWorker();
          detail = `killed #${victim.serial} (pid ${victim.pid}), started #${replacement.serial} (pid ${replacement.pid})`;
          break;
        }
        case 'IMAP drop':
          await imapExclusive(() => withTimeout(box.imapRestart(), 30_000, 'restarting Dovecot'));
          detail = 'Dovecot restarted';
          break;
        case 'Redis restart':
          if (REDIS_DOWN_MS > 0) {
            await withTimeout(box.redis.stop(), 30_000, 'stopping Redis');
            await sleep(REDIS_DOWN_MS);
            await withTimeout(box.redis.start(), 30_000, 'starting Redis');
            detail = `Redis stopped for ${REDIS_DOWN_MS} ms, started again (AOF)`;
          } else {
            await withTimeout(box.redis.restart(), 30_000, 'restarting Redis');
            detail = 'Redis restarted (AOF)';
          }
          break;
      }
      faults.push({ ...fault, startedAt, tookMs: nowMs() - startedAt, detail });
      console.log(`  ${since(start)}  ${fault.kind.padEnd(13)} ${detail} (${ms(nowMs() - startedAt)})`);
    }
  };

  try {
    await Promise.all([deliver().then(() => console.log(`  ${since(start)}  all ${deliveries.length} requests delivered`)), inject()]);
  } finally {
    clearInterval(progress);
  }
  const lastDelivery = Math.max(...deliveries.map((d) => d.deliveredAt));
  console.log(`  ${since(start)}  waiting up to ${seconds(WAIT_MS)} after the last delivery for every script and idle inbound and send queues`);

  // Bounded wait: every request answered, and no inbound or send job left (a stalled job of a
  // killed worker comes back only after its lock expires, and may send again then).
  const addresses = new Set(deliveries.map((d) => d.address));
  const answeredCount = () => new Set(box.smtp.received.flatMap((mail) => mail.recipients).filter((r) => addresses.has(r))).size;
  const busyJobs = async () => {
    let busy = 0;
    for (const name of ['inbound', 'send'] as const) {
      const counts = await queues[name]!.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      busy += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return busy;
  };
  let settled = false;
  let lastReport = nowMs();
  while (nowMs() - lastDelivery < WAIT_MS) {
    if (answeredCount() === addresses.size && (await busyJobs()) === 0) {
      settled = true;
      break;
    }
    if (nowMs() - lastReport > 10_000) {
      lastReport = nowMs();
      console.log(`  ${since(start)}  answered ${answeredCount()}/${addresses.size}; inbound+send jobs not done: ${await busyJobs()}`);
    }
    await sleep(250);
  }

  // ------------------------------------------------------------------------------------------
  // Figures

  const scripts = new Map<string, ReceivedMail[]>();
  for (const mail of box.smtp.received) {
    for (const recipient of mail.recipients) {
      if (!addresses.has(recipient)) continue;
      const list = scripts.get(recipient) ?? [];
      list.push(mail);
      scripts.set(recipient, list);
    }
  }
  const lost = deliveries.filter((d) => !scripts.has(d.address));
  const twice = [...scripts].filter(([, mails]) => mails.length > 1);
  const twiceDistinct = twice.filter(([, mails]) => new Set(mails.map((m) => m.messageId)).size > 1);
  const latencies = deliveries
    .filter((d) => scripts.has(d.address))
    .map((d) => scripts.get(d.address)![0]!.acceptedAt - d.deliveredAt)
    .sort((a, b) => a - b);
  const firstScriptTimes = [...scripts.values()].map((mails) => mails[0]!.acceptedAt);
  const anyScriptTimes = [...scripts.values()].flatMap((mails) => mails.map((m) => m.acceptedAt));
  const byKind = (kind: FaultKind) => faults.filter((f) => f.kind === kind).length;
  // The copy in the Sent folder is a courtesy filed by its own queue after acceptance; give that
  // queue a bounded while to finish, then count how many made it.
  const copiesPending = async () => {
    const counts = await queues['sent-copy']!.getJobCounts('waiting', 'active', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  };
  for (const copyWaitStart = nowMs(); nowMs() - copyWaitStart < 30_000 && (await copiesPending()) > 0; ) await sleep(250);
  const sentIds = new Set([...scripts.values()].flatMap((mails) => mails.map((m) => m.messageId)));
  const filed = await withTimeout(box.messages(me.address, 'Sent'), 30_000, 'reading the Sent folder')
    .then((messages) => messages.map((m) => parseHeaders(m.source).get('message-id')?.trim() ?? null).filter((id) => id !== null && sentIds.has(id)))
    .catch((error: unknown) => {
      console.error(`could not read the Sent folder: ${(error as Error).message}`);
      return null;
    });

  console.log('');
  console.log(`Winnow under faults (seed ${SEED}; ${WORKERS} worker processes, MAILBOX_LEASE=${MAILBOX_LEASE})`);
  console.log(`  requests delivered                         ${deliveries.length}${deliveryRetries > 0 ? ` (${deliveryRetries} APPENDs retried)` : ''}`);
  console.log(`  requests with a script                     ${scripts.size}`);
  console.log(`  lost (delivered − answered)                ${lost.length}`);
  console.log(`  scripts sent twice: recipients with >1     ${twice.length}`);
  console.log(`    of them with >1 distinct Message-ID      ${twiceDistinct.length}`);
  console.log(`  faults injected                            worker kills ${byKind('worker kill')}, IMAP drops ${byKind('IMAP drop')}, Redis restarts ${byKind('Redis restart')}`);
  console.log(`  workers that exited by themselves          ${unexpectedExits.length}`);
  console.log(`  last delivery → last first script          ${firstScriptTimes.length ? seconds(Math.max(...firstScriptTimes) - lastDelivery) : 'n/a'}`);
  console.log(`  last delivery → last accepted script       ${anyScriptTimes.length ? seconds(Math.max(...anyScriptTimes) - lastDelivery) : 'n/a'}`);
  console.log(`  delivered → accepted                       p50 ${ms(percentile(latencies, 50))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(latencies.at(-1) ?? NaN)}`);
  console.log(`  scripts with a copy in Sent                ${filed ? `${new Set(filed).size} of ${sentIds.size} Message-IDs (${filed.length} copies)` : 'n/a'}`);
  if (filed && new Set(filed).size < sentIds.size) {
    // Where the missing copies went: a copy waits in the sending process's memory until filed,
    // and is tried once; a kill or a Dovecot restart shortly after acceptance loses it.
    const have = new Set(filed);
    const near = (at: number, kind: FaultKind) => faults.some((f) => f.kind === kind && f.startedAt >= at - 500 && f.startedAt - at <= 3_000);
    const missing = [...scripts.values()].map((mails) => mails[0]!).filter((mail) => !have.has(mail.messageId));
    const beforeKill = missing.filter((mail) => near(mail.acceptedAt, 'worker kill')).length;
    const nearImap = missing.filter((mail) => !near(mail.acceptedAt, 'worker kill') && near(mail.acceptedAt, 'IMAP drop')).length;
    console.log(`    missing copies: ${beforeKill} accepted ≤ 3 s before a worker kill, ${nearImap} before an IMAP drop, ${missing.length - beforeKill - nearImap} otherwise`);
  }
  console.log(`  queues settled within the wait             ${settled ? 'yes' : `no (waited ${seconds(WAIT_MS)})`}`);

  await diagnose({ store, deliveries, lost, twice });
  return lost.length === 0 && twiceDistinct.length === 0 ? 0 : 1;
}

/**
 * What Redis says, to explain lost or doubled scripts: contacts by status, jobs that failed and
 * why, people asked without a deadline job, and for each lost or doubled request its jobs and
 * ledger.
 */
async function diagnose(input: {
  store: ReturnType<typeof createContactStore>;
  deliveries: Delivery[];
  lost: Delivery[];
  twice: Array<[string, ReceivedMail[]]>;
}): Promise<void> {
  const { store, deliveries, lost, twice } = input;
  const inbound = queues.inbound!;
  const send = queues.send!;
  const deadline = queues.deadline!;
  const uidValidity = await redis!.hget(store.keys.cursor, 'uidValidity');

  const counts = await store.counts();
  console.log(`\nin Redis: people by status   ${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`);
  for (const name of QUEUE_NAMES) {
    const queue = queues[name]!;
    const jobCounts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized');
    const failed = await queue.getJobs(['failed'], 0, -1);
    const reasons = new Map<string, number>();
    for (const job of failed) reasons.set(job.failedReason, (reasons.get(job.failedReason) ?? 0) + 1);
    const completed = await queue.getJobs(['completed'], 0, -1);
    const stalled = [...completed, ...failed].filter((job) => (job.stalledCounter ?? 0) > 0).length;
    const retried = [...completed, ...failed].filter((job) => job.attemptsMade > 1).length;
    console.log(
      `  ${name.padEnd(9)} jobs  ${Object.entries(jobCounts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}` +
        `; run again after a stall ${stalled}; retried after an error ${retried}` +
        [...reasons].map(([reason, n]) => `\n    failed ×${n}: ${reason}`).join(''),
    );
  }

  // Every asked person should have a deadline job; one lost between the status change and the
  // job's creation leaves the person asked for ever.
  const asked = await store.list({ status: 'asked', limit: 500 });
  let askedIds = asked.contacts.map((c) => c.id);
  for (let cursor = asked.nextCursor; cursor; ) {
    const page = await store.list({ status: 'asked', limit: 500, cursor });
    askedIds = askedIds.concat(page.contacts.map((c) => c.id));
    cursor = page.nextCursor;
  }
  const withoutDeadline: string[] = [];
  for (const id of askedIds) {
    const state = await deadline.getJobState(jobId.deadline(PRIMARY_MAILBOX, id));
    if (state !== 'delayed' && state !== 'waiting' && state !== 'completed') withoutDeadline.push(id);
  }
  console.log(`  asked people without a deadline job: ${withoutDeadline.length}${withoutDeadline.length > 0 ? ` (${withoutDeadline.slice(0, 5).join(', ')}${withoutDeadline.length > 5 ? ', …' : ''})` : ''}`);

  const describe = async (address: string): Promise<string> => {
    const delivery = deliveries.find((d) => d.address === address);
    // Winnow names a person by their first dedupe key; these invitations have no invitation id.
    const contact = (await store.get(contactId(`address:${address}`))) ?? (await store.findByAddress(address));
    const id = contact?.id ?? contactId(`address:${address}`);
    const ledger = await store.readLedger(id, Math.max(1, contact?.attempts ?? 1));
    const lines: string[] = [];
    if (delivery && uidValidity) {
      const job = await inbound.getJob(jobId.inbound(PRIMARY_MAILBOX, uidValidity, delivery.uid));
      const state = job ? await job.getState() : 'no job';
      lines.push(`inbound uid ${delivery.uid}: ${state}${job ? `, attempts ${job.attemptsMade}, stalls ${job.stalledCounter ?? 0}${job.failedReason ? `, failed: ${job.failedReason}` : ''}` : ''}`);
    }
    lines.push(`person ${id}: ${contact ? `${contact.status}${contact.reason ? ` (${contact.reason})` : ''}` : 'not stored'}`);
    lines.push(`ledger: ${Object.keys(ledger).length > 0 ? JSON.stringify(ledger) : 'none'}`);
    const sendJob = await send.getJob(jobId.send(PRIMARY_MAILBOX, id));
    if (sendJob) {
      lines.push(`send job: ${await sendJob.getState()}, attempts ${sendJob.attemptsMade}, stalls ${sendJob.stalledCounter ?? 0}${sendJob.failedReason ? `, failed: ${sendJob.failedReason}` : ''}, return ${JSON.stringify(sendJob.returnvalue)}`);
    } else lines.push('send job: none');
    if (contact) {
      const timeline = await store.timeline(id);
      lines.push(`timeline: ${timeline.map((e) => e.type).join(' → ')}`);
    }
    return lines.map((line) => `      ${line}`).join('\n');
  };

  const SHOWN = 10;
  if (lost.length > 0) {
    console.log(`\nlost requests (first ${Math.min(SHOWN, lost.length)} of ${lost.length}):`);
    for (const d of lost.slice(0, SHOWN)) console.log(`  ${d.address} (delivered at +${seconds(d.deliveredAt - deliveries[0]!.deliveredAt)})\n${await describe(d.address)}`);
  }
  if (twice.length > 0) {
    console.log(`\nrecipients with more than one script (first ${Math.min(SHOWN, twice.length)} of ${twice.length}):`);
    for (const [address, mails] of twice.slice(0, SHOWN)) {
      const first = mails[0]!.acceptedAt;
      console.log(`  ${address}: ${mails.map((m) => `${m.messageId} at +${ms(m.acceptedAt - first)}`).join('; ')}\n${await describe(address)}`);
    }
  }

  // What the workers complained about, most frequent first.
  const messages = new Map<string, number>();
  for (const file of readdirSync(workDir!).filter((f) => f.endsWith('.log'))) {
    for (const line of readFileSync(path.join(workDir!, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let key: string;
      try {
        const entry = JSON.parse(line) as { msg?: string; level?: number | string; queue?: string; err?: { message?: string } };
        key = `${entry.queue ? `[${entry.queue}] ` : ''}${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message.split('\n')[0]!.slice(0, 120)}` : ''}`;
      } catch {
        key = `(not JSON) ${line.slice(0, 140)}`;
      }
      messages.set(key, (messages.get(key) ?? 0) + 1);
    }
  }
  const top = [...messages].sort((a, b) => b[1] - a[1]).slice(0, 12);
  if (top.length > 0) {
    console.log('\nworker log lines (warn and above), most frequent first:');
    for (const [key, n] of top) console.log(`  ${String(n).padStart(5)}  ${key}`);
  }
  if (unexpectedExits.length > 0) {
    console.log('\nworkers that exited by themselves:');
    for (const exit of unexpectedExits) console.log(`  #${exit.serial}: code ${exit.code}, signal ${exit.signal}\n${exit.log.replace(/^/gm, '      ')}`);
  }
}

// Bound the whole run: start-up, deliveries, faults, the wait and the read-out.
const overall = setTimeout(
  () => {
    console.error('bench/faults: the run took too long; stopping');
    void finish(2);
  },
  120_000 + REQUESTS * INTERVAL_MS * 2 + WAIT_MS + 60_000,
);
overall.unref();

main().then(
  (code) => finish(code),
  (error: unknown) => {
    console.error('bench/faults failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    return finish(2);
  },
);
