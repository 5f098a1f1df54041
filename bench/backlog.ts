/**
 * npm run bench:backlog [-- --count 10000 --days 30]
 *
 * A first start over a full inbox. Fills the sandbox's Dovecot with `count` messages, 5 % of them
 * requests of four kinds (LinkedIn invitations and personal requests, which carry an address and
 * get a script; Facebook and XING requests, which do not), the rest newsletters, robot
 * notifications and personal mail, one in a hundred with a 1.5 MB attachment. Then times Winnow's
 * first start with BACKFILL_DAYS until the last script is accepted by the SMTP peer and every
 * message is read, and samples the process's resident memory meanwhile (a GC first, so what the
 * filling left behind does not count). The yardstick, in the same run: a bare client in a process
 * of its own that fetches every whole message and parses it with mailparser, as fast as it can
 * (run before and after Winnow; the faster run counts). Last, every request must have been
 * recorded once and every script sent once.
 *
 * Winnow runs in a process of its own, started as bin/winnow.js starts it; the sandbox's DKIM keys
 * reach it as DNS records (BENCH_DNS). The messages are built and appended a few at a time, so the
 * filling holds no mailbox in memory. BENCH_MEMORY=1 prints Winnow's heap every second,
 * BENCH_LOG_LEVEL=info its log, BENCH_CPU_PROF=<dir> writes its CPU profile there, BENCH_EXTRA_FLAGS="..."
 * starts it with more Node flags (to weigh a V8 setting against the defaults).
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import { dkimSign } from 'mailauth';
import { simpleParser } from 'mailparser';
import { mailboxKeys } from '../src/store/keys.ts';
import { PRIMARY_MAILBOX } from '../src/runtime.ts';
import { buildMail } from '../test/support/mail.ts';
import { facebookFriendRequest, oldLinkedInInvitation, personalRequest, xingContactRequest } from '../test/support/requests.ts';
import { startSandbox } from '../test/support/sandbox.ts';
import { liftVolumeLimits, until } from '../test/support/winnow.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, days: { type: 'string', default: '30' }, bare: { type: 'string' } } });

interface ImapLogin {
  host: string;
  port: number;
  user: string;
  pass: string;
}

/** The yardstick: every whole message fetched and parsed with mailparser; prints messages and ms. */
async function bareReader(login: ImapLogin): Promise<void> {
  const client = new ImapFlow({ host: login.host, port: login.port, secure: false, auth: { user: login.user, pass: login.pass }, logger: false });
  client.on('error', () => undefined);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  let messages = 0;
  try {
    for await (const message of client.fetch('1:*', { uid: true, source: true })) {
      if (message.source) await simpleParser(message.source);
      messages += 1;
    }
  } finally {
    lock.release();
    await client.logout();
  }
  const used = process.cpuUsage(cpuStarted);
  process.stdout.write(JSON.stringify({ messages, ms: performance.now() - started, cpu: (used.user + used.system) / 1e6 }));
}

/**
 * Winnow as `winnow start` composes it (worker and web roles), in a process of its own so that its
 * memory is its own: started as bin/winnow.js starts, from a few lines of JavaScript rather than
 * from this file, so that it loads nothing the bench needs (the sandbox, the mail builders) and no
 * type stripper. The one difference: DNS answers from the bench's records (BENCH_DNS), so the DKIM
 * signatures of the requests verify without a network. With BENCH_MEMORY set, it prints its heap
 * every second to stderr.
 */
