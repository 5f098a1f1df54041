import type { ImapFlow } from 'imapflow';
import type { Logger } from '../log.ts';
import { createImapClient, uidSet, type ImapAccount } from './imap.ts';
import { MAX_SOURCE_BYTES } from './message.ts';

/** Where a mailbox's mail is read: its account, and the folder its UIDs belong to. */
export type MailboxAccount = ImapAccount & { folder: string };

/** One message to read, by the numbers the watcher saw it under. */
export interface SourceRequest {
  mailbox: string;
  uidValidity: string;
  uid: number;
}

/**
 * A message's source, cut at MAX_SOURCE_BYTES (`truncated` then), or why there is none: the message
 * left the folder (deleted, moved) or the folder was renumbered before it was read.
 */
export type FetchedSource = { raw: Buffer; truncated: boolean } | { gone: string };

export interface FetcherOptions {
  /** The account and folder of a mailbox id; may throw (an unknown mailbox, a token that cannot be had). */
  accountOf(mailbox: string): Promise<MailboxAccount>;
  logger: Logger;
  /** Connections kept open per mailbox. */
  connections?: number;
  /** A connection unused this long is logged out. */
  idleMs?: number;
}

/** Most sources one FETCH asks for, and most bytes (past the first message): memory stays flat whatever the mail's size. */
const CHUNK_MESSAGES = 50;
const CHUNK_BYTES = 4 * 1024 * 1024;

interface Waiting extends SourceRequest {
  /** Bytes expected (the size the watcher saw), for the FETCH's byte bound. */
  size: number;
  /** Runs on a connection that broke under it; one more on a fresh connection before giving up. */
  tries: number;
  resolve(source: FetchedSource): void;
  reject(error: Error): void;
}

interface Connection {
  client: ImapFlow;
  /** The folder's UIDVALIDITY when it was opened: a UID of another one names nothing here. */
  uidValidity: string;
  idleTimer: NodeJS.Timeout | null;
}

interface MailboxLanes {
  waiting: Waiting[];
  /** Open connections not in use now. */
  free: Connection[];
  /** Connections in use or being opened. */
  busy: number;
}

/**
 * Reads message sources by UID for the inbound worker, so that queued jobs need only name their
 * message. Per mailbox, up to `connections` IMAP connections are kept open (opened on first use,
 * logged out after `idleMs` unused, the folder opened read-only so nothing is marked seen).
 * Requests that arrive while a connection is busy wait and are then read together in one FETCH of
 * at most CHUNK_MESSAGES messages and CHUNK_BYTES: a worker with several jobs in hand costs a round
 * trip per handful of messages, not per message.
 *
 * A connection that breaks under a FETCH is replaced and the FETCH tried once more; when that also
 * fails, or no connection can be opened, the requests fail with the IMAP error (the queue retries
 * them with backoff).
 */
