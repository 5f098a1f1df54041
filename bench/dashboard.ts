/**
 * npm run bench:dashboard [-- --people 100000 --samples 300 --writes 100 --mails 15 --http]
 *
 * Fills a private redis-server (the sandbox's) with N people through the contact store, builds the
 * web app as `winnow web` does, logs in, and prints p50/p99 of the people list (first page,
 * filtered, deep cursor, sorted), of search (repeated, as when paging through results, and a new
 * word every time) and of the overview, in three phases: alone; while people are being written (a
 * loop creating people and moving them on through the store, as the workers do when mail comes
 * in); and while real mail is processed (`winnow worker` in a process of its own on the same Redis
 * prefix, watching the sandbox's Dovecot and sending through its SMTP peer, while constructed
 * personal requests and answers to the scripts are delivered at a steady rate). Requests go
 * through app.inject, or real HTTP with --http. Also prints the process's memory. Targets are in
 * design.md: list p50 ≤ 5 ms, p99 ≤ 20 ms; search p99 ≤ 50 ms. The worker logs warnings and errors
 * to stderr, prefixed "worker:"; WINNOW_TEST_LOG=info (or debug) shows more.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/env.ts';
import { createContactStore, type ContactStore, type NewContact } from '../src/contacts/store.ts';
import { type Flag, FLAGS, NO_DETAILS, type Status } from '../src/vocabulary/contact.ts';
import { PLATFORMS, type Platform } from '../src/vocabulary/platforms.ts';
import { createLogger } from '../src/log.ts';
import { closeQueues, createQueues } from '../src/queues/queues.ts';
import { createTemplateStore } from '../src/script/store.ts';
import { loadDefaultTemplates } from '../src/script/template.ts';
import { createSettingsStore } from '../src/settings/settings.ts';
import { buildApp } from '../src/web/app.ts';
import { buildMail } from '../test/support/mail.ts';
import { startSandbox, type ReceivedMail, type Sandbox } from '../test/support/sandbox.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '300' },
    writes: { type: 'string', default: '100' },
    mails: { type: 'string', default: '15' },
    http: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
});
const PEOPLE = Number(values.people);
const SAMPLES = Number(values.samples);
const WRITES_PER_SECOND = Number(values.writes);
const MAILS_PER_SECOND = Number(values.mails);
const DAY = 86_400_000;

// ---- Constructed people, from a seeded generator so runs compare -----------------------------------

let state = Number(values.seed) >>> 0 || 1;
function random(): number {
  // xorshift32: fast, seeded, good enough to spread people over statuses and names.
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const FIRST = ['Ada', 'Zoë', 'Mia', 'Jonas', 'Lena', 'Omar', 'Priya', 'Chen', 'Lucas', 'Sofia', 'Björn', 'Amélie', 'Kwame', 'Yuki', 'Mateo', 'Fatima', 'Liam', 'Noah', 'Emma', 'Olivia'];
const LAST = ['Müller', 'Smith', 'García', 'Nakamura', 'Okafor', 'Rossi', 'Dubois', 'Kowalski', 'Larsen', 'Patel', 'Silva', 'Novak', 'Schneider', 'Brown', 'Ivanova', 'Haddad'];
const ROLES = ['Founder', 'Sales Director', 'Recruiter', 'Software Engineer', 'Consultant', 'Marketing Lead', 'CEO', 'Designer', 'Investor', 'Account Executive'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Crumb & Co', 'Analytical Engines', 'Blue Sky Consulting'];
// Weighted: most people end up waiting, answered or not.
const STATUS_WEIGHTS: Array<[Status, number]> = [
  ['no_response', 30], ['answered', 15], ['awaiting_address', 15], ['asked', 10], ['accepted', 8], ['rejected', 5],
  ['skipped', 5], ['declined', 3], ['handled', 3], ['awaiting_approval', 3], ['bounced', 2], ['queued', 1],
];
const WEIGHT_SUM = STATUS_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
function pickStatus(): Status {
  let r = random() * WEIGHT_SUM;
  for (const [status, weight] of STATUS_WEIGHTS) if ((r -= weight) < 0) return status;
  return 'asked';
}
const ANSWERS = [
  'Thanks for asking. I run a small bakery supply business and I think we could swap notes on suppliers; it would help us both.',
  'I saw your talk last year and would like to stay in touch. I work in logistics software.',
  'Not interested in answering questions, just accept.',
  'We help companies like yours grow revenue by 300%! Book a call: https://example.com/call',
];

let serial = 0;
function constructedPerson(now: number): NewContact {
  serial += 1;
  const status = pickStatus();
  const first = pick(FIRST);
  const last = pick(LAST);
  const platform: Platform = random() < 0.7 ? 'linkedin' : pick(PLATFORMS);
  const requestedAt = now - Math.floor(random() * 365 * DAY);
  const asked = !['awaiting_address', 'awaiting_approval', 'skipped', 'queued'].includes(status) || (status === 'handled' && random() < 0.5);
  const answered = ['answered', 'declined'].includes(status) || ((status === 'accepted' || status === 'rejected') && random() < 0.7);
  const flags: Flag[] = FLAGS.filter(() => random() < 0.06);
  const hasAddress = status !== 'awaiting_address' && (platform === 'email' || random() < 0.5);
  return {
    status,
    platform,
    name: `${first} ${last}`,
    firstName: first,
    email: hasAddress ? `${first.toLowerCase()}.${last.toLowerCase()}.${serial}@example.org` : null,
    profileUrl: platform === 'linkedin' ? `https://www.linkedin.com/in/${first.toLowerCase()}-${serial}` : null,
    headline: `${pick(ROLES)} at ${pick(COMPANIES)}`,
    invitationId: platform === 'linkedin' ? `inv-${serial}` : null,
    subject: 'Invitation to connect on LinkedIn',
    requestMessageId: `<bench-${serial}@linkedin.example>`,
    scriptMessageId: asked ? `winnow.bench${serial}.1@example.test` : null,
    answerText: answered ? pick(ANSWERS) : null,
    reason: status === 'skipped' ? 'known contact' : null,
    requestedAt,
    askedAt: asked ? requestedAt + 60_000 : null,
    deadlineAt: asked ? requestedAt + 60_000 + 7 * DAY : null,
    answeredAt: answered ? requestedAt + Math.floor(random() * 7 * DAY) : null,
    ...NO_DETAILS,
    flags,
    attempts: asked ? 1 : 0,
    score: answered ? { why: random() < 0.6, business: random() < 0.5, benefit: random() < 0.4 } : null,
  };
}

async function fill(store: ContactStore, count: number): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  const batch = 1000;
  for (let i = 0; i < count; i += batch) {
    const results = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, () => {
        const person = constructedPerson(now);
        return store.create(person, [`message:${person.requestMessageId}`], 365 * DAY, { at: person.requestedAt, type: 'requested', detail: 'constructed request (benchmark)' });
      }),
    );
    for (const result of results) ids.push(result.id);
  }
  return ids;
}

// ---- Real mail: `winnow worker` beside the measured web app ---------------------------------------

const PREFIX = 'bench-dashboard';
const ME = 'me@example.test';

/**
 * `winnow worker` in a process of its own, as deployed beside `winnow web`: it watches the
 * sandbox's Dovecot and sends through its SMTP peer, on the prefix and mailbox of the filled people.
 */