/** The flags `npm start` and the Docker image start Node with. */
const WINNOW_FLAGS = ['--max-semi-space-size=8', ...(process.env.BENCH_EXTRA_FLAGS ?? '').split(' ').filter(Boolean)];
const WINNOW_PROCESS = `
import v8 from 'node:v8';
module.enableCompileCache?.();
const [{ loadConfig }, { createLogger }, { startRuntime }] = await Promise.all([import(${JSON.stringify(new URL('../src/config/env.ts', import.meta.url).href)}), import(${JSON.stringify(new URL('../src/log.ts', import.meta.url).href)}), import(${JSON.stringify(new URL('../src/runtime.ts', import.meta.url).href)})]);
const records = JSON.parse(process.env.BENCH_DNS ?? '{}');
const resolver = async (name, type) => {
  const record = type === 'TXT' ? records[name.toLowerCase().replace(/\\.$/, '')] : undefined;
  if (record) return [[record]];
  throw Object.assign(new Error('queryTxt ENOTFOUND ' + name), { code: 'ENOTFOUND' });
};
const config = loadConfig(process.env);
const runtime = await startRuntime(config, { worker: true, web: true }, createLogger(config.logLevel, { format: 'json' }), Date.now, { resolver });
if (process.env.BENCH_MEMORY) {
  const mb = (bytes) => Math.round(bytes / 1048576);
  setInterval(() => {
    const usage = process.memoryUsage();
    const spaces = v8.getHeapSpaceStatistics().filter((space) => space.space_used_size > 4 * 1048576).map((space) => space.space_name + ' ' + mb(space.space_size)).join(', ');
    process.stderr.write('memory: rss ' + mb(usage.rss) + ', heap ' + mb(usage.heapUsed) + ' of ' + mb(usage.heapTotal) + ' (' + spaces + '), external ' + mb(usage.external) + ', buffers ' + mb(usage.arrayBuffers) + '\\n');
  }, 1000).unref();
}
process.once('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
`;

// ---------------------------------------------------------------------------------------------
// The inbox

const ME = 'me@example.test';
const SELECTOR = 'bench';
const ATTACHMENT = Buffer.alloc(1_500_000, 'The quarterly report, scanned. ');
const NEWSLETTER_HTML = `<html><body>${'<p>Our picks of the week: linen shirts, summer shoes and a hat that goes with everything. Free returns within thirty days.</p>\r\n'.repeat(40)}</body></html>`;

type Kind = 'linkedin' | 'personal-request' | 'facebook' | 'xing' | 'newsletter' | 'notification' | 'personal';

/** The kind of message number `n`: one in twenty is a request, the four kinds in turn. */
function kindOf(n: number): Kind {
  if (n % 20 === 7) return (['linkedin', 'personal-request', 'facebook', 'xing'] as const)[Math.floor(n / 20) % 4]!;
  const rest = n % 10;
  return rest < 4 ? 'newsletter' : rest < 7 ? 'notification' : 'personal';
}

/** A plain message from a template: most of a big inbox, built in microseconds rather than through MailComposer. */
function plain(headers: string[], body: string): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n\r\n${body}`, 'utf8');
}

function createSigner() {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const record = `v=DKIM1; k=rsa; p=${keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const domains = new Set<string>();
  return {
    async sign(raw: Buffer, domain: string): Promise<Buffer> {
      domains.add(domain);
      const key = { signingDomain: domain, selector: SELECTOR, privateKey };
      const result = await dkimSign(raw, { canonicalization: 'relaxed/relaxed', ...key, signatureData: [key] });
      return Buffer.concat([Buffer.from(result.signatures), raw]);
    },
    /** The DNS the Winnow process is given: each signing domain's key. */
    records: () => Object.fromEntries([...domains].map((domain) => [`${SELECTOR}._domainkey.${domain}`, record])),
  };
}

