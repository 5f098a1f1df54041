import type { Config } from '../config/env.ts';
import type { ImapAccount } from '../mail/imap.ts';
import { messageIdDomain } from '../mail/message-id.ts';
import { createSender, type Sender, type SmtpSettings } from '../mail/sender.ts';
import { createSentFolder, type SentFolder } from '../mail/sent-folder.ts';
import { PRIMARY_MAILBOX, type Mailbox, type MailboxAccess, type MailboxStore } from './records.ts';

/**
 * How the workers reach each mailbox: its From identity, a pooled SMTP sender and a connection to
 * its Sent folder, made when first needed and made again when the mailbox's settings change. A
 * person is answered from the mailbox their request came to (`contact.mailbox`).
 */

/** The mailbox a mail is to go from is gone: removed by the user. */
export class MailboxGoneError extends Error {
  readonly mailbox: string;

  constructor(mailbox: string) {
    super(`the mailbox this request came to (${mailbox}) has been removed, so nothing can be sent from it`);
    this.mailbox = mailbox;
    this.name = 'MailboxGoneError';
  }
}

export interface MailboxConnectionsOptions {
  store: MailboxStore;
  config: Pick<Readonly<Config>, 'imap' | 'smtp' | 'mailFrom' | 'allowPlaintext'>;
  /** Ways in that differ from a password (OAuth2 tokens); a mailbox with `auth: 'password'` needs none. */
  signIn?: MailboxSignIn;
}

/** Gives current OAuth2 access tokens for mailboxes that sign in with a provider. */
export interface MailboxSignIn {
  accessToken(mailbox: MailboxAccess, options?: { renew?: boolean }): Promise<string>;
}

/** The IMAP account of a mailbox, with the folder to watch. */
export type MailboxImap = ImapAccount & { folder: string };

interface Entry {
  updatedAt: number;
  sender: Sender;
  sentFolder: SentFolder;
}

/**
 * Whether an added mailbox's login waits for STARTTLS. ALLOW_PLAINTEXT, meant for a server on this
 * machine, lets an added mailbox log in without TLS only on this machine too: a password or token
 * never crosses a network in clear because of it.
 */
function requireTls(server: { host: string; secure: boolean }, config: MailboxConnectionsOptions['config']): boolean {
  if (server.secure) return false;
  return !(config.allowPlaintext && isThisMachine(server.host));
}

function isThisMachine(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

export function smtpSettingsOf(access: MailboxAccess, config: MailboxConnectionsOptions['config']): SmtpSettings {
  if (access.id === PRIMARY_MAILBOX) return config.smtp;
  return { host: access.smtp.host, port: access.smtp.port, secure: access.smtp.secure, requireTls: requireTls(access.smtp, config), user: access.smtp.user || null, pass: access.smtpPass };
}

export function imapAccountOf(access: Mailbox & Partial<Pick<MailboxAccess, 'imapPass'>>, config: MailboxConnectionsOptions['config']): MailboxImap {
  if (access.id === PRIMARY_MAILBOX) return { ...config.imap, folder: config.imap.mailbox };
  return { host: access.imap.host, port: access.imap.port, secure: access.imap.secure, requireTls: requireTls(access.imap, config), user: access.imap.user, pass: access.imapPass ?? '', folder: access.imap.folder };
}

export function createMailboxConnections(options: MailboxConnectionsOptions) {
  const { store, config, signIn } = options;
  const entries = new Map<string, Entry>();

  async function access(id: string): Promise<MailboxAccess> {
    const found = await store.access(id);
    if (!found) throw new MailboxGoneError(id);
    return found;
  }

  async function entry(id: string): Promise<Entry> {
    let current: MailboxAccess;
    try {
      current = await access(id);
    } catch (error) {
      // A mailbox removed meanwhile: its connections go too.
      const gone = entries.get(id);
      if (error instanceof MailboxGoneError && gone) {
        entries.delete(id);
        await closeEntry(gone);
      }
      throw error;
    }
    // From here to `set` nothing waits: two callers at once make one entry, not two.
    const known = entries.get(id);
    if (known && known.updatedAt >= current.updatedAt) return known;
    const made: Entry = {
      updatedAt: current.updatedAt,
      sender: createSender(smtpSettingsOf(current, config), signIn && current.auth !== 'password' ? { accessToken: async (renew) => signIn.accessToken(await access(id), { renew }) } : {}),
      sentFolder: createSentFolder(imapAccountOf(current, config), signIn && current.auth !== 'password' ? async () => ({ ...imapAccountOf(current, config), accessToken: await signIn.accessToken(await access(id)) }) : undefined),
    };
    entries.set(id, made);
    if (known) await closeEntry(known);
    return made;
  }

  async function closeEntry(known: Entry): Promise<void> {
    known.sender.close();
    await known.sentFolder.close();
  }

  return {
    /** The mailbox's From identity; throws MailboxGoneError when it was removed. */
    async from(id: string): Promise<{ name: string; address: string }> {
      return (await access(id)).from;
    },
    /**
     * The domain a mailbox's scripts carry in their Message-IDs: its From's. For a mailbox removed
     * meanwhile, the main mailbox's (the mail then fails as MailboxGoneError says).
     */
    async messageIdDomain(id: string): Promise<string> {
      const found = await store.get(id);
      return messageIdDomain((found ?? { from: config.mailFrom }).from.address);
    },
    /** The pooled SMTP sender of a mailbox. */
    async sender(id: string): Promise<Sender> {
      return (await entry(id)).sender;
    },
    /** The Sent folder of a mailbox, for copies of what was sent from it. */
    async sentFolder(id: string): Promise<SentFolder> {
      return (await entry(id)).sentFolder;
    },
    /** The IMAP account of a mailbox as the next connection should use it (a fresh token for OAuth2). */
    async imapAccount(id: string, options: { renew?: boolean } = {}): Promise<MailboxImap> {
      const current = await access(id);
      const account = imapAccountOf(current, config);
      return signIn && current.auth !== 'password' ? { ...account, accessToken: await signIn.accessToken(current, options) } : account;
    },
    async close(): Promise<void> {
      await Promise.all([...entries.values()].map(closeEntry));
      entries.clear();
    },
  };
}

export type MailboxConnections = ReturnType<typeof createMailboxConnections>;
