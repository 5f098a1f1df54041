import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.ts';
import type { ContactStore } from '../contacts/store.ts';
import type { Logger } from '../log.ts';
import type { SettingsStore } from '../settings/settings.ts';
import type { Assets } from './assets.ts';
import type { Session, SessionStore } from './session.ts';
import type { View } from './views/layout.ts';

/** What the web role needs from the composition root. */
export interface WebDeps {
  config: Readonly<Config>;
  store: ContactStore;
  settings: SettingsStore;
  /** For sessions, the login rate limit and readiness. */
  redis: Redis;
  logger: Logger;
  /** Extra readiness checks (mailbox watcher and so on); /readyz fails when `ok` is false. */
  readiness?: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
}

/** Handed to every route plugin. */
export interface WebContext {
  deps: WebDeps;
  sessions: SessionStore;
  assets: Assets;
  /** What a page needs to render its frame for this request. */
  view(request: FastifyRequest): View;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard session, loaded by the routes that use one; null when not logged in. */
    session: Session | null;
  }
}

export const SESSION_COOKIE = 'winnow_session';
/** Holds the pre-session CSRF token of the login form (double-submit; see routes/auth.ts). */
export const LOGIN_COOKIE = 'winnow_login';

/** An error with the HTTP status it should be answered with; the error handler renders it. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?');
}