export function createMessageFetcher(options: FetcherOptions) {
  const { logger } = options;
  const perMailbox = options.connections ?? 2;
  const idleMs = options.idleMs ?? 30_000;
  const lanes = new Map<string, MailboxLanes>();
  const lanesRunning = new Set<Promise<void>>();
  let closing = false;

  function lanesOf(mailbox: string): MailboxLanes {
    let found = lanes.get(mailbox);
    if (!found) {
      found = { waiting: [], free: [], busy: 0 };
      lanes.set(mailbox, found);
    }
    return found;
  }

  async function open(mailbox: string): Promise<Connection> {
    const account = await options.accountOf(mailbox);
    const client = createImapClient(account, { disableAutoIdle: true, socketTimeout: 5 * 60_000, connectionTimeout: 30_000, greetingTimeout: 15_000 });
    client.on('error', (error: Error) => logger.debug({ mailbox, err: error }, 'IMAP connection for reading mail failed'));
    const connection: Connection = { client, uidValidity: '', idleTimer: null };
    client.once('close', () => forget(mailbox, connection));
    try {
      await client.connect();
      // Read-only (EXAMINE): reading a message here must not mark it seen in the user's mail client.
      const opened = await client.mailboxOpen(account.folder, { readOnly: true });
      connection.uidValidity = String(opened.uidValidity);
      return connection;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  function forget(mailbox: string, connection: Connection) {
    if (connection.idleTimer) clearTimeout(connection.idleTimer);
    const box = lanes.get(mailbox);
    if (box) box.free = box.free.filter((kept) => kept !== connection);
  }

  function release(mailbox: string, box: MailboxLanes, connection: Connection) {
    if (!connection.client.usable) {
      connection.client.close();
      return;
    }
    // Closing: kept for close() to log out.
    if (closing) {
      box.free.push(connection);
      return;
    }
    connection.idleTimer = setTimeout(() => {
      forget(mailbox, connection);
      void connection.client.logout().catch(() => connection.client.close());
    }, idleMs);
    connection.idleTimer.unref();
    box.free.push(connection);
  }

  /** The next FETCH's worth of waiting requests, in the order they came. */
  function nextChunk(box: MailboxLanes): Waiting[] {
    const chunk: Waiting[] = [];
    let bytes = 0;
    while (box.waiting.length > 0 && chunk.length < CHUNK_MESSAGES) {
      const size = Math.min(box.waiting[0]!.size, MAX_SOURCE_BYTES);
      if (chunk.length > 0 && bytes + size > CHUNK_BYTES) break;
      chunk.push(box.waiting.shift()!);
      bytes += size;
    }
    return chunk;
  }

  /** Reads one chunk on one connection; no IMAP command inside the FETCH loop, the answers are given after it. */
  async function read(connection: Connection, chunk: Waiting[]): Promise<void> {
    const renumbered = chunk.filter((request) => request.uidValidity !== connection.uidValidity);
    for (const request of renumbered) {
      request.resolve({ gone: `the folder was renumbered (UIDVALIDITY ${request.uidValidity} is now ${connection.uidValidity}) before the message was read; its old number names nothing` });
    }
    const asked = chunk.filter((request) => request.uidValidity === connection.uidValidity);
    if (asked.length === 0) return;
    const found = new Map<number, { source: Buffer | undefined; size: number }>();
    const fetchInto = async (uids: number[]) => {
      for await (const message of connection.client.fetch(uidSet(uids), { uid: true, size: true, source: { start: 0, maxLength: MAX_SOURCE_BYTES } }, { uid: true })) {
        found.set(message.uid, { source: message.source, size: message.size ?? 0 });
      }
      // A FETCH cut short by a dropped connection must not read as messages gone from the folder.
      if (!connection.client.usable) throw new Error('the IMAP connection closed during a FETCH');
    };
    await fetchInto([...new Set(asked.map((request) => request.uid))].sort((a, b) => a - b));
    // A connection kept open sees mail that arrived since its last command only once the server
    // has told it (IMAP announces new messages in a command's answer): a message not found may be
    // one this connection has not been told of yet. After a NOOP the server has told; only then
    // is a message that is still not there gone.
    const unseen = [...new Set(asked.filter((request) => !found.has(request.uid)).map((request) => request.uid))].sort((a, b) => a - b);
    if (unseen.length > 0) {
      await connection.client.noop();
      await fetchInto(unseen);
    }
    for (const request of asked) {
      const message = found.get(request.uid);
      if (!message) request.resolve({ gone: 'the message was deleted or moved out of the folder before it was read' });
      else if (!message.source) request.resolve({ gone: 'the server sent no source for the message' });
      else request.resolve({ raw: message.source, truncated: message.size > MAX_SOURCE_BYTES });
    }
  }

  /** One connection's turn: takes waiting requests chunk by chunk until none is left. */
  async function lane(mailbox: string, box: MailboxLanes): Promise<void> {
    let connection: Connection | null = box.free.pop() ?? null;
    if (connection?.idleTimer) clearTimeout(connection.idleTimer);
    try {
      while (box.waiting.length > 0) {
        if (closing) {
          for (const request of box.waiting.splice(0)) request.reject(new Error('the mail reader is closing'));
          return;
        }
        if (!connection?.client.usable) {
          try {
            connection = await open(mailbox);
          } catch (error) {
            // The server is unreachable or refuses us: everything waiting for this mailbox fails
            // now (and is retried by its queue) instead of trying the server once per request.
            connection = null;
            const failed = box.waiting.splice(0);
            for (const request of failed) request.reject(asError(error));
            return;
          }
        }
        const chunk = nextChunk(box);
        try {
          await read(connection, chunk);
        } catch (error) {
          // The connection broke (a server restart, a timeout): once more on a fresh one, then give up.
          connection.client.close();
          connection = null;
          const again = chunk.filter((request) => request.tries === 0);
          for (const request of chunk) {
            if (request.tries > 0) request.reject(asError(error));
            request.tries += 1;
          }
          box.waiting.unshift(...again);
          logger.debug({ mailbox, err: error, messages: chunk.length }, 'reading mail over IMAP failed; trying on a new connection');
        }
      }
    } finally {
      box.busy -= 1;
      if (connection) release(mailbox, box, connection);
    }
  }

  function pump(mailbox: string) {
    const box = lanesOf(mailbox);
    // A lane on a free connection takes its chunk at once, so the loop stops there; lanes that must
    // first open a connection leave the requests waiting, and the next lane opens another.
    while (box.waiting.length > 0 && box.busy < perMailbox) {
      box.busy += 1;
      const running = lane(mailbox, box);
      lanesRunning.add(running);
      void running.finally(() => lanesRunning.delete(running));
    }
  }

  return {
    /** The source of one message, or why it is gone; rejects on IMAP trouble. `size`: bytes expected, if known. */
    fetch(request: SourceRequest & { size?: number }): Promise<FetchedSource> {
      if (closing) return Promise.reject(new Error('the mail reader is closing'));
      return new Promise<FetchedSource>((resolve, reject) => {
        lanesOf(request.mailbox).waiting.push({ ...request, size: request.size ?? 0, tries: 0, resolve, reject });
        pump(request.mailbox);
      });
    },
    /** Connections open now (for tests and figures). */
    openConnections: () => [...lanes.values()].reduce((sum, box) => sum + box.free.length + box.busy, 0),
    /** Logs out every connection; requests still waiting fail. */
    async close(): Promise<void> {
      closing = true;
      for (const box of lanes.values()) for (const request of box.waiting.splice(0)) request.reject(new Error('the mail reader is closing'));
      // A FETCH under way ends first; a connection being opened is then logged out with the rest.
      await Promise.all([...lanesRunning]);
      const open = [...lanes.values()].flatMap((box) => box.free.splice(0));
      await Promise.all(
        open.map(async (connection) => {
          if (connection.idleTimer) clearTimeout(connection.idleTimer);
          await connection.client.logout().catch(() => connection.client.close());
        }),
      );
    },
  };
}

export type MessageFetcher = ReturnType<typeof createMessageFetcher>;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
