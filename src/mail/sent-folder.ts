import type { ImapFlow } from 'imapflow';
import { createImapClient, type ImapAccount } from './imap.ts';

/**
 * Files copies of sent scripts in the user's Sent folder, so their mail client shows the
 * conversation. One connection of its own, apart from the watcher's IDLE, opened when first
 * needed and again after it breaks; the `sent-copy` queue calls it one copy at a time and retries.
 */
export function createSentFolder(imap: ImapAccount, fresh?: () => Promise<ImapAccount>) {
  let client: ImapFlow | null = null;
  let sentPath: string | null = null;

  async function connection(): Promise<ImapFlow> {
    if (client?.usable) return client;
    const made = createImapClient(fresh ? await fresh() : imap);
    // Failures surface through the awaited commands; the listener keeps them from being unhandled.
    made.on('error', () => undefined);
    await made.connect();
    client = made;
    if (!sentPath) {
      const folders = await made.list();
      sentPath =
        folders.find((folder) => folder.specialUse === '\\Sent')?.path ??
        folders.find((folder) => /^sent( items| messages)?$/i.test(folder.name))?.path ??
        'Sent';
    }
    return made;
  }

  return {
    /** Appends one message, marked as read; throws when it could not be filed. */
    async append(raw: Buffer): Promise<string> {
      try {
        const connected = await connection();
        await connected.append(sentPath!, raw, ['\\Seen']);
        return sentPath!;
      } catch (error) {
        client?.close();
        client = null;
        throw error;
      }
    },

    async close(): Promise<void> {
      await client?.logout().catch(() => client?.close());
      client = null;
    },
  };
}

export type SentFolder = ReturnType<typeof createSentFolder>;
