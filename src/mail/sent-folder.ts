import { ImapFlow } from 'imapflow';
import type { ImapSettings } from './watcher.ts';

/**
 * Files a copy of each script in the user's Sent folder, so their mail client shows the
 * conversation. A short connection per copy keeps it apart from the watcher's IDLE connection.
 */
export function createSentFolder(imap: Omit<ImapSettings, 'folder'>) {
  let sentPath: string | null = null;

  return {
    async append(raw: Buffer): Promise<string> {
      const client = new ImapFlow({
        host: imap.host,
        port: imap.port,
        secure: imap.secure,
        auth: { user: imap.user, pass: imap.pass },
        logger: false,
        connectionTimeout: 15_000,
      });
      client.on('error', () => undefined); // failures surface through the awaited calls below
      await client.connect();
      try {
        if (!sentPath) {
          const folders = await client.list();
          sentPath = folders.find((folder) => folder.specialUse === '\\Sent')?.path ?? folders.find((folder) => /^sent( items| messages)?$/i.test(folder.name))?.path ?? 'Sent';
        }
        await client.append(sentPath, raw, ['\\Seen']);
        return sentPath;
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
  };
}

export type SentFolder = ReturnType<typeof createSentFolder>;