async function messageNumber(n: number, signer: ReturnType<typeof createSigner>): Promise<Buffer> {
  const name = `Person${n} Backlog`;
  const address = `person${n}@example.org`;
  const large = n % 100 === 42 || n % 100 === 79;
  switch (kindOf(n)) {
    case 'linkedin':
      return signer.sign(await oldLinkedInInvitation({ name, address }, ME, `<backlog-${n}@linkedin.example>`, { forged: true }), 'linkedin.com');
    case 'personal-request':
      return signer.sign(await personalRequest({ name, address }, ME, `<backlog-${n}@example.org>`, { forged: true }), 'example.org');
    case 'facebook':
      return facebookFriendRequest({ name, id: String(100_000 + n), subject: `${name} wants to be friends on Facebook`, line: `${name} wants to be friends with you on Facebook.`, mutual: '3 mutual friends' }, ME);
    case 'xing':
      return xingContactRequest(
        { name, slug: `person${n}_backlog`, position: 'Engineer at Example GmbH', subject: `Contact request from ${name}`, line: `${name} would like to add you as a contact.`, mutual: '2 contacts in common', note: 'We met at the fair.', accept: 'Accept contact request' },
        ME,
      );
    case 'newsletter':
      if (large) {
        return buildMail({ from: { name: 'Example Shop', address: 'news@shop.example' }, to: ME, subject: `Week ${n}: the catalogue`, html: NEWSLETTER_HTML, headers: { 'List-Id': '<weekly.shop.example>', 'List-Unsubscribe': '<https://shop.example/unsubscribe>' }, attachments: [{ filename: 'catalogue.pdf', content: ATTACHMENT }] });
      }
      return plain(['From: Example Shop <news@shop.example>', `To: ${ME}`, `Subject: Week ${n}: what is new`, `Message-ID: <week-${n}@shop.example>`, 'List-Id: <weekly.shop.example>', 'List-Unsubscribe: <https://shop.example/unsubscribe>', 'Content-Type: text/html; charset=utf-8'], NEWSLETTER_HTML);
    case 'notification':
      return plain(['From: Example Bank <no-reply@bank.example>', `To: ${ME}`, `Subject: Your statement ${n} is ready`, `Message-ID: <statement-${n}@bank.example>`, 'Auto-Submitted: auto-generated', 'Content-Type: text/plain; charset=utf-8'], `Your statement is ready.\r\n\r\n${'Log in to your account to read it. '.repeat(60)}\r\n`);
    case 'personal': {
      const from = `Friend ${n % 300} <friend${n % 300}@example.net>`;
      if (large) return buildMail({ from, to: ME, subject: `Report ${n}`, text: 'The report, as promised.', attachments: [{ filename: 'report.pdf', content: ATTACHMENT }] });
      return plain([`From: ${from}`, `To: ${ME}`, `Subject: Slides ${n}`, `Message-ID: <slides-${n}@example.net>`, 'Content-Type: text/plain; charset=utf-8'], `Here are the slides from Tuesday, as promised.\r\n\r\n${'We went through the plan for the spring and who does what. '.repeat(40)}\r\n`);
    }
  }
}

/** Appends every message, a few connections at once; returns the bytes filed. */
async function fill(login: ImapLogin, count: number, signer: ReturnType<typeof createSigner>): Promise<number> {
  let next = 0;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      const client = new ImapFlow({ host: login.host, port: login.port, secure: false, auth: { user: login.user, pass: login.pass }, logger: false });
      client.on('error', () => undefined);
      await client.connect();
      try {
        while (next < count) {
          const raw = await messageNumber(next++, signer);
          bytes += raw.length;
          await client.append('INBOX', raw);
        }
      } finally {
        await client.logout();
      }
    }),
  );
  return bytes;
}

function runBare(login: ImapLogin): Promise<{ messages: number; ms: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--bare', JSON.stringify(login)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as { messages: number; ms: number; cpu: number }) : reject(new Error(`the bare reader exited with ${code}`))));
  });
}

/**
 * CPU seconds a process has used so far (user + system, from /proc: clock ticks of 1/100 s). On a
 * shared, loaded machine this is steadier than the wall-clock time: it is what the work cost.
 */
