import type { ImapFlow } from 'imapflow';
import { createImapClient, type ImapAccount } from './imap.ts';
import type { Logger } from '../log.ts';

/** Copies waiting beyond this are dropped (with a log line): a Sent copy must never hold memory hostage. */
const MAX_WAITING = 1000;

/**
 * Files a copy of each script in the user's Sent folder, so their mail client shows the
 * conversation. The copy is a courtesy, not part of delivery: `file()` returns at once and the
 * copies go out in order over one connection of their own, apart from the watcher's IDLE.
 */
export function createSentFolder(imap: ImapAccount, logger: Logger) {
  const log = logger.child({ part: 'sent-folder' });
  const waiting: Buffer[] = [];
  let client: ImapFlow | null = null;
  let sentPath: string | null = null;
  let working: Promise<void> | null = null;
  let closing = false;

  async function connection(): Promise<ImapFlow> {
    if (client?.usable) return client;
    const fresh = createImapClient(imap);
    fresh.on('error', (error: Error) => log.warn({ err: error }, 'Sent folder connection error'));
    await fresh.connect();
    client = fresh;
    if (!sentPath) {
      const folders = await fresh.list();
      sentPath =
        folders.find((folder) => folder.specialUse === '\\Sent')?.path ??
        folders.find((folder) => /^sent( items| messages)?$/i.test(folder.name))?.path ??
        'Sent';
    }
    return fresh;
  }

  async function work() {
    while (waiting.length > 0) {
      const raw = waiting[0]!;
      try {
        const connected = await connection();
        await connected.append(sentPath!, raw, ['\\Seen']);
      } catch (error) {
        log.warn({ err: error }, 'could not file a script in the Sent folder');
        client?.close();
        client = null;
      }
      // One try, then the next: a copy that cannot be filed must not block the others.
      waiting.shift();
    }
  }

  return {
    /** Queues a copy of a sent script for the Sent folder. */
    file(raw: Buffer): void {
      if (closing) return;
      if (waiting.length >= MAX_WAITING) {
        log.warn('too many copies waiting for the Sent folder; dropping one');
        return;
      }
      waiting.push(raw);
      working ??= work().finally(() => {
        working = null;
      });
    },

    /** Files what is waiting, then closes the connection. */
    async close(): Promise<void> {
      closing = true;
      await working;
      await client?.logout().catch(() => client?.close());
      client = null;
    },
  };
}

export type SentFolder = ReturnType<typeof createSentFolder>;
