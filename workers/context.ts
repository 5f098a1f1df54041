import type { Config } from '../src/config/env.ts';
import type { ContactStore } from '../src/contacts/store.ts';
import type { ClassifyContext } from '../src/detect/types.ts';
import type { Logger } from '../src/log.ts';
import type { Sender } from '../src/mail/sender.ts';
import type { SentFolder } from '../src/mail/sent-folder.ts';
import type { Queues } from '../src/queues/queues.ts';
import type { CompiledScript } from '../src/script/template.ts';
import type { SettingsStore } from '../src/settings/settings.ts';

/** Everything a queue processor may use; built once by the composition root. */
export interface WorkerContext {
  config: Readonly<Config>;
  store: ContactStore;
  queues: Queues;
  sender: Sender;
  sentFolder: SentFolder;
  /** The script in force; compiled when loaded or saved, never at send time. */
  script: () => CompiledScript;
  classifyContext: ClassifyContext;
  /** The user's settings (deadline, send window, cap, approval, lists, platforms), read when needed. */
  settings: SettingsStore;
  logger: Logger;
  /** Time source, so tests and the deadline logic agree on "now". */
  now: () => number;
}
