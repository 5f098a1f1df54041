import { randomUUID } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { createImapClient, readWithoutAttachments, uidSet, type ImapAccount } from '../mail/imap.ts';
import type { Redis } from 'ioredis';
import { createProblemLog, type Logger } from '../log.ts';
import { adviceText, isRedisError, mailAdvice, redisAdvice, type Advice } from '../config/advice.ts';
import type { MailboxKeys } from '../store/keys.ts';
import { storeScripts } from '../store/scripts.ts';
import { jobId, type Queues } from '../queues/queues.ts';
import { countImapConnection } from '../metrics/counts.ts';
import { backlogFields, backlogLine, type BacklogProgress } from './backlog.ts';

export interface ImapSettings extends ImapAccount {
  /** Folder to watch, usually INBOX. */
  folder: string;
}

export interface WatcherOptions {
  mailbox: string;
  imap: ImapSettings;
  redis: Redis;
  keys: MailboxKeys;
  queues: Pick<Queues, 'inbound'>;
  logger: Logger;
  /** On the very first start, also read this many days of mail already in the box (0: start at "now"). */
  backfillDays?: number;
  /**
   * Which of a batch of new messages need their bodies read, from their header blocks (one answer
   * per block, in order; src/workers/intake.ts). Without it every message is read in full.
   */
  needsBody?: (blocks: HeaderBlock[]) => Promise<boolean[]>;
  /**
   * Of a backlog's messages read in full here, which the inbound worker would act on (one answer
   * per source, in order; src/workers/intake.ts). Without it each of them gets a job.
   */
  screen?: (sources: ScreenedSource[]) => Promise<boolean[]>;
  /** How long the lease on the mailbox lasts without renewal; another process takes over after it. */
  leaseMs?: number;
  /**
   * The account as it is to be used for the next connection, when that changes between connections
   * (a mailbox that signs in with OAuth2 gets a current access token each time); `imap` otherwise.
   * `refused`: the server refused the last login, so a token that still looks fresh is not to be
   * offered again (a revoked grant then shows at once, not when the token would have expired).
   */
  account?: (refused: boolean) => Promise<ImapSettings>;
  /** Where the user changes this mailbox's settings, for the advice's words (the environment by default). */
  settings?: 'environment' | 'record';
  /** Longest wait between reconnection attempts. */
  maxBackoffMs?: number;
}

type InboundJob = Parameters<Queues['inbound']['addBulk']>[0][number];

/** A connection that lasted this long was healthy, whatever ended it. */
const HEALTHY_SESSION_MS = 60_000;

/** How many header blocks one FETCH reads; a backlog is a gap of more than one batch. */
const BATCH = 250;
/**
 * Up to this many new messages are read whole at once: live mail comes a few at a time, and there a
 * round trip for the headers would add to every request's wait and save nothing worth it.
 */
const LIVE_GAP = 20;
/**
 * Live mail up to this size travels in its job: the watcher has it in hand, and the worker then
 * needs no IMAP round trip before it answers the request that just came. Larger live mail, and all
 * of a backlog, is named by UID and read by the worker (src/mail/fetcher.ts).
 */
const INLINE_SOURCE_BYTES = 256 * 1024;

/**
 * A backlog's messages whose headers leave it open are screened by the watcher: read in full up to
 * this size, larger ones without their attachments (their text parts up to this size), and only
 * those the worker would act on get a job, which names them (the worker reads them again, whole;
 * they are few). A large message whose text parts are larger gets its job unscreened.
 */
const SCREEN_BYTES = 256 * 1024;
/** A batch holds at most this many bytes of sources for the screen; the rest of it goes to the worker unscreened. */
const SCREEN_BATCH_BYTES = 8 * 1024 * 1024;
/** One screening FETCH reads at most this many bytes, and this many messages. */
const SCREEN_FETCH_BYTES = 4 * 1024 * 1024;
const SCREEN_FETCH_MESSAGES = 100;

