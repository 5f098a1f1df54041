import type { ImapFlow, MessageAddressObject, MessageEnvelopeObject } from 'imapflow';
import type { Redis } from 'ioredis';
import { mayWriteTo } from '../detect/address.ts';
import type { ClassifyContext } from '../detect/types.ts';
import type { WrittenTo } from '../contacts/resolve.ts';
import { nameKeys } from '../text/names.ts';
import { createProblemLog, type Logger } from '../log.ts';
import { adviceText, mailAdvice } from '../config/advice.ts';
import { mailboxKeys } from '../store/keys.ts';
import { storeScripts } from '../store/scripts.ts';
import { createImapClient, type ImapAccount } from '../mail/imap.ts';
import { SCRIPT_ID_PREFIX } from '../mail/message-id.ts';

/**
 * What the user's mailbox says about people: to whom the user has written (Sent: To, Cc, Bcc),
 * and which address goes with which name (INBOX: From; Sent: To and Cc).
 *
 * Why an index in Redis rather than an IMAP SEARCH per request: SEARCH FROM "name" is a
 * substring match whose rules differ from server to server, knows nothing of accents or
 * "Last, First", and costs round trips on a remote server for every request; and when IMAP is
 * down there would be no answer at all. The index is built once from headers only (ENVELOPE, in
 * batches, with the cursor saved after each so a restart goes on where it stopped), then brought
 * up to date by UID before each lookup: a STATUS per folder when nothing is new. Lookups are then
 * a Redis read, and an IMAP outage leaves the index as it stood, still usable.
 *
 * It runs on an IMAP connection of its own, so it never holds up the watcher's IDLE.
 *
 *   history:written            hash  address → date of the latest mail the user sent to it ('' unknown)
 *   history:name:<key>         set   addresses seen with a name (see nameKeys)
 *   history:cursor:<folder>    hash  path, uidValidity, lastUid of the folder read so far
 */
export function historyKeys(prefix: string, mailbox: string): { written: string; name: (key: string) => string; cursor: (folder: HistoryFolder) => string } {
  // Registered with the mailbox's other keys, so erasing a person (store.ts) finds them too.
  return mailboxKeys(prefix, mailbox).history;
}

/**
 * Whether the user has written to an address (Sent: To, Cc or Bcc), and when last, as the index
 * stands: no IMAP. For processes that keep no history of their own (the web role, the CLI).
 */
export async function readWrittenTo(redis: Redis, keys: Pick<ReturnType<typeof historyKeys>, 'written'>, address: string, folder: string | null = null): Promise<WrittenTo | null> {
  const date = await redis.hget(keys.written, address.trim().toLowerCase());
  if (date === null) return null;
  return { lastAt: date === '' ? null : Number(date), folder: folder ?? 'Sent' };
}

export type HistoryFolder = 'inbox' | 'sent';
/** What a catch-up reads: Sent alone (who the user wrote to), or Sent and INBOX (names too). */
export type HistoryScope = 'sent' | 'all';

export interface HistoryOptions {
  imap: ImapAccount;
  /** The watched folder, usually INBOX. */
  inbox: string;
  redis: Redis;
  prefix: string;
  mailbox: string;
  /** The user's own addresses and our Message-ID domain: the user's own scripts are not "written to". */
  context: ClassifyContext;
  logger: Logger;
  /** How long a lookup waits for the index to catch up before using it as it stands. */
  waitMs?: number;
  /** Envelopes fetched per round trip (BATCH unless given). */
  batch?: number;
  /**
   * Which of these addresses (lower-cased) belong to people the user erased and had forgotten
   * (ContactStore.forgottenAddresses): mail read later, a script's copy in Sent or their request
   * still unread, does not file them again. Absent, every address is filed.
   */
  forgotten?: (addresses: string[]) => Promise<Set<string>>;
}

export interface HistoryStatus {
  /** When the index was last brought fully up to date. */
  lastSyncAt: number | null;
  lastError: string | null;
  /** Messages whose headers have been read since this process started. */
  messagesRead: number;
  sentFolder: string | null;
}

