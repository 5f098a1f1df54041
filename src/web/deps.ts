import type { Redis } from 'ioredis';
import type { Config } from '../config/env.ts';
import type { AwaitingSummary } from '../contacts/awaiting.ts';
import type { ContactStore } from '../contacts/store.ts';
import type { Logger } from '../log.ts';
import type { MailboxSignIn } from '../mailboxes/connections.ts';
import type { SignInFlow } from '../mailboxes/oauth.ts';
import type { MailboxStore } from '../mailboxes/records.ts';
import type { Queues } from '../queues/queues.ts';
import type { SettingsStore } from '../settings/settings.ts';
import type { TemplateStore } from '../script/store.ts';
import type { ScriptPerson } from '../script/render.ts';
import type { CompiledScript } from '../script/template.ts';
import type { TestSendResult } from '../script/test-send.ts';
import type { Webhooks } from '../webhooks/webhooks.ts';

/** What the web role needs from the composition root. */
export interface WebDeps {
  config: Readonly<Config>;
  store: ContactStore;
  settings: SettingsStore;
  /** The script and reminder templates, with versions. */
  templates: TemplateStore;
  /**
   * Sends a template, rendered for a person, to the user's own address ("send a test to myself").
   * Throws TestSendError with the reason. Absent, the templates page offers no test.
   */
  sendTest?: (compiled: CompiledScript, person: ScriptPerson) => Promise<TestSendResult>;
  /** Where the dashboard's actions put their jobs (a script to send); the web role only produces. */
  queues: Queues;
  /** Time source for the actions' records; Date.now when absent. */
  now?: () => number;
  /** For sessions, the login rate limit and readiness. */
  redis: Redis;
  logger: Logger;
  /** After an address-book import: gives waiting people the addresses it holds (src/contacts/awaiting.ts). */
  resolveAwaiting?: () => Promise<AwaitingSummary>;
  /** The server secret that seals script Message-IDs, so that erasing finds every one; absent in tests that erase nothing sent. */
  secret?: string;
  /** Extra readiness checks (mailbox watcher and so on); /readyz fails when `ok` is false. */
  readiness?: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Webhook endpoints, their logs, replay and tests; absent, the app makes its own on the same Redis. */
  webhooks?: Webhooks;
  /** Connecting mailboxes by signing in with Google or Microsoft (src/mailboxes/oauth.ts); absent without WINNOW_SECRET. */
  signInFlow?: SignInFlow;
  /** The user's mailboxes (src/mailboxes/records.ts); absent, the app makes its own on the same Redis, sealing with WINNOW_SECRET's key. */
  mailboxes?: MailboxStore;
  /** Access tokens of the mailboxes that sign in with Google or Microsoft, for their test; absent without WINNOW_SECRET. */
  signIn?: MailboxSignIn;
}


