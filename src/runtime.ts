import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createMailboxWatcher, type MailboxWatcher } from './mailbox/watcher.ts';
import { createContactStore } from './contacts/store.ts';
import { createAddressBook } from './contacts/address-book.ts';
import { createMailboxHistory, historyKeys, readWrittenTo, type MailboxHistory } from './mailbox/history.ts';
import { resolveAwaiting, type AwaitingSummary } from './contacts/awaiting.ts';
import { readingConfigOf, type Config } from './config/env.ts';
import { classifyContextOf } from './detect/classify.ts';
import { createProblemLog, type Logger } from './log.ts';
import { messageIdDomain } from './mail/message-id.ts';
import { createSender } from './mail/sender.ts';
import { createMailboxConnections, imapAccountOf, type MailboxConnections } from './mailboxes/connections.ts';
import { createProviderClients } from './mailboxes/oauth-client.ts';
import { oauthProviders } from './mailboxes/oauth-providers.ts';
import { createMailboxTokens } from './mailboxes/oauth-tokens.ts';
import { createSignInFlow } from './mailboxes/oauth.ts';
import { createMailboxStore, PRIMARY_MAILBOX, type Mailbox, type MailboxStore } from './mailboxes/records.ts';
import { mailboxKeys } from './store/keys.ts';
import { superviseMailboxes, type MailboxSupervisor } from './runtime/mailboxes.ts';
import { closeQueues, createQueues, QUEUE_NAMES, type QueueName, type Queues } from './queues/queues.ts';
import { connectRedis, lastRedisError, redisProblems, waitForRedis } from './redis.ts';
import { adviceText, redisAdvice } from './config/advice.ts';
import { loadDefaultTemplates, type CompiledScript } from './script/template.ts';
import { createTemplateStore } from './script/store.ts';
import type { ScriptPerson } from './script/render.ts';
import { sendTestScript } from './script/test-send.ts';
import { createSettingsStore } from './settings/settings.ts';
import { cachedResolver, createMailVerifier, systemResolver, type DnsResolver } from './mail/verify.ts';
import { serverSecret } from './config/secret.ts';
import { sealerOf, type Sealer } from './config/sealed.ts';
import type { WorkerContext } from './workers/context.ts';
import { startWorkers, type Workers } from './workers/index.ts';
import { createWebhooks, type Webhooks } from './webhooks/webhooks.ts';
import { createIntake } from './workers/intake.ts';

export { PRIMARY_MAILBOX };

export interface Roles {
  /** Mailbox watcher and queue processors. */
  worker: boolean;
  /** Dashboard and JSON API. */
  web: boolean;
}

export interface Runtime {
  app: FastifyInstance | null;
  /** The main mailbox's watcher in this process (null in a web process, or while it is paused). */
  readonly watcher: MailboxWatcher | null;
  /** The user's mailboxes (src/mailboxes/records.ts). */
  mailboxes: MailboxStore;
  /** Every mailbox's watcher in this process, started and stopped as mailboxes come and go; null in a web process. */
  supervisor: MailboxSupervisor | null;
  workers: Workers | null;
  redis: Redis;
  /** Webhook endpoints, their logs and replay (src/webhooks). */
  webhooks: Webhooks;
  /** The producers' queues (`winnow backfill` waits on them). */
  queues: Queues;
  /** The server secret that seals script Message-IDs (WINNOW_SECRET or the one kept in Redis). */
  secret: string;
  /** Seals the secrets kept in Redis (src/config/sealed.ts): from WINNOW_SECRET, null without it. */
  sealer: Sealer | null;
  /** Jobs not yet done per queue (waiting, active, delayed), for readiness and tests. */
  queueCounts(): Promise<Record<QueueName, number>>;
  /** Closes everything this runtime opened, in order: workers, web, queues, Redis. */
  close(): Promise<void>;
}