/** UIDs fetched per round trip; the cursor is saved after each batch, and Sent looked at again. */
const BATCH = 2000;
/** After IMAP trouble, lookups use the index as it stands for this long before trying again (doubling up to the cap). */
const RETRY_FIRST_MS = 5_000;
const RETRY_CAP_MS = 5 * 60_000;
const DEFAULT_WAIT_MS = 10_000;

export function createMailboxHistory(options: HistoryOptions) {
  const { redis, context } = options;
  const keys = historyKeys(options.prefix, options.mailbox);
  const scripts = storeScripts(redis);
  const log = options.logger.child({ mailbox: options.mailbox, part: 'history' });
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const batchSize = options.batch ?? BATCH;
  const ownScriptSuffix = `@${context.messageIdDomain.toLowerCase()}`;
  const status: HistoryStatus = { lastSyncAt: null, lastError: null, messagesRead: 0, sentFolder: null };

  let client: ImapFlow | null = null;
  let sentPath: string | null | undefined;
  let closed = false;
  let running: Promise<string | null> | null = null;
  let queued: { scope: HistoryScope; done: Promise<string | null> } | null = null;
  // Callers of refresh('sent') during a sync: served by the sync in progress (serveSentWaiters).
  let sentWaiters: Array<(trouble: string | null) => void> = [];
  let retryAt = 0;
  let retryDelay = RETRY_FIRST_MS;
  // The same failure on every retry (a wrong password) is logged once, as advice.
  const problems = createProblemLog(log, 'mailbox history');

  async function connection(): Promise<ImapFlow> {
    if (client?.usable) return client;
    client?.close();
    const fresh = createImapClient(options.imap, {
      // No IDLE here: the connection only answers lookups, and breaking IDLE first would cost a round trip.
      disableAutoIdle: true,
      socketTimeout: 30_000,
      greetingTimeout: 15_000,
    });
    // Failures surface through the awaited commands; the listener keeps them from being unhandled.
    fresh.on('error', (error: Error) => log.debug({ err: error }, 'history IMAP connection error'));
    client = fresh;
    await fresh.connect();
    if (sentPath === undefined) {
      const folders = await fresh.list();
      sentPath =
        folders.find((folder) => folder.specialUse === '\\Sent')?.path ??
        folders.find((folder) => /^sent(?: items| messages)?$/i.test(folder.name))?.path ??
        null;
      status.sentFolder = sentPath;
      if (!sentPath) log.warn('no Sent folder found (no \\Sent special-use, nor "Sent", "Sent Items" or "Sent Messages"); people you wrote to cannot be recognised');
    }
    return fresh;
  }

  function isOurScript(envelope: MessageEnvelopeObject): boolean {
    const id = envelope.messageId?.trim().replace(/^<|>$/g, '').toLowerCase() ?? '';
    return id.startsWith(SCRIPT_ID_PREFIX) && id.endsWith(ownScriptSuffix);
  }

  function dateOf(envelope: MessageEnvelopeObject): string {
    const time = envelope.date ? new Date(envelope.date).getTime() : Number.NaN;
    return Number.isFinite(time) ? String(time) : '';
  }

  /** The people of one message worth filing: a usable address, and a name where one is given. */
  function people(list: MessageAddressObject[] | undefined): Array<{ name: string; address: string }> {
    return (list ?? [])
      .map((entry) => ({ name: (entry.name ?? '').trim(), address: (entry.address ?? '').trim().toLowerCase() }))
      .filter((entry) => entry.address !== '' && mayWriteTo(entry.address, context));
  }

  async function file(folder: HistoryFolder, envelopes: MessageEnvelopeObject[]): Promise<void> {
    const named = new Map<string, Set<string>>();
    const written = new Map<string, string>();
    const addName = (name: string, address: string) => {
      for (const key of nameKeys(name)) {
        const set = named.get(key) ?? new Set<string>();
        set.add(address);
        named.set(key, set);
      }
    };
    for (const envelope of envelopes) {
      if (folder === 'inbox') {
        for (const sender of people(envelope.from)) if (sender.name) addName(sender.name, sender.address);
        continue;
      }
      const recipients = [...people(envelope.to), ...people(envelope.cc)];
      for (const recipient of recipients) if (recipient.name) addName(recipient.name, recipient.address);
      // Our own scripts are filed in Sent too; writing them did not make anyone known.
      if (isOurScript(envelope)) continue;
      const date = dateOf(envelope);
      for (const recipient of [...recipients, ...people(envelope.bcc)]) {
        const previous = written.get(recipient.address);
        if (previous === undefined || Number(date) > Number(previous)) written.set(recipient.address, date);
      }
    }
    const seen = new Set<string>([...written.keys()]);
    for (const addresses of named.values()) for (const address of addresses) seen.add(address);
    const forgotten = options.forgotten && seen.size > 0 ? await options.forgotten([...seen]) : new Set<string>();
    for (const address of forgotten) written.delete(address);
    const batch = redis.multi();
    for (const [key, addresses] of named) {
      const kept = [...addresses].filter((address) => !forgotten.has(address));
      if (kept.length > 0) batch.sadd(keys.name(key), ...kept);
    }
    if (written.size > 0) scripts.keepLatestWritten(batch, { written: keys.written }, [...written]);
    await batch.exec();
  }

  /**
   * Reads a folder's envelopes from where its cursor stands. Between batches `between` runs with
   * the folder released, so a long first reading of INBOX can let Sent be looked at meanwhile.
   */
  async function syncFolder(imap: ImapFlow, folder: HistoryFolder, path: string, between?: () => Promise<void>): Promise<void> {
    const found = await imap.status(path, { uidValidity: true, uidNext: true });
    if (!found) return;
    const uidValidity = String(found.uidValidity ?? '');
    const newest = (found.uidNext ?? 1) - 1;
    const [storedPath, storedValidity, storedUid] = await redis.hmget(keys.cursor(folder), 'path', 'uidValidity', 'lastUid');
    // A renumbered or different folder is read again from the start; what was filed stays true.
    const after = storedPath === path && storedValidity === uidValidity ? Number(storedUid ?? 0) : 0;
    if (newest <= after) return;
    // The UIDs first (they may have wide gaps), then their envelopes in batches, the folder let go
    // between batches.
    let uids: number[];
    const lock = await imap.getMailboxLock(path, { readOnly: true });
    try {
      const search = await imap.search({ uid: `${after + 1}:*` }, { uid: true });
      // `N:*` also matches the highest UID when N is above it, so filter.
      uids = (Array.isArray(search) ? search : []).filter((uid) => uid > after).sort((a, b) => a - b);
    } finally {
      lock.release();
    }
    for (let start = 0; start < uids.length; start += batchSize) {
      const batch = uids.slice(start, start + batchSize);
      const first = batch[0]!;
      const last = batch[batch.length - 1]!;
      const held = await imap.getMailboxLock(path, { readOnly: true });
      let messages: Awaited<ReturnType<ImapFlow['fetchAll']>>;
      try {
        messages = await imap.fetchAll(`${first}:${last}`, { uid: true, envelope: true }, { uid: true });
      } finally {
        held.release();
      }
      await file(folder, messages.flatMap((message) => (message.envelope ? [message.envelope] : [])));
      await scripts.advanceHistoryCursor({ cursor: keys.cursor(folder) }, { path, uidValidity, lastUid: last });
      status.messagesRead += messages.length;
      if (between && start + batchSize < uids.length) await between();
    }
    // Nothing stays selected between catch-ups: STATUS of a selected folder may report what the
    // session last saw rather than what is there now (Dovecot does so), and new mail would be missed.
    await imap.mailboxClose();
  }

  /**
   * Sent brought up to date for the lookups waiting on it (knownAddress): they need not wait for
   * the reading of INBOX, which on a first start is every message in it. Run between batches of
   * a sync and at its end.
   */
  async function serveSentWaiters(imap: ImapFlow): Promise<void> {
    while (sentWaiters.length > 0) {
      const waiting = sentWaiters;
      sentWaiters = [];
      if (sentPath) await syncFolder(imap, 'sent', sentPath);
      for (const done of waiting) done(null);
    }
  }

  async function sync(scope: HistoryScope): Promise<string | null> {
    if (closed) return 'mailbox history is closed';
    if (Date.now() < retryAt) return status.lastError;
    const began = Date.now();
    const readBefore = status.messagesRead;
    try {
      const imap = await connection();
      // Sent first: it decides who is known, and it is usually the smaller folder.
      if (sentPath) await syncFolder(imap, 'sent', sentPath);
      if (scope === 'all') {
        await syncFolder(imap, 'inbox', options.inbox, () => serveSentWaiters(imap));
        status.lastSyncAt = Date.now();
      }
      await serveSentWaiters(imap);
      status.lastError = null;
      problems.recovered('read again');
      retryAt = 0;
      retryDelay = RETRY_FIRST_MS;
      const read = status.messagesRead - readBefore;
      if (read > 100) log.info({ messages: read, ms: Date.now() - began }, 'mailbox history brought up to date');
      return null;
    } catch (error) {
      // Closed while reading (shutdown): nothing went wrong that anyone needs to hear about.
      if (closed) return 'mailbox history is closed';
      const advice = mailAdvice(error, { service: 'IMAP', host: options.imap.host, port: options.imap.port, secure: options.imap.secure, requireTls: options.imap.requireTls, user: options.imap.user });
      const reason = `mailbox history could not be read: ${adviceText(advice)}`;
      status.lastError = reason;
      retryAt = Date.now() + retryDelay;
      retryDelay = Math.min(retryDelay * 2, RETRY_CAP_MS);
      problems.failed(advice.kind === 'other' ? advice.problem : advice.kind, `could not be brought up to date, so it is used as it stands. ${adviceText(advice)}`, error);
      client?.close();
      client = null;
      for (const done of sentWaiters.splice(0)) done(reason);
      return reason;
    }
  }

  /**
   * One sync at a time; a call during a sync waits for the one after it, so it sees mail that came
   * meanwhile. That next sync covers every folder any of its waiting callers asked for. A call for
   * Sent alone is served by the sync in progress, which looks at Sent again between its batches.
   */
  function refresh(scope: HistoryScope = 'all'): Promise<string | null> {
    if (!running) {
      running = sync(scope).finally(() => {
        running = null;
        // Asked for just as the sync ended: served by a sync of their own.
        const left = sentWaiters.splice(0);
        if (left.length > 0) void refresh('sent').then((trouble) => left.forEach((done) => done(trouble)));
      });
      return running;
    }
    if (scope === 'sent') return new Promise((done) => sentWaiters.push(done));
    if (queued) {
      queued.scope = 'all';
      return queued.done;
    }
    const next: { scope: HistoryScope; done: Promise<string | null> } = { scope, done: Promise.resolve(null) };
    next.done = running.then(() => {
      queued = null;
      return refresh(next.scope);
    });
    queued = next;
    return next.done;
  }

  return {
    keys,

    /** Brings the index up to date. Resolves with null, or with why it could not (never throws). */
    refresh,

    /**
     * Brings the index up to date, waiting at most `waitMs`; resolves with null or the reason the
     * index is used as it stands. Lookups after it see everything read so far. `sent` reads only
     * the Sent folder (enough for wroteTo): one STATUS when nothing is new, where INBOX, which
     * holds the very request being decided, would cost a SELECT, SEARCH and FETCH every time.
     */
    async catchUp(scope: HistoryScope = 'all'): Promise<string | null> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`mailbox history is still being read (${status.messagesRead} messages so far)`), waitMs);
      });
      try {
        return await Promise.race([refresh(scope), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    /** Addresses seen with this name: those of the whole name, else of first and last name alone. */
    async addressesFor(name: string): Promise<string[]> {
      for (const key of nameKeys(name)) {
        const found = await redis.smembers(keys.name(key));
        if (found.length > 0) return found.sort();
      }
      return [];
    },

    /** Whether the user has written to this address (Sent: To, Cc or Bcc), and when last. */
    wroteTo: (address: string): Promise<WrittenTo | null> => readWrittenTo(redis, keys, address, status.sentFolder),

    status: (): HistoryStatus => ({ ...status }),

    async close(): Promise<void> {
      closed = true;
      const open = client;
      client = null;
      await open?.logout().catch(() => open.close());
    },
  };
}

export type MailboxHistory = ReturnType<typeof createMailboxHistory>;
