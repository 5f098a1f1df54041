import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.ts';
import type { AwaitingSummary } from '../contacts/awaiting.ts';
import type { ContactStore, SendingPause } from '../contacts/store.ts';
import type { Logger } from '../log.ts';
import type { Queues } from '../queues/queues.ts';
import type { SettingsStore } from '../settings/settings.ts';
import type { TemplateStore } from '../script/store.ts';
import type { ScriptPerson } from '../script/render.ts';
import type { CompiledScript } from '../script/template.ts';
import type { TestSendResult } from '../script/test-send.ts';
import type { Assets } from './assets.ts';
import type { PeopleServices } from './people.ts';
import type { Session, SessionStore } from './session.ts';
import type { View } from './views/layout.ts';

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
}

/** Handed to every route plugin. */
export interface WebContext {
  deps: WebDeps;
  sessions: SessionStore;
  assets: Assets;
  /** The people directory, the actions on people and the one-time messages after a form. */
  people: PeopleServices;
  /** What a page needs to render its frame for this request. */
  view(request: FastifyRequest): View;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard session, loaded by the routes that use one; null when not logged in. */
    session: Session | null;
    /** The circuit breaker's hold on sending, read for each logged-in page (src/web/app.ts). */
    sendingPause: SendingPause | null;
  }
}

export const SESSION_COOKIE = 'winnow_session';
/** Holds the pre-session CSRF token of the login form (double-submit; see routes/auth.ts). */
export const LOGIN_COOKIE = 'winnow_login';

/** An error with the HTTP status it should be answered with; the error handler renders it. */
export class HttpError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.name = 'HttpError';
  }
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?');
}