function startWorker(sandbox: Sandbox): ChildProcess {
  const child = spawn(process.execPath, ['bin/winnow.js', 'worker'], {
    cwd: new URL('..', import.meta.url),
    env: {
      ...process.env,
      ...sandbox.env(),
      MAIL_FROM: `Morgan Example <${ME}>`,
      REDIS_PREFIX: PREFIX,
      DASHBOARD_PASSWORD: 'bench-password',
      BACKFILL_DAYS: '0',
      LOG_LEVEL: process.env.WINNOW_TEST_LOG ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its warnings and errors belong in the benchmark's output: a worker in trouble explains a figure.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) process.stderr.write(`worker: ${line}\n`);
    });
  }
  // Should the benchmark die on the way, the worker must not outlive it.
  const orphan = () => child.kill('SIGKILL');
  process.on('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // `winnow worker` exits within 10 s of SIGTERM on its own; this is the backstop.
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

let mailSerial = 0;
/** Constructed: a personal email asking to connect, from a new address each time (so a script goes out). */
async function personalRequest(): Promise<{ address: string; name: string; raw: Buffer }> {
  mailSerial += 1;
  const first = pick(FIRST);
  const name = `${first} ${pick(LAST)}`;
  const address = `mail.${mailSerial}.${first.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}@example.org`;
  const raw = await buildMail({
    from: { name, address },
    to: ME,
    subject: "I'd like to connect",
    messageId: `<bench-mail-${mailSerial}@example.org>`,
    text: `Hi Morgan,\n\nI'd like to connect. I am ${pick(ROLES).toLowerCase()} at ${pick(COMPANIES)}.\n\nBest,\n${name}`,
  });
  return { address, name, raw };
}

/** Constructed: the requester's answer to the script they received, quoting it as mail programs do. */
function answerTo(script: { address: string; name: string; messageId: string }): Promise<Buffer> {
  return buildMail({
    from: { name: script.name, address: script.address },
    to: ME,
    subject: "Re: I'd like to connect",
    inReplyTo: script.messageId,
    references: [script.messageId],
    text: `Hi Morgan,\n\n${pick(ANSWERS)}\n\n${script.name}\n\nMorgan Example wrote:\n> Thank you for wanting to connect.`,
  });
}

// ---- Measuring -------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Row {
  what: string;
  phase: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
}

// Dovecot and the SMTP peer are for the third phase, when real mail is processed.
const sandbox = await startSandbox({ users: [ME] });
const rows: Row[] = [];
let app: FastifyInstance | null = null;
let worker: ChildProcess | null = null;
const writerRedis = new Redis(sandbox.redisUrl);
const redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: 2 });
try {
  const config = loadConfig({
    IMAP_HOST: '127.0.0.1',
    IMAP_USER: 'me@example.test',
    IMAP_PASS: 'unused',
    SMTP_HOST: '127.0.0.1',
    MAIL_FROM: `Morgan Example <${ME}>`,
    REDIS_URL: sandbox.redisUrl,
    REDIS_PREFIX: PREFIX,
    DASHBOARD_PASSWORD: 'bench-password',
    API_TOKEN: 'bench-api-token-0123456789',
    LOG_LEVEL: 'silent',
  });
  const store = createContactStore(redis, config.redis.prefix, 'primary');
  const queues = createQueues(redis, config.redis.prefix);
  const rssStart = process.memoryUsage().rss;

  console.log(`Filling ${PEOPLE.toLocaleString('en')} people into a private redis-server…`);
  const fillStarted = performance.now();
  const ids = await fill(createContactStore(writerRedis, config.redis.prefix, 'primary'), PEOPLE);
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const redisMemory = /used_memory_human:(\S+)/.exec(await redis.info('memory'))?.[1] ?? '?';
  console.log(`  filled in ${fillSeconds.toFixed(1)} s (${Math.round(PEOPLE / fillSeconds).toLocaleString('en')}/s); Redis uses ${redisMemory}`);

  app = await buildApp({
    config,
    store,
    settings: createSettingsStore(redis, store.keys.settings, config),
    templates: createTemplateStore(redis, store.keys.templates, await loadDefaultTemplates()),
    queues,
    redis,
    logger: createLogger('silent'),
  });
  const web = app;
  let base = '';
  if (values.http) base = await web.listen({ port: 0, host: '127.0.0.1' });

  // Log in as a browser would.
  const loginPage = await web.inject({ method: 'GET', url: '/login' });
  const pending = loginPage.cookies.find((c) => c.name === 'winnow_login')!.value;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage.body)![1]!;
  const loggedIn = await web.inject({
    method: 'POST',
    url: '/login',
    payload: new URLSearchParams({ _csrf: csrf, password: 'bench-password' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    cookies: { winnow_login: pending },
  });
  const session = loggedIn.cookies.find((c) => c.name === 'winnow_session')!.value;

  async function request(url: string, api = false): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = api ? { authorization: 'Bearer bench-api-token-0123456789' } : { cookie: `winnow_session=${session}` };
    if (values.http) {
      const response = await fetch(`${base}${url}`, { headers, redirect: 'manual' });
      return { status: response.status, body: await response.text() };
    }
    const response = await web.inject({ method: 'GET', url, headers });
    return { status: response.statusCode, body: response.body };
  }

  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  // The first request loads the directory (everyone, once per process).
  const loadStarted = performance.now();
  const first = await request('/people');
  if (first.status !== 200) throw new Error(`GET /people answered ${first.status}: ${first.body.slice(0, 300)}`);
  const loadMs = performance.now() - loadStarted;
  global.gc?.();
  const rssLoaded = process.memoryUsage().rss;
  const directoryHeap = process.memoryUsage().heapUsed - heapBefore;
  console.log(`  first page (loads the directory): ${loadMs.toFixed(0)} ms`);

  // A cursor half way down the list, found the way a client would: page after page.
  let deepCursor = '';
  for (let page = 0; page < Math.floor(PEOPLE / 2 / 200); page++) {
    const body = JSON.parse((await request(`/api/contacts?limit=200${deepCursor ? `&cursor=${encodeURIComponent(deepCursor)}` : ''}`, true)).body) as { nextCursor: string | null };
    if (!body.nextCursor) break;
    deepCursor = body.nextCursor;
  }
  const someone = JSON.parse((await request(`/api/contacts/${ids[Math.floor(ids.length / 3)]}`, true)).body) as { contact: { email: string | null; name: string } };

  // A different search every time (numbers that occur in some addresses), so no search is remembered.
  let fresh = 0;
  const freshSearch = () => `/people?q=${1000 + ((fresh += 7919) % 90000)}`;
  const scenarios: Array<[string, string | (() => string), boolean?]> = [
    ['list: first page (50)', '/people'],
    ['list: filtered (answered, LinkedIn)', '/people?status=answered&platform=linkedin'],
    ['list: filtered (flag, date range)', `/people?flag=hostile&from=${new Date(Date.now() - 90 * DAY).toISOString().slice(0, 10)}`],
    ['list: deep cursor (person 50,000)', `/people?cursor=${encodeURIComponent(deepCursor)}`],
    ['list: sorted by name', '/people?sort=name'],
    ['list: sorted by score', '/people?sort=score'],
    ['list: JSON API, first page', '/api/contacts', true],
    ['search: common word ("müller")', '/people?q=m%C3%BCller'],
    ['search: company ("crumb")', '/people?q=crumb'],
    ['search: one address', `/people?q=${encodeURIComponent(someone.contact.email ?? someone.contact.name)}`],
    ['search: no match (scans everyone)', '/people?q=zzzz-nobody'],
    ['search: a new word each time', freshSearch],
    ['overview (funnel over everyone)', '/?period=all'],
  ];

  async function measure(phase: string): Promise<void> {
    for (const [what, url, api] of scenarios) {
      // Each scenario starts from a collected heap, so one's garbage does not land on the next.
      global.gc?.();
      const next = () => (typeof url === 'string' ? url : url());
      for (let i = 0; i < 20; i++) await request(next(), api);
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const target = next();
        const started = performance.now();
        const response = await request(target, api);
        samples.push(performance.now() - started);
        if (response.status !== 200) throw new Error(`${target} answered ${response.status}`);
      }
      samples.sort((a, b) => a - b);
      rows.push({ what, phase, n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.at(-1)! });
    }
  }

  console.log('Measuring alone…');
  await measure('alone');

  // Mail being processed: people created and moved on through the store, from another connection,
  // at a steady rate, while the same requests are measured.
  console.log(`Measuring while ${WRITES_PER_SECOND} people a second are written…`);
  const writer = createContactStore(writerRedis, config.redis.prefix, 'primary');
  let writes = 0;
  let writing = true;
  const writerLoop = (async () => {
    const started = performance.now();
    while (writing) {
      const due = Math.floor(((performance.now() - started) / 1000) * WRITES_PER_SECOND);
      const batch: Array<Promise<unknown>> = [];
      for (; writes < due; writes++) {
        if (writes % 2 === 0) {
          const person = constructedPerson(Date.now());
          batch.push(writer.create({ ...person, status: 'awaiting_address', email: null }, [`message:${person.requestMessageId}`], 365 * DAY, { at: Date.now(), type: 'requested', detail: 'constructed request (benchmark)' }));
        } else {
          const id = pick(ids);
          batch.push(writer.update(id, { flags: FLAGS.filter(() => random() < 0.1), score: { why: true, business: random() < 0.5, benefit: false } }, { at: Date.now(), type: 'answered', detail: 'constructed change (benchmark)' }));
        }
      }
      await Promise.all(batch);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const measureStarted = performance.now();
  await measure(`while ${WRITES_PER_SECOND} writes/s`);
  writing = false;
  await writerLoop;
  const achieved = writes / ((performance.now() - measureStarted) / 1000);

  // Real mail: `winnow worker` reads personal requests from Dovecot, sends scripts to the SMTP
  // peer (and copies to Sent), and reads the answers to them, while the web app is measured.
  console.log('Starting `winnow worker` on the same Redis prefix and mailbox…');
  worker = startWorker(sandbox);
  const workerExit = new Promise<never>((_, reject) =>
    worker!.once('exit', (code, signal) => reject(new Error(`winnow worker exited early (${signal ?? `code ${code}`})`))),
  );
  workerExit.catch(() => {
    // Raced below while the phase runs; after it, the exit is ours.
  });
  // It reads mail that arrives after it first opened the mailbox (BACKFILL_DAYS=0), which it marks
  // by writing the cursor; there is no event to wait on across processes.
  const watching = (async () => {
    const deadline = performance.now() + 60_000;
    while (!(await redis.hexists(store.keys.cursor, 'uidValidity'))) {
      if (performance.now() > deadline) throw new Error('winnow worker did not open the mailbox within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await Promise.race([watching, workerExit]);
  // Ready once it answers: a few requests, each waited for at the SMTP peer (this also warms up
  // its IMAP session and SMTP pool, as in a running service).
  for (let i = 0; i < 3; i++) {
    const mail = await personalRequest();
    await sandbox.deliver(ME, mail.raw);
    await Promise.race([sandbox.smtp.waitFor((m) => m.recipients.includes(mail.address), 60_000), workerExit]);
  }

  console.log(`Measuring while ${MAILS_PER_SECOND} mails a second are processed…`);
  interface Requester {
    name: string;
    deliveredAt: number;
    answered: boolean;
  }
  const requesters = new Map<string, Requester>();
  const awaitingAnswer: Array<{ address: string; name: string; messageId: string }> = [];
  let seenScripts = sandbox.smtp.received.length;
  let requestsDelivered = 0;
  let answersDelivered = 0;
  let lastUid = 0;
  let mailing = true;
  const phaseStartedAt = performance.timeOrigin + performance.now();
  const mailLoop = (async () => {
    const started = performance.now();
    let delivered = 0;
    while (mailing) {
      // Scripts the worker sent since the last turn: their requesters answer, half of the mail.
      for (; seenScripts < sandbox.smtp.received.length; seenScripts++) {
        const script: ReceivedMail = sandbox.smtp.received[seenScripts]!;
        const address = script.recipients.find((r) => requesters.has(r));
        if (address && script.messageId) awaitingAnswer.push({ address, name: requesters.get(address)!.name, messageId: script.messageId });
      }
      const due = Math.floor(((performance.now() - started) / 1000) * MAILS_PER_SECOND);
      for (; delivered < due && mailing; delivered++) {
        const script = delivered % 2 === 1 ? awaitingAnswer.shift() : undefined;
        if (script) {
          lastUid = (await sandbox.deliver(ME, await answerTo(script))).uid;
          requesters.get(script.address)!.answered = true;
          answersDelivered += 1;
        } else {
          const mail = await personalRequest();
          const { uid, deliveredAt } = await sandbox.deliver(ME, mail.raw);
          lastUid = uid;
          requesters.set(mail.address, { name: mail.name, deliveredAt, answered: false });
          requestsDelivered += 1;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  mailLoop.catch(() => {
    // Awaited after the phase, which rethrows; this only keeps Node from exiting before `finally`.
  });
  const mailStarted = performance.now();
  await Promise.race([measure(`while ${MAILS_PER_SECOND} mails/s`), workerExit]);
  mailing = false;
  await mailLoop;
  const mailSeconds = (performance.now() - mailStarted) / 1000;
  const phaseEndedAt = performance.timeOrigin + performance.now();
  // Scripts the SMTP peer accepted during the phase, each with how long it took from the mailbox.
  const scriptsInPhase = sandbox.smtp.received.filter((m) => m.acceptedAt >= phaseStartedAt && m.acceptedAt <= phaseEndedAt && m.recipients.some((r) => requesters.has(r)));
  const scriptDelays = scriptsInPhase
    .map((m) => m.acceptedAt - requesters.get(m.recipients.find((r) => requesters.has(r))!)!.deliveredAt)
    .sort((a, b) => a - b);
  // Let the worker finish what was delivered (read up to the last UID, no job left), then count
  // the answers it recorded.
  const drainStarted = performance.now();
  let caughtUp = false;
  for (;;) {
    const read = Number(await redis.hget(store.keys.cursor, 'lastUid')) >= lastUid;
    const counts = await Promise.all([queues.inbound.getJobCounts('waiting', 'active', 'delayed'), queues.send.getJobCounts('waiting', 'active', 'delayed')]);
    caughtUp = read && counts.every((c) => Object.values(c).every((n) => n === 0));
    if (caughtUp || performance.now() - drainStarted > 30_000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const catchUpSeconds = (performance.now() - drainStarted) / 1000;
  const answeredAddresses = [...requesters].filter(([, r]) => r.answered).map(([address]) => address);
  const answersRecorded = (await Promise.all(answeredAddresses.map((address) => store.findByAddress(address)))).filter((c) => c?.answeredAt != null).length;
  const scriptsInAll = sandbox.smtp.received.filter((m) => m.recipients.some((r) => requesters.has(r))).length;
  await stopWorker(worker);
  global.gc?.();
  const rssEnd = process.memoryUsage().rss;

  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log('');
  console.log(`Dashboard at ${PEOPLE.toLocaleString('en')} people, ${values.http ? 'real HTTP on loopback' : 'app.inject'}, ${SAMPLES} samples each after 20 warm-up requests`);
  console.log('');
  console.log('| what | phase | n | p50 | p99 | max |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.what} | ${row.phase} | ${row.n} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.max)} |`);
  console.log('');
  console.log(`writes achieved while measuring: ${achieved.toFixed(0)}/s (${writes} in all)`);
  console.log(
    `mail while measuring (${mailSeconds.toFixed(0)} s): ${requestsDelivered} personal requests and ${answersDelivered} answers delivered to Dovecot ` +
      `(${((requestsDelivered + answersDelivered) / mailSeconds).toFixed(1)}/s); ${scriptsInPhase.length} scripts accepted by the SMTP peer during the phase ` +
      `(${scriptsInAll} ${caughtUp ? `once the worker had caught up, ${catchUpSeconds.toFixed(1)} s later` : 'when the worker had still not caught up 30 s later'}), mailbox → SMTP p50 ${scriptDelays.length ? percentile(scriptDelays, 50).toFixed(0) : '–'} ms, p99 ${scriptDelays.length ? percentile(scriptDelays, 99).toFixed(0) : '–'} ms; ` +
      `${answersRecorded} of the ${answersDelivered} answers recorded`,
  );
  console.log(`directory load (first page after start): ${loadMs.toFixed(0)} ms`);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(`memory: the directory holds ${mb(directoryHeap)} of heap (after GC); heap used at the end ${mb(process.memoryUsage().heapUsed)}`);
  console.log(`RSS: at start ${mb(rssStart)}, after the directory loaded ${mb(rssLoaded)}, at the end ${mb(rssEnd)} (the process also filled Redis; V8 keeps freed pages a while); Redis ${redisMemory} after the fill`);
  if (!global.gc) console.log('(run through npm run bench:dashboard, which passes --expose-gc, for the heap figures to be exact)');
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}; load average at the end ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  await closeQueues(queues);
} finally {
  if (worker) await stopWorker(worker);
  await app?.close();
  await writerRedis.quit();
  await redis.quit();
  await sandbox.stop();
}
