import type { Config } from '../src/config/env.ts';
import type { AddressBook } from '../src/contacts/address-book.ts';
import type { ContactStore } from '../src/contacts/store.ts';
import type { ClassifyContext } from '../src/detect/types.ts';
import type { Logger } from '../src/log.ts';
import type { MailboxHistory } from '../src/mail/history.ts';
import type { Sender } from '../src/mail/sender.ts';
import type { SentFolder } from '../src/mail/sent-folder.ts';
import type { MailVerifier } from '../src/mail/verify.ts';
import type { Queues } from '../src/queues/queues.ts';
import type { TemplateStore } from '../src/script/store.ts';
import type { SettingsStore } from '../src/settings/settings.ts';

/** Everything a queue processor may use; built once by the composition root. */
export interface WorkerContext {
  config: Readonly<Config>;
  store: ContactStore;
  queues: Queues;
  sender: Sender;
  sentFolder: SentFolder;
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
  logger: Logger;
  /** Time source, so tests and the deadline logic agree on "now". */
  now: () => number;
}
