// Shared setup for the web tests: a real Redis from the sandbox (or REDIS_URL), a key prefix of
// the test's own, the real contact store to fill it, and the app built as the process builds it.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse, type RouteOptions } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { createContactStore, type ContactStore, type NewContact } from '../../src/contacts/store.ts';
import { createSettingsStore } from '../../src/settings/settings.ts';
import { closeQueues, createQueues, type Queues } from '../../src/queues/queues.ts';
import { createTemplateStore } from '../../src/script/store.ts';
import { loadDefaultTemplates } from '../../src/script/template.ts';
import { NO_DETAILS, type ContactEvent } from '../../src/vocabulary/contact.ts';
import { createLogger } from '../../src/log.ts';
import { buildApp, webApp, type WebDeps, type WebOptions } from '../../src/web/app.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

export const PASSWORD = 'correct horse battery staple';
export const API_TOKEN = 'api-token-for-web-tests-0123456789';
export const BASE_TIME = Date.UTC(2024, 4, 1, 9, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

export interface WebTest {
  redis: Redis;
  config: Readonly<Config>;
  store: ContactStore;
  queues: Queues;
  /**
   * Builds an app on this Redis; the test closes it (or stop() does). `onRoute` hears of every
   * route as it is registered (the app is then built as buildApp does, with the hook added first).
   */
  app(overrides?: { env?: Record<string, string>; deps?: Partial<WebDeps>; options?: WebOptions; onRoute?: (route: RouteOptions) => void }): Promise<FastifyInstance>;
  stop(): Promise<void>;
}

export function configFor(redisUrl: string, prefix: string, env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    IMAP_HOST: '127.0.0.1',
    IMAP_USER: 'me@example.test',
    IMAP_PASS: 'unused',
    SMTP_HOST: '127.0.0.1',
    MAIL_FROM: 'Morgan Example <me@example.test>',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DASHBOARD_PASSWORD: PASSWORD,
    API_TOKEN,
    LOG_LEVEL: process.env.WINNOW_TEST_LOG ?? 'silent',
    ...env,
  });
}

export async function startWebTest(): Promise<WebTest> {
  const sandbox: Sandbox = await startSandbox({ imap: false, smtp: false });
  const prefix = `t-web-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: 2 });
  const config = configFor(sandbox.redisUrl, prefix);
  const store = createContactStore(redis, prefix, 'primary');
  // The dashboard's actions add jobs here; no worker takes them, so tests can look at them.
  const queues = createQueues(redis, prefix);
  const apps: FastifyInstance[] = [];
  return {
    redis,
    config,
    store,
    queues,
    async app(overrides = {}) {
      const appConfig = overrides.env ? configFor(sandbox.redisUrl, prefix, overrides.env) : config;
      const deps: WebDeps = { config: appConfig, store, settings: createSettingsStore(redis, store.keys.settings, appConfig), templates: createTemplateStore(redis, store.keys.templates, await loadDefaultTemplates()), queues, redis, logger: createLogger(appConfig.logLevel), ...overrides.deps };
      let app: FastifyInstance;
      if (overrides.onRoute) {
        app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger });
        app.addHook('onRoute', overrides.onRoute);
        await app.register(webApp, { deps, options: overrides.options });
        await app.ready();
      } else {
        app = await buildApp(deps, overrides.options);
      }
      apps.push(app);
      return app;
    },
    async stop() {
      await Promise.all(apps.map((app) => app.close()));
      await closeQueues(queues);
      // With an external REDIS_URL the keys of this test are removed; a private Redis just goes away.
      if (process.env.REDIS_URL) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      }
      await redis.quit();
      await sandbox.stop();
    },
  };
}

let counter = 0;

/** A person as the classifier would record them, with fields that tests can override. */
export function requester(overrides: Partial<NewContact> = {}): NewContact {
  counter += 1;
  return {
    status: 'detected',
    platform: 'email',
    name: `Person ${counter}`,
    firstName: `Person`,
    email: `person${counter}@example.org`,
    profileUrl: null,
    headline: null,
    invitationId: null,
    subject: "I'd like to connect",
    requestMessageId: `<request-${counter}@example.org>`,
    scriptMessageId: null,
    answerText: null,
    reason: null,
    requestedAt: BASE_TIME,
    askedAt: null,
    deadlineAt: null,
    answeredAt: null,
    ...NO_DETAILS,
    ...overrides,
  };
}

/** Records a request with the real store; returns the person's id. */
export async function addPerson(store: ContactStore, overrides: Partial<NewContact> = {}, at = BASE_TIME): Promise<string> {
  const fields = requester({ requestedAt: at, ...overrides });
  const event: ContactEvent = { at, type: 'requested', detail: `connection request: ${fields.subject}`, messageId: fields.requestMessageId ?? undefined };
  const { created, id } = await store.create(fields, [`address:${fields.email ?? fields.name}:${counter}`], 90 * DAY, event);
  if (!created) throw new Error(`test person ${fields.name} was not created`);
  return id;
}

/** Walks a person through queued and asked, and optionally to answered, as the workers would. */
export async function askAndAnswer(store: ContactStore, id: string, at: number, answer?: string): Promise<void> {
  const moves: Array<[Parameters<ContactStore['transition']>[1], Parameters<ContactStore['transition']>[2], ContactEvent]> = [
    ['queued', {}, { at: at + 1000, type: 'queued', detail: 'script queued' }],
    ['asked', { askedAt: at + 2000, deadlineAt: at + 2000 + 7 * DAY, scriptMessageId: `<script-${id}@winnow.test>` }, { at: at + 2000, type: 'asked', detail: 'script sent: 250 OK', messageId: `<script-${id}@winnow.test>` }],
  ];
  if (answer !== undefined) {
    moves.push(['answered', { answeredAt: at + 3000, answerText: answer }, { at: at + 3000, type: 'answered', detail: 'answered before the deadline' }]);
  }
  for (const [to, patch, event] of moves) {
    const result = await store.transition(id, to, patch, event);
    if (!result.moved) throw new Error(`could not move ${id} to ${to}: it is ${result.status}`);
  }
}

// ---- HTTP helpers -------------------------------------------------------------------------

export function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

export function hiddenCsrf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  if (!match) throw new Error(`no CSRF field in the page:\n${body.slice(0, 500)}`);
  return match[1]!;
}

export function cookie(response: LightMyRequestResponse, name: string) {
  return response.cookies.find((c) => c.name === name);
}

let visitor = 0;

/**
 * Logs in through the form, as a browser would; returns the session cookie value. Each call comes
 * from an address of its own (TEST-NET-2) so that the login rate limit does not count test logins.
 */
export async function login(app: FastifyInstance, remoteAddress = `198.51.100.${(visitor++ % 254) + 1}`): Promise<string> {
  const page = await app.inject({ method: 'GET', url: '/login', remoteAddress });
  const pending = cookie(page, 'winnow_login');
  if (!pending) throw new Error('GET /login set no winnow_login cookie');
  const { payload, headers } = form({ _csrf: hiddenCsrf(page.body), password: PASSWORD });
  const response = await app.inject({ method: 'POST', url: '/login', payload, headers, cookies: { winnow_login: pending.value }, remoteAddress });
  const session = cookie(response, 'winnow_session');
  if (response.statusCode !== 303 || !session) throw new Error(`login failed: ${response.statusCode} ${response.body.slice(0, 300)}`);
  return session.value;
}