/**
 * The composition root: the one place that wires Redis, queues, IMAP, SMTP and the web app.
 * The caller owns `listen` and signals; tests call this with their sandbox's settings.
 */
/** Outside services a test or benchmark may replace: DNS, for Winnow's own DKIM/SPF/DMARC check. */
export interface RuntimeServices {
  /** Answers DNS questions (`dns.promises.resolve` signature); default the system's resolvers. */
  resolver?: DnsResolver;
}

export async function startRuntime(config: Readonly<Config>, roles: Roles, logger: Logger, now: () => number = Date.now, services: RuntimeServices = {}): Promise<Runtime> {
  // The defaults are compiled before anything connects: a broken one stops the start, not a send.
  const defaultTemplates = await loadDefaultTemplates();

  // Every connection reports each failed reconnection; the log says it once per change of state.
  const redisLog = createProblemLog(logger, 'Redis');
  const redisTrouble = (error: Error) => {
    const advice = redisAdvice(error, config.redis.url);
    redisLog.failed(advice.kind === 'other' ? advice.problem : advice.kind, `${adviceText(advice)} Winnow keeps trying.`, error);
  };
  const redis = connectRedis(config.redis.url, 'producer', 'main', redisTrouble);
  redis.on('ready', () => redisLog.recovered('reachable again'));
  await waitForRedis(redis, (error) => redisTrouble(lastRedisError(redis) ?? error));
  const problems = await redisProblems(redis, config.redis.url);
  for (const warning of problems.warnings) logger.warn(warning);
  if (problems.fatal.length > 0) {
    redis.disconnect();
    throw new Error(problems.fatal.map(adviceText).join('\n'));
  }

  const queues = createQueues(redis, config.redis.prefix);
  // Every change of a person's status, from the web or the workers, is told to the webhooks.
  const sealer = sealerOf(config.secret);
  const webhooks = createWebhooks({ redis, prefix: config.redis.prefix, mailbox: PRIMARY_MAILBOX, logger, allowPrivate: config.webhook.allowPrivate, sealer, readPerson: (id) => store.get(id) });
  const configured = await webhooks.endpoints.configure(config.webhook.url && config.webhook.secret ? { url: config.webhook.url, secret: config.webhook.secret } : null).catch(async (error: unknown) => {
    await webhooks.close();
    redis.disconnect();
    throw error;
  });
  for (const warning of configured.warnings) logger.warn(warning);
  const store = createContactStore(redis, config.redis.prefix, PRIMARY_MAILBOX, { secret: config.secret, onStatusChange: webhooks.statusChanged });
  const settings = createSettingsStore(redis, store.keys.settings, config);
  const templates = createTemplateStore(redis, store.keys.templates, defaultTemplates);
  // Seals script Message-IDs; web (erase) and workers (send, answers, bounces) need the same one.
  const secret = await serverSecret(redis, store.keys, config.secret);
  // Said at every start: .env files written by earlier versions set this, and it now covers all mail.
  if ((await settings.get()).unverifiedMail === 'accept') {
    logger.warn('unverified senders are answered hands-off (UNVERIFIED_MAIL=accept or the settings page): anyone can make Winnow write to any address in your name; "approve" holds them for you');
  }
  // Mailbox passwords and sign-in tokens are kept sealed under WINNOW_SECRET (the sealer above); without it none can be stored.
  const mailboxes = createMailboxStore(redis, config.redis.prefix, { secrets: sealer, config, now });
  const oauthClients = createProviderClients(oauthProviders(config.oauth));
  // Access tokens of the mailboxes that sign in with Google or Microsoft, one refresh at a time across
  // processes: for the workers' connections and the dashboard's Test button alike.
  const signIn = sealer ? createMailboxTokens({ redis, prefix: config.redis.prefix, clients: oauthClients, secrets: sealer, logger, now }) : undefined;
  let supervisor: MailboxSupervisor | null = null;
  let workers: Workers | null = null;
  let workerRedis: Redis | null = null;
  let closeSender: (() => void) | null = null;
  let connections: MailboxConnections | null = null;
  let history: MailboxHistory | null = null;
  let processorQueues: Queues | null = null;
  let webhookDelivery: { close(): Promise<void> } | null = null;

  if (roles.worker) {
    // Processors get connections that wait out a Redis outage: a write that follows an SMTP
    // acceptance (the send ledger) must not give up, or the retry would send the script again.
    workerRedis = connectRedis(config.redis.url, 'worker', 'worker', redisTrouble);
    processorQueues = createQueues(workerRedis, config.redis.prefix);
    connections = createMailboxConnections({ store: mailboxes, config, ...(signIn ? { signIn } : {}) });
    // Its own IMAP connection; the first reading of the mailbox starts now, in the background.
    const workerStore = createContactStore(workerRedis, config.redis.prefix, PRIMARY_MAILBOX, { secret: config.secret, onStatusChange: webhooks.statusChanged });
    history = createMailboxHistory({
      imap: config.imap,
      inbox: config.imap.mailbox,
      redis: workerRedis,
      prefix: config.redis.prefix,
      mailbox: PRIMARY_MAILBOX,
      context: classifyContextOf(readingConfigOf(config)),
      logger,
      forgotten: (addresses) => workerStore.forgottenAddresses(addresses),
    });
    void history.refresh();
    // One reading context for the workers and the watchers' intake; the supervisor keeps its own
    // addresses in step with the mailboxes, so mail from any of them is the user's own.
    const classifyContext = classifyContextOf(readingConfigOf(config));
    const configuredOwn = [...classifyContext.ownAddresses];
    const context: WorkerContext = {
      config,
      store: workerStore,
      queues: processorQueues,
      mailboxes: connections,
      templates: createTemplateStore(workerRedis, store.keys.templates, defaultTemplates),
      classifyContext,
      settings: createSettingsStore(workerRedis, store.keys.settings, config),
      addressBook: createAddressBook(workerRedis, config.redis.prefix, PRIMARY_MAILBOX),
      history,
      verifier: createMailVerifier(cachedResolver(services.resolver ?? systemResolver())),
      secret,
      redis: workerRedis,
      logger,
      now,
    };
    workers = startWorkers(context, workerRedis);
    webhookDelivery = webhooks.startDelivery(workerRedis);
    const intake = createIntake({ redis, keys: store.keys, classifyContext, logger });
    const mailboxConnections = connections;
    supervisor = superviseMailboxes({
      store: mailboxes,
      logger,
      // Well within the lease, so a removed mailbox is let go before another process could take it.
      pollMs: Math.min(2000, Math.max(250, Math.floor(config.mailboxLeaseMs / 3))),
      async forget(id: string) {
        const own = mailboxKeys(config.redis.prefix, id);
        await redis.del(own.cursor, own.health, own.lease);
      },
      onChange(all: Mailbox[]) {
        const own = new Set([...configuredOwn, ...all.flatMap((mailbox) => [mailbox.from.address, mailbox.imap.user.toLowerCase()])]);
        classifyContext.ownAddresses.splice(0, Infinity, ...[...own].filter((address) => address.includes('@')));
        classifyContext.otherMessageIdDomains = [...new Set(all.map((mailbox) => messageIdDomain(mailbox.from.address)))];
      },
      watcherFor: (mailbox) =>
        createMailboxWatcher({
          mailbox: mailbox.id,
          // The main mailbox as the environment gives it; the others as their records do, each connection afresh.
          imap: imapAccountOf(mailbox, config),
          account: mailbox.id === PRIMARY_MAILBOX ? undefined : (refused) => mailboxConnections.imapAccount(mailbox.id, { renew: refused }),
          settings: mailbox.source === 'env' ? 'environment' : 'record',
          redis,
          keys: mailboxKeys(config.redis.prefix, mailbox.id),
          queues,
          logger,
          backfillDays: config.backfillDays,
          needsBody: intake.needsBody,
          screen: intake.screen,
          leaseMs: config.mailboxLeaseMs,
        }),
    });
    await supervisor.start();
  }

  let app: FastifyInstance | null = null;
  if (roles.web) {
    // Every mailbox watched here is listed; readiness follows the main one, so that one added
    // mailbox with a wrong password does not take the whole service out of rotation.
    const readiness = async () => {
      const checks: Record<string, string> = {};
      for (const [id, watcher] of supervisor?.watchers() ?? []) {
        const status = watcher.status();
        checks[id === PRIMARY_MAILBOX ? 'mailbox' : `mailbox ${id}`] = status.connected ? 'connected' : `not connected${status.lastError ? `: ${status.lastError}` : ''}`;
      }
      const main = supervisor?.watchers().get(PRIMARY_MAILBOX);
      return { ok: !main || main.status().connected, checks };
    };
    // "Send a test to myself" on the templates page: a pool of its own, which connects on first use.
    const testSender = createSender(config.smtp);
    closeSender = () => testSender.close();
    const sendTest = (compiled: CompiledScript, person: ScriptPerson) => sendTestScript({ sender: testSender, config, compiled, person });
    const resolveAwaitingAddresses = () => resolveAwaitingFor(redis, config, queues, now);
    const signInFlow = sealer ? createSignInFlow({ redis, prefix: config.redis.prefix, store: mailboxes, clients: oauthClients, config, logger, now }) : undefined;
    // Loaded only for the web role: a worker process does without Fastify, the dashboard's views
    // and the queue board (about 14 MB of its resident memory).
    const { buildApp } = await import('./web/app.ts');
    app = await buildApp({ config, store, settings, templates, sendTest, queues, redis, logger, readiness, now, resolveAwaiting: resolveAwaitingAddresses, secret, webhooks, mailboxes, ...(signInFlow ? { signInFlow } : {}), ...(signIn ? { signIn } : {}) });
  }

  return {
    app,
    get watcher() {
      return supervisor?.watchers().get(PRIMARY_MAILBOX) ?? null;
    },
    mailboxes,
    supervisor,
    workers,
    redis,
    webhooks,
    queues,
    secret,
    sealer,
    async queueCounts() {
      const entries = await Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const counts = await queues[name].getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
          return [name, Object.values(counts).reduce((sum, n) => sum + n, 0)] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<QueueName, number>;
    },
    async close() {
      await supervisor?.stop();
      await workers?.close();
      await webhookDelivery?.close();
      await app?.close();
      await webhooks.close();
      await closeQueues(queues);
      if (processorQueues) await closeQueues(processorQueues);
      closeSender?.();
      await connections?.close();
      await history?.close();
      await workerRedis?.quit().catch(() => workerRedis?.disconnect());
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * After an address-book import: everyone waiting for an address whose name the book now gives
 * one address for gets it, and their script is queued (or waits for approval). For the web role
 * and for `winnow import-contacts`; the latter passes no queues and gets its own for the call.
 */
export async function resolveAwaitingFor(redis: Redis, config: Readonly<Config>, queues?: Queues, now: () => number = Date.now): Promise<AwaitingSummary> {
  const own = queues ?? createQueues(redis, config.redis.prefix);
  try {
    const store = createContactStore(redis, config.redis.prefix, PRIMARY_MAILBOX, { secret: config.secret });
    const written = historyKeys(config.redis.prefix, PRIMARY_MAILBOX);
    return await resolveAwaiting({
      store,
      queues: own,
      settings: createSettingsStore(redis, store.keys.settings, config),
      addressBook: createAddressBook(redis, config.redis.prefix, PRIMARY_MAILBOX),
      context: classifyContextOf(readingConfigOf(config)),
      wroteTo: (address) => readWrittenTo(redis, written, address),
      now,
    });
  } finally {
    if (!queues) await closeQueues(own);
  }
}

