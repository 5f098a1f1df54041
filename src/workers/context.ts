import type { Redis } from 'ioredis';
import type { Config } from '../config/env.ts';
import type { AddressBook } from '../contacts/address-book.ts';
import type { ContactStore } from '../contacts/store.ts';
import type { ClassifyContext } from '../detect/types.ts';
import type { Logger } from '../log.ts';
import type { MailboxHistory } from '../mailbox/history.ts';
import type { MailboxConnections } from '../mailboxes/connections.ts';
import type { MailVerifier } from '../mail/verify.ts';
import type { Queues } from '../queues/queues.ts';
import type { TemplateStore } from '../script/store.ts';
import type { SettingsStore } from '../settings/settings.ts';

/** Everything a queue processor may use; built once by the composition root. */
export interface WorkerContext {
  config: Readonly<Config>;
  store: ContactStore;
  queues: Queues;
  /** Each mailbox's From identity, SMTP sender and Sent folder: a person is answered from the mailbox their request came to. */
  mailboxes: MailboxConnections;
  /** The script and reminder in force, with history; compiled when saved, never at send time. */
  templates: TemplateStore;
  classifyContext: ClassifyContext;
  /** The user's settings (deadline, send window, cap, approval, lists, platforms), read when needed. */
  settings: SettingsStore;
  /** The user's imported address book (name → addresses), for requests that carry no address. */
  addressBook: AddressBook;
  /** Who the user has written to and which address goes with which name, read from the mailbox. */
  history: MailboxHistory;
  /** Winnow's own DKIM/SPF/DMARC check of each incoming mail (DNS in production, a local resolver in tests). */
  verifier: MailVerifier;
  /** The server secret that seals script Message-IDs (src/mail/message-id.ts). */
  secret: string;
  /** The workers' Redis connection, for what has no store of its own (the queues' event streams erasing searches). */
  redis: Redis;
  logger: Logger;
  /** Time source, so tests and the deadline logic agree on "now". */
  now: () => number;
}