/** The screened messages of a batch in FETCHes of bounded size, in order. */
function screeningChunks(blocks: HeaderBlock[]): HeaderBlock[][] {
  const chunks: HeaderBlock[][] = [];
  let bytes = 0;
  for (const block of blocks) {
    const last = chunks.at(-1);
    if (!last || last.length >= SCREEN_FETCH_MESSAGES || bytes + block.size > SCREEN_FETCH_BYTES) {
      chunks.push([block]);
      bytes = block.size;
    } else {
      last.push(block);
      bytes += block.size;
    }
  }
  return chunks;
}

/** A backlog's message read in full by the watcher, for the screen. */
export interface ScreenedSource {
  uid: number;
  raw: Buffer;
}

/** One message's header block as the server sent it (null when it sent none), with its size. */
export interface HeaderBlock {
  uid: number;
  size: number;
  headers: Buffer | null;
}

/** What went wrong, in the server's words where it gave some ("Mailbox doesn't exist"). */
export function imapErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { responseText, authenticationFailed } = error as Error & { responseText?: string; authenticationFailed?: boolean };
  if (authenticationFailed) return `the IMAP server refused the login (${responseText ?? error.message}); check IMAP_USER and IMAP_PASS`;
  return responseText ? `${error.message}: ${responseText}` : error.message;
}

/** Where the watcher stands, for the dashboard and /readyz. */
export interface WatcherStatus {
  connected: boolean;
  leaseHeld: boolean;
  lastMailAt: number | null;
  lastError: string | null;
  /** When the watcher last found nothing left above its cursor (it then idles); null before that. */
  caughtUpAt: number | null;
}

/**
 * Watches one IMAP folder and turns every new message into exactly one `inbound` job.
 *
 * The cursor (UIDVALIDITY, last UID) lives in Redis and moves only after the jobs are enqueued,
 * so a crash between the two replays a batch (deduplicated by job id) instead of losing it.
 * Each connection is a new ImapFlow client; after any drop the gap is filled by UID range.
 */