function cpuSecondsOf(pid: number): number {
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident memory of a process so far (the kernel's high-water mark), in bytes. */
function peakRssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmHWM:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

async function main(): Promise<void> {
  const count = Number(values.count);
  const days = Number(values.days);
  const sandbox = await startSandbox({ users: [ME] });
  try {
    const user = sandbox.user(ME);
    const login: ImapLogin = { host: sandbox.imap.host, port: sandbox.imap.port, user: user.user, pass: user.pass };
    const signer = createSigner();
    const fillStarted = performance.now();
    const bytes = await fill(login, count, signer);
    const kinds = new Map<Kind, number>();
    for (let n = 0; n < count; n += 1) kinds.set(kindOf(n), (kinds.get(kindOf(n)) ?? 0) + 1);
    console.log(`filled the inbox with ${count} messages (${(bytes / 1024 / 1024).toFixed(1)} MB) in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s: ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
    const scripted = (kinds.get('linkedin') ?? 0) + (kinds.get('personal-request') ?? 0);
    const requests = scripted + (kinds.get('facebook') ?? 0) + (kinds.get('xing') ?? 0);

    const bareBefore = await runBare(login);

    const prefix = `bench-backlog-${process.pid}`;
    const keys = mailboxKeys(prefix, PRIMARY_MAILBOX);
    const redis = new Redis(sandbox.redisUrl);
    await liftVolumeLimits(redis, prefix);
    const inbound = new Queue('inbound', { connection: { url: sandbox.redisUrl }, prefix: `${prefix}:q` });
    const send = new Queue('send', { connection: { url: sandbox.redisUrl }, prefix: `${prefix}:q` });
    const env = {
      PATH: process.env.PATH ?? '',
      ...sandbox.env(),
      MAIL_FROM: `Morgan Example <${ME}>`,
      REDIS_PREFIX: prefix,
      BACKFILL_DAYS: String(days),
      DASHBOARD_PASSWORD: 'backlog-benchmark-password',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      BENCH_DNS: JSON.stringify(signer.records()),
    };
    const started = performance.now();
    const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...WINNOW_FLAGS, '--input-type=module', '--eval', WINNOW_PROCESS], { env: { ...env, ...(process.env.BENCH_MEMORY ? { BENCH_MEMORY: '1' } : {}), ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}) }, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let lastScriptAt = 0;
    let settledAt = 0;
    let peakRss = 0;
    let cpuAtLastScript = 0;
    try {
      await until(() => sandbox.smtp.received.length >= scripted || child.exitCode !== null, 900_000, `${scripted} scripts`);
      lastScriptAt = performance.now();
      if (child.exitCode === null) cpuAtLastScript = cpuSecondsOf(child.pid!);
      await until(
        async () => {
          const cursor = Number(await redis.hget(keys.cursor, 'lastUid'));
          const left = await inbound.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized');
          const sending = await send.getJobCountByTypes('waiting', 'active', 'prioritized');
          return cursor >= count && left === 0 && sending === 0;
        },
        900_000,
        'every message read and the queues empty',
      );
      settledAt = performance.now();
      // A moment more: a script sent twice would show now.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      peakRss = peakRssOf(child.pid!);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const health = await redis.hgetall(keys.health);
    const people = await redis.zcard(keys.byUpdate);
    const recipients = new Map<string, number>();
    for (const mail of sandbox.smtp.received) for (const recipient of mail.recipients) recipients.set(recipient, (recipients.get(recipient) ?? 0) + 1);
    const twice = [...recipients].filter(([, n]) => n > 1);
    await Promise.all([inbound.close(), send.close()]);
    await redis.quit();

    const bareAfter = await runBare(login);
    const bare = [bareBefore, bareAfter].reduce((best, run) => (run.ms < best.ms ? run : best));
    const seconds = (lastScriptAt - started) / 1000;
    const rate = count / seconds;
    const bareRate = bare.messages / (bare.ms / 1000);
    const bareCpu = [bareBefore, bareAfter].reduce((best, run) => Math.min(best, run.cpu), Infinity);
    console.log(`\nNode ${process.version}, ${count} messages, BACKFILL_DAYS=${days}\n`);
    console.log('| what | figure |');
    console.log('|---|---|');
    console.log(`| first start → last script | ${seconds.toFixed(1)} s (${rate.toFixed(0)} msg/s) |`);
    console.log(`| first start → every message read, queues empty | ${((settledAt - started) / 1000).toFixed(1)} s |`);
    console.log(`| bare fetch + mailparser (faster of two runs: ${(bareBefore.ms / 1000).toFixed(1)} s, ${(bareAfter.ms / 1000).toFixed(1)} s) | ${bareRate.toFixed(0)} msg/s |`);
    console.log(`| Winnow ÷ bare | ${(rate / bareRate).toFixed(2)}× |`);
    console.log(`| CPU time of the Winnow process to the last script (user + system) | ${cpuAtLastScript.toFixed(1)} s |`);
    console.log(`| CPU time of the bare reader (the lesser of two runs) | ${bareCpu.toFixed(1)} s |`);
    console.log(`| Winnow's CPU ÷ bare CPU | ${(cpuAtLastScript / bareCpu).toFixed(2)} |`);
    console.log(`| peak RSS of the Winnow process | ${(peakRss / 1024 / 1024).toFixed(0)} MB |`);
    console.log(`| messages read in full (the rest judged from their headers) | ${health.backlogBodies ?? 'not recorded'} of ${health.backlogTotal ?? count} |`);
    console.log(`| requests recorded / scripts sent / sent twice | ${people} of ${requests} / ${sandbox.smtp.received.length} of ${scripted} / ${twice.length} |`);
    if (people !== requests || sandbox.smtp.received.length !== scripted || twice.length > 0) {
      console.error('\nNOT every request answered exactly once');
      process.exitCode = 1;
    }
  } finally {
    await sandbox.stop();
  }
}

if (values.bare) {
  await bareReader(JSON.parse(values.bare) as ImapLogin);
  process.exit(0);
}
await main();
