// The sandbox's own IMAP access to its users' mailboxes: one cached imapflow connection per user,
// replaced when it drops (after imapRestart(), say). Appends go through Dovecot, so IDLE watchers
// on the mailbox are told about them as about any new mail.
import { ImapFlow } from 'imapflow';
import { nowMs } from './sandbox-process.ts';

export interface MailboxCredentials {
  address: string;
  pass: string;
}

export interface MailboxAdmin {
  append(user: MailboxCredentials, folder: string, raw: Buffer): Promise<{ uid: number; deliveredAt: number }>;
  list(user: MailboxCredentials, folder: string): Promise<Array<{ uid: number; source: Buffer }>>;
  /** Closes every cached connection and refuses new work. Idempotent. */
  close(): void;
  /** Forgets cached connections without waiting, e.g. before the server is restarted. */
  dropAll(): void;
}

export function createMailboxAdmin(server: { host: string; port: number }): MailboxAdmin {
  const clients = new Map<string, { client: ImapFlow; ready: Promise<void> }>();
  let closed = false;

  const connect = (user: MailboxCredentials): { client: ImapFlow; ready: Promise<void> } => {
    const client = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: false,
      auth: { user: user.address, pass: user.pass },
      logger: false,
      // Never IDLE on this connection: breaking IDLE before each APPEND would cost a round trip.
      disableAutoIdle: true,
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
    });
    const forget = () => {
      if (clients.get(user.address)?.client === client) clients.delete(user.address);
    };
    // The connection is single-use: once it fails or closes, the next call opens a new one.
    client.on('error', forget);
    client.on('close', forget);
    const ready = client.connect().catch((error: unknown) => {
      forget();
      client.close();
      throw error;
    });
    const entry = { client, ready };
    clients.set(user.address, entry);
    return entry;
  };

  const clientFor = async (user: MailboxCredentials): Promise<ImapFlow> => {
    if (closed) throw new Error('the sandbox has been stopped');
    const entry = clients.get(user.address) ?? connect(user);
    await entry.ready;
    return entry.client;
  };

  const withClient = async <T>(user: MailboxCredentials, action: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = await clientFor(user);
    try {
      return await action(client);
    } catch (error) {
      // A cached connection may have died since its last use (Dovecot restarted): retry once on a
      // fresh one. Errors on a live connection (a missing folder, say) are the caller's.
      if (client.usable) throw error;
      if (clients.get(user.address)?.client === client) clients.delete(user.address);
      return action(await clientFor(user));
    }
  };

  return {
    append: (user, folder, raw) =>
      withClient(user, async (client) => {
        const result = await client.append(folder, raw);
        const deliveredAt = nowMs();
        if (!result || typeof result.uid !== 'number') {
          throw new Error(`IMAP APPEND to ${user.address}/${folder} returned no UID (is UIDPLUS missing?)`);
        }
        return { uid: result.uid, deliveredAt };
      }),
    list: (user, folder) =>
      withClient(user, async (client) => {
        const lock = await client.getMailboxLock(folder, { readOnly: true });
        try {
          // The folder may have been selected on this cached connection before; NOOP makes the
          // server report messages added since, or `exists` below would be stale.
          await client.noop();
          const mailbox = client.mailbox;
          if (mailbox && mailbox.exists === 0) return [];
          const messages = await client.fetchAll('1:*', { uid: true, source: true });
          return messages.map((message) => ({ uid: message.uid, source: message.source ?? Buffer.alloc(0) }));
        } finally {
          lock.release();
        }
      }),
    dropAll() {
      const entries = [...clients.values()];
      clients.clear();
      for (const entry of entries) entry.client.close();
    },
    close() {
      closed = true;
      const entries = [...clients.values()];
      clients.clear();
      // No LOGOUT round trip: the server is about to go away with the whole sandbox.
      for (const entry of entries) entry.client.close();
    },
  };
}
