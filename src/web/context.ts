import type { FastifyRequest } from 'fastify';
import type { SendingPause } from '../contacts/store.ts';
import type { Assets } from './assets.ts';
import type { WebDeps } from './deps.ts';
import type { LoginGuard } from './login-guard.ts';
import type { PeopleServices } from './people.ts';
import type { Session, SessionStore } from './session.ts';
import type { View } from './views/layout.ts';
import type { Webhooks } from '../webhooks/webhooks.ts';
import type { MailboxStore } from '../mailboxes/records.ts';

export type { WebDeps } from './deps.ts';

/** Handed to every route plugin. */
export interface WebContext {
  deps: WebDeps;
  sessions: SessionStore;
  /** The budget of failed logins from all addresses together, and its bursts. */
  loginGuard: LoginGuard;
  assets: Assets;
  /** The people directory, the actions on people and the one-time messages after a form. */
  people: PeopleServices;
  /** The endpoints the settings and the API manage (deps.webhooks, or the app's own). */
  webhooks: Webhooks;
  /** The user's mailboxes (deps.mailboxes, or the app's own). */
  mailboxes: MailboxStore;
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

/** A store's refusal ("the secret is too short") as the sentence a page or an answer shows. */
export function capitalised(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.');
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?');
}