export function createMailboxWatcher(options: WatcherOptions) {
  const { mailbox, imap, redis, keys, queues, logger } = options;
  const scripts = storeScripts(redis);
  const log = logger.child({ mailbox });
  const leaseMs = options.leaseMs ?? 30_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const owner = randomUUID();
  const status: WatcherStatus = { connected: false, leaseHeld: false, lastMailAt: null, lastError: null, caughtUpAt: null };
  // A wrong password fails every reconnection the same way: logged once, not on every retry.
  const problems = createProblemLog(log, 'mailbox');
  const adviceFor = (error: unknown): Advice =>
    isRedisError(error) ? redisAdvice(error, null) : mailAdvice(error, { service: 'IMAP', host: imap.host, port: imap.port, secure: imap.secure, requireTls: imap.requireTls, user: imap.user, settings: options.settings });
  /** Logs (once per kind), keeps and records what went wrong, as advice the user can act on. */
  async function reportFailure(error: unknown, failures: number) {
    const advice = adviceFor(error);
    const text = adviceText(advice);
    status.lastError = text;
    problems.failed(advice.kind === 'other' ? text : advice.kind, text, error);
    loginRefused = advice.kind === 'login-refused';
    log.debug({ failures }, 'reconnecting with backoff');
    await recordHealth({ connected: 0, lastError: text, lastErrorKind: advice.kind, lastErrorAt: Date.now() });
  }

  let stopping = false;
  /** Whether the server refused the last login (see WatcherOptions.account). */
  let loginRefused = false;
  let client: ImapFlow | null = null;
  let leaseTimer: NodeJS.Timeout | null = null;
  let wakeSleep: (() => void) | null = null;
  let running: Promise<void> | null = null;

  async function recordHealth(fields: Record<string, string | number>) {
    await redis.hset(keys.health, fields).catch((error: unknown) => log.warn({ err: error }, 'could not record mailbox health'));
  }

  function sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleep = null;
        resolve();
      }
      wakeSleep = done;
    });
  }

  async function takeLease(): Promise<boolean> {
    // Ours already (after a reconnect): renew it; free: take it; another process's: wait.
    if (await scripts.renewLease(keys, { owner, leaseMs })) return true;
    return (await redis.set(keys.lease, owner, 'PX', leaseMs, 'NX')) === 'OK';
  }

  function keepLease(onLost: () => void) {
    leaseTimer = setInterval(() => {
      scripts
        .renewLease(keys, { owner, leaseMs })
        .then((renewed) => {
          if (!renewed) {
            log.warn('lost the mailbox lease to another process; stopping this watcher connection');
            status.leaseHeld = false;
            onLost();
          }
        })
        .catch((error: unknown) => log.warn({ err: error }, 'could not renew the mailbox lease'));
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    leaseTimer.unref();
  }

  function dropLeaseTimer() {
    if (leaseTimer) clearInterval(leaseTimer);
    leaseTimer = null;
  }

  async function readCursor(): Promise<{ uidValidity: string; lastUid: number } | null> {
    const [uidValidity, lastUid] = await redis.hmget(keys.cursor, 'uidValidity', 'lastUid');
    return uidValidity && lastUid ? { uidValidity, lastUid: Number(lastUid) } : null;
  }

  /** Where to start reading on this connection: the stored cursor, or "now" on first start. */
  async function startingPoint(connection: ImapFlow, uidValidity: string, uidNext: number): Promise<number> {
    const cursor = await readCursor();
    if (cursor && cursor.uidValidity === uidValidity) return cursor.lastUid;
    if (cursor) {
      // The server renumbered the folder: old UIDs mean nothing now. Start from here; replaying
      // the whole folder would answer old requests a second time.
      log.warn({ previous: cursor.uidValidity, current: uidValidity }, 'UIDVALIDITY changed; starting from the newest message');
    }
    let seed = uidNext - 1;
    const backfillDays = options.backfillDays ?? 0;
    if (!cursor && backfillDays > 0) {
      const since = new Date(Date.now() - backfillDays * 86_400_000);
      const found = await connection.search({ since }, { uid: true });
      const uids = Array.isArray(found) ? found : [];
      // A loop, not Math.min(...uids): a spread of 100,000+ arguments overflows the stack.
      if (uids.length > 0) seed = uids.reduce((lowest, uid) => Math.min(lowest, uid)) - 1;
      log.info({ days: backfillDays, messages: uids.length }, 'backfill asked for: reading recent mail already in the box');
    }
    await redis.hset(keys.cursor, 'uidValidity', uidValidity, 'lastUid', String(Math.max(0, seed)));
    return Math.max(0, seed);
  }

  /**
   * Reads every message above the cursor, a batch at a time: the header blocks first, then the
   * sources of the messages whose headers say they may matter (`needsBody`) for the screen, then
   * the jobs and the cursor (live mail, up to LIVE_GAP messages, is read whole at once). The next
   * batch is read from the server while one is screened and filed, so neither waits for the other.
   * One search per drain: a backlog of 100,000 is searched once, not once per batch.
   */
  async function drain(connection: ImapFlow, uidValidity: string, noticedAt: number) {
    const cursor = await readCursor();
    let after = cursor?.uidValidity === uidValidity ? cursor.lastUid : 0;
    for (;;) {
      const found = await connection.search({ uid: `${after + 1}:*` }, { uid: true });
      // `N:*` also matches the highest UID when N is above it, so filter.
      const uids = (Array.isArray(found) ? found : []).filter((uid) => uid > after).sort((a, b) => a - b);
      if (uids.length === 0) {
        status.caughtUpAt = Date.now();
        return;
      }
      const backlog: BacklogProgress | null = uids.length > BATCH ? { total: uids.length, done: 0, bodies: 0, startedAt: Date.now(), at: Date.now() } : null;
      const headersFirst = uids.length > LIVE_GAP;
      const readAt = (start: number) => {
        const reading = readBatch(connection, uidValidity, uids.slice(start, start + BATCH), noticedAt, headersFirst);
        // Awaited below; this only keeps a batch abandoned after a failure from being reported unhandled.
        reading.catch(() => undefined);
        return reading;
      };
      let next = readAt(0);
      for (let start = 0; start < uids.length; start += BATCH) {
        if (stopping || !connection.usable) return;
        const reading = await next;
        // The next batch is read from the server while this one is screened and filed.
        if (start + BATCH < uids.length) next = readAt(start + BATCH);
        await fileBatch(reading, uidValidity, noticedAt, backlog);
        after = reading.batch[reading.batch.length - 1]!;
        if (backlog) {
          backlog.done += reading.batch.length;
          backlog.bodies += reading.read;
          backlog.at = Date.now();
          if (backlog.done === backlog.total) log.info({ messages: backlog.total, bodies: backlog.bodies }, `backlog read: ${backlogLine(backlog)}`);
        }
      }
    }
  }

  /** What reading one batch from the server gave: jobs decided already, and the sources to screen. */
  interface BatchRead {
    batch: number[];
    jobs: InboundJob[];
    /** The messages to screen, and the sources the server sent of them (none for one deleted meanwhile). */
    screened: HeaderBlock[];
    sources: ScreenedSource[];
    /** How many messages are read in full, here or by the worker. */
    read: number;
  }

  function namedJob(uidValidity: string, uid: number, size: number, seenAt: number): InboundJob {
    return { name: 'inbound', data: { mailbox, uidValidity, uid, size, seenAt }, opts: { jobId: jobId.inbound(mailbox, uidValidity, uid) } };
  }

  /**
   * One batch from the server (IMAP only, and the header judgement). Of a backlog: the header
   * blocks, then the messages whose headers leave it open, read for the screen (up to SCREEN_BYTES
   * whole, larger ones without their attachments), at most SCREEN_BATCH_BYTES of them; the rest
   * get their job unscreened. Live mail is read whole, small messages into their jobs.
   */
  async function readBatch(connection: ImapFlow, uidValidity: string, batch: number[], seenAt: number, headersFirst: boolean): Promise<BatchRead> {
    const named = (uid: number, size: number) => namedJob(uidValidity, uid, size, seenAt);
    const blocks: HeaderBlock[] = headersFirst ? [] : batch.map((uid) => ({ uid, size: 0, headers: null }));
    if (headersFirst) {
      for await (const message of connection.fetch(uidSet(batch), { uid: true, size: true, headers: true }, { uid: true })) {
        blocks.push({ uid: message.uid, size: message.size ?? 0, headers: message.headers ?? null });
      }
      // A FETCH cut short by a dropped connection must not read as messages gone from the folder.
      if (!connection.usable) throw new Error('the IMAP connection closed while new mail was being read');
    }
    // A message the server gave no header block for is read in full: the worker then says what it is.
    const needed = options.needsBody ? await options.needsBody(blocks) : blocks.map(() => true);
    const wanted = blocks.filter((block, index) => block.headers === null || needed[index] !== false);
    const jobs: InboundJob[] = [];
    const screened: HeaderBlock[] = [];
    const sources: ScreenedSource[] = [];
    if (headersFirst) {
      let bytes = 0;
      const small: HeaderBlock[] = [];
      const large: HeaderBlock[] = [];
      for (const block of wanted) {
        const screenable = options.screen !== undefined && block.headers !== null && block.size > 0 && bytes + Math.min(block.size, SCREEN_BYTES) <= SCREEN_BATCH_BYTES;
        if (!screenable) jobs.push(named(block.uid, block.size));
        else {
          bytes += Math.min(block.size, SCREEN_BYTES);
          (block.size <= SCREEN_BYTES ? small : large).push(block);
        }
      }
      for (const chunk of screeningChunks(small)) {
        // No IMAP command inside a fetch loop.
        for await (const message of connection.fetch(uidSet(chunk.map((block) => block.uid)), { uid: true, source: true }, { uid: true })) {
          if (message.source) sources.push({ uid: message.uid, raw: message.source });
        }
        if (!connection.usable) throw new Error('the IMAP connection closed while new mail was being read');
        screened.push(...chunk);
      }
      for (const block of large) {
        // Read without its attachments where its text parts are small; else the worker reads it whole.
        const source = await readWithoutAttachments(connection, block.uid, SCREEN_BYTES);
        if (!connection.usable) throw new Error('the IMAP connection closed while new mail was being read');
        if (source) {
          screened.push(block);
          sources.push({ uid: block.uid, raw: source });
        } else {
          jobs.push(named(block.uid, block.size));
        }
      }
    } else if (wanted.length > 0) {
      // No IMAP command inside a fetch loop: the jobs are added once the FETCH has ended. At most
      // LIVE_GAP messages of at most INLINE_SOURCE_BYTES each are held here.
      for await (const message of connection.fetch(uidSet(wanted.map((block) => block.uid)), { uid: true, size: true, source: { start: 0, maxLength: INLINE_SOURCE_BYTES } }, { uid: true })) {
        const size = message.size ?? 0;
        jobs.push(
          message.source && size <= INLINE_SOURCE_BYTES
            ? { ...named(message.uid, size), data: { mailbox, uidValidity, uid: message.uid, size, source: message.source.toString('base64'), truncated: false, seenAt } }
            : named(message.uid, size),
        );
      }
    }
    return { batch, jobs, screened, sources, read: headersFirst ? wanted.length : jobs.length };
  }

  /**
   * One batch filed: the screen, one job for each message that matters, and only then the cursor
   * with the health figures, in one round trip. No IMAP here: the next batch is being read meanwhile.
   */
  async function fileBatch(reading: BatchRead, uidValidity: string, seenAt: number, backlog: BacklogProgress | null): Promise<void> {
    const { batch, jobs, screened, sources, read } = reading;
    if (screened.length > 0) {
      const worth = sources.length > 0 ? await options.screen!(sources) : [];
      const verdicts = new Map(sources.map((source, index) => [source.uid, worth[index] !== false]));
      // A message the server sent no source for (deleted meanwhile) gets its job: the worker records it as gone.
      for (const block of screened) if (verdicts.get(block.uid) ?? true) jobs.push(namedJob(uidValidity, block.uid, block.size, seenAt));
      jobs.sort((a, b) => a.data.uid - b.data.uid);
    }
    if (jobs.length > 0) await queues.inbound.addBulk(jobs);
    const last = batch[batch.length - 1]!;
    status.lastMailAt = seenAt;
    const figures = backlog ? backlogFields({ ...backlog, done: backlog.done + batch.length, bodies: backlog.bodies + read, at: Date.now() }) : {};
    // The cursor moves only now, after the jobs are in Redis: a crash before replays this batch.
    const move = redis.multi();
    scripts.advanceCursorIn(move, keys, { uidValidity, lastUid: last });
    await move
      .hset(keys.health, { lastMailAt: seenAt, ...figures })
      .exec()
      .then((results) => {
        const failed = results?.find(([error]) => error !== null)?.[0];
        if (failed) throw failed;
      });
    log.debug({ messages: batch.length, bodies: read, lastUid: last }, 'read new mail');
  }

  /**
   * One connection's life: connect, catch up, then IDLE until something breaks. Returns the error
   * that ended an established connection (null for a clean close); throws when it never got going.
   */
  async function session(): Promise<Error | null> {
    const connection = createImapClient(options.account ? await options.account(loginRefused) : imap, {
      // We enter IDLE ourselves right after each batch; the library would wait before it does.
      disableAutoIdle: true,
      // Re-issue IDLE every few minutes: a half-open connection then shows up as a timeout.
      maxIdleTime: 4 * 60_000,
      socketTimeout: 5 * 60_000,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
    });
    client = connection;
    let newMail = false;
    // When the server told of new mail; figures of "time Winnow adds" start here.
    let noticedAt = Date.now();
    let wakeIdle: (() => void) | null = null;
    let droppedBy: Error | null = null;
    const closed = new Promise<void>((resolve) => connection.once('close', resolve));
    connection.on('error', (error: Error) => {
      // The connection ends after an error; session() then returns or throws, and run() reports it.
      droppedBy = error;
      log.debug({ err: error }, 'IMAP connection error');
    });
    connection.on('exists', () => {
      if (!newMail) noticedAt = Date.now();
      newMail = true;
      wakeIdle?.();
    });

    let lock: { release(): void } | null = null;
    try {
      await connection.connect();
      lock = await connection.getMailboxLock(imap.folder).catch((error: unknown) => {
        // `folder` tells the advice that the login worked and the folder is what is wrong.
        throw Object.assign(new Error(`could not open the folder "${imap.folder}": ${imapErrorText(error)}`, { cause: error }), { folder: imap.folder });
      });
      const opened = connection.mailbox;
      if (!opened) throw new Error(`could not open folder ${imap.folder}`);
      const uidValidity = String(opened.uidValidity);
      await startingPoint(connection, uidValidity, Number(opened.uidNext));
      status.connected = true;
      status.lastError = null;
      loginRefused = false;
      await recordHealth({ connected: 1, connectedAt: Date.now(), lastError: '', lastErrorKind: '' });
      void countImapConnection({ redis, logger: log }, keys.health);
      problems.recovered('the mailbox works again');
      log.info({ folder: imap.folder }, 'watching mailbox');

      while (!stopping && connection.usable) {
        const since = newMail ? noticedAt : Date.now();
        newMail = false;
        await drain(connection, uidValidity, since);
        if (newMail || stopping) continue;
        // IDLE until the server tells of new mail (then a command breaks IDLE) or the connection ends.
        const idle = connection.idle();
        await Promise.race([
          idle,
          closed,
          new Promise<void>((resolve) => {
            wakeIdle = resolve;
          }),
        ]);
        wakeIdle = null;
        if (newMail && connection.usable) {
          // Any command breaks IDLE; drain() issues one next. Let the IDLE promise settle first.
          await connection.noop().catch(() => undefined);
          await idle.catch(() => undefined);
        } else {
          await idle.catch(() => undefined);
        }
      }
    } finally {
      // Also when connecting or opening the folder failed: every connection is closed.
      lock?.release();
      status.connected = false;
      await connection.logout().catch(() => connection.close());
      client = null;
    }
    return droppedBy;
  }

  async function run() {
    let failures = 0;
    while (!stopping) {
      try {
        if (!(await takeLease())) {
          status.leaseHeld = false;
          await sleep(Math.floor(leaseMs / 3));
          continue;
        }
        status.leaseHeld = true;
        keepLease(() => client?.close());
        const began = Date.now();
        const endedBy = await session();
        // A connection that lived a while was healthy: the backoff starts afresh. One the server
        // closes at once counts as a failure, so a server that hangs up cannot make us spin.
        failures = Date.now() - began > HEALTHY_SESSION_MS ? 0 : failures + 1;
        if (endedBy && !stopping) await reportFailure(endedBy, failures);
      } catch (error) {
        failures += 1;
        await reportFailure(error, failures);
      } finally {
        dropLeaseTimer();
      }
      if (!stopping) {
        // Capped, jittered exponential backoff; a clean close retries soon.
        const base = Math.min(maxBackoffMs, 250 * 2 ** Math.min(failures, 12));
        await sleep(failures === 0 ? 100 : base / 2 + Math.random() * (base / 2));
      }
    }
  }

  return {
    status: (): WatcherStatus => ({ ...status }),
    start() {
      stopping = false;
      running ??= run().finally(() => {
        running = null;
      });
    },
    async stop() {
      stopping = true;
      wakeSleep?.();
      client?.close();
      await running;
      await scripts.releaseLease(keys, { owner }).catch(() => undefined);
      await recordHealth({ connected: 0 });
    },
  };
}

export type MailboxWatcher = ReturnType<typeof createMailboxWatcher>;
