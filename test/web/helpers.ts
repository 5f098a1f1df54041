// Shared setup for the web tests: a real Redis from the sandbox (or REDIS_URL), a key prefix of
// each test's own, the real contact store to fill it, and the app built as the process builds it.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifySerializerCompiler, type LightMyRequestResponse, type RouteOptions } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { createContactStore, type ContactStore, type NewContact } from '../../src/contacts/store.ts';
import { createSettingsStore } from '../../src/settings/settings.ts';
import { closeQueues, createQueues, type Queues } from '../../src/queues/queues.ts';
import { createTemplateStore } from '../../src/script/store.ts';
import { loadDefaultTemplates } from '../../src/script/template.ts';
import { NO_DETAILS, type ContactEvent } from '../../src/vocabulary/contact.ts';
import { createLogger } from '../../src/log.ts';
import { fastifyOptions, webApp, type WebDeps, type WebOptions } from '../../src/web/app.ts';
import { serializerCompiler } from '../../src/web/schemas/provider.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { parseHtml, one, attribute } from '../support/dom.ts';

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
   * Builds an app on this Redis as buildApp does; the test's end closes it. `onRoute` hears of
   * every route as it is registered.
   */
  app(overrides?: { env?: Record<string, string>; deps?: Partial<WebDeps>; options?: WebOptions; onRoute?: (route: RouteOptions) => void }): Promise<FastifyInstance>;
  /** Fields an answer held that its response schema left out (see keepsEveryField); a test ends with none. */
  dropped: string[];
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

/** Paths of `before` (a JSON value) that `after` lacks: what a serialiser left out. */
function lostFields(before: unknown, after: unknown, path: string): string[] {
  if (Array.isArray(before)) return Array.isArray(after) ? before.flatMap((item, i) => lostFields(item, after[i], `${path}[${i}]`)) : [path];
  if (before === null || typeof before !== 'object') return [];
  if (after === null || typeof after !== 'object') return [path];
  return Object.entries(before).flatMap(([key, value]) => (key in after ? lostFields(value, (after as Record<string, unknown>)[key], `${path}.${key}`) : [`${path}.${key}`]));
}

/**
 * The app's serialiser, which leaves out what a response schema does not name, with a check that
 * it left out nothing: a field a route returns and its schema forgot would vanish from the API.
 */
function keepsEveryField(dropped: string[]): FastifySerializerCompiler<unknown> {
  const compile = serializerCompiler as FastifySerializerCompiler<unknown>;
  return (route) => {
    const serialize = compile(route);
    return (data) => {
      const json = serialize(data);
      for (const field of lostFields(JSON.parse(JSON.stringify(data)) as unknown, JSON.parse(json) as unknown, '')) dropped.push(`${route.method} ${route.url} ${route.httpStatus}: ${field}`);
      return json;
    };
  };
}

/** The web test of one test: its own key prefix on the file's Redis, so nothing carries over from another test. */
async function startWebTest(sandbox: Sandbox): Promise<WebTest> {
  const prefix = `t-web-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: 2 });
  const config = configFor(sandbox.redisUrl, prefix);
  const store = createContactStore(redis, prefix, 'primary');
  // The dashboard's actions add jobs here; no worker takes them, so tests can look at them.
  const queues = createQueues(redis, prefix);
  const apps: FastifyInstance[] = [];
  const dropped: string[] = [];
  return {
    redis,
    config,
    store,
    queues,
    dropped,
    async app(overrides = {}) {
      const appConfig = overrides.env ? configFor(sandbox.redisUrl, prefix, overrides.env) : config;
      const deps: WebDeps = { config: appConfig, store, settings: createSettingsStore(redis, store.keys.settings, appConfig), templates: createTemplateStore(redis, store.keys.templates, await loadDefaultTemplates()), queues, redis, logger: createLogger(appConfig.logLevel), ...overrides.deps };
      const app = Fastify(fastifyOptions(deps));
      apps.push(app);
      app.addHook('onRoute', (route) => {
        if (route.schema?.response) route.serializerCompiler = keepsEveryField(dropped);
        overrides.onRoute?.(route);
      });
      await app.register(webApp, { deps, options: overrides.options });
      await app.ready();
      return app;
    },
    async stop() {
      await Promise.all(apps.map((app) => app.close()));
      await closeQueues(queues);
      // The keys of this test are removed, so that a shared Redis does not fill up test by test.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

/**
 * The web tests' setup, for a test file or a describe block: one Redis for the file, and for each
 * test a fresh key prefix with its own store, queues and apps (the returned object always holds
 * the current test's). Every test thus starts from nothing and can run alone.
 */
export function useWebTest(): WebTest {
  let sandbox: Sandbox | null = null;
  let current: WebTest | null = null;
  beforeAll(async () => {
    sandbox = await startSandbox({ imap: false, smtp: false });
  });
  beforeEach(async () => {
    counter = 0;
    visitor = 0;
    current = await startWebTest(sandbox!);
  });
  afterEach(async () => {
    const test = current;
    current = null;
    await test?.stop();
    expect(test?.dropped ?? [], 'fields the API returned that its response schemas leave out').toEqual([]);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  return new Proxy({} as WebTest, {
    get(_target, key) {
      if (!current) throw new Error('the web test is set up for each test: use it inside a test or a beforeEach');
      return current[key as keyof WebTest];
    },
  });
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

/** The value of the page's hidden CSRF field. */
export function hiddenCsrf(body: string): string {
  const value = attribute(one(parseHtml(body), 'input[name="_csrf"]'), 'value');
  if (!value) throw new Error(`the CSRF field of the page is empty:\n${body.slice(0, 500)}`);
  return value;
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
