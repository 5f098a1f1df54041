import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { createContactActions } from '../contacts/actions.ts';
import { createDirectory } from '../contacts/directory.ts';
import { bucketFor, funnel, needsYou, periodRange, timeSeries, type Bucket, type Funnel, type NeedsYou, type Period, type SeriesPoint } from '../contacts/stats.ts';
import type { Contact } from '../vocabulary/contact.ts';
import { messageIdDomain } from '../mail/message-id.ts';
import { QUEUE_NAMES } from '../queues/queues.ts';
import { redisMemory } from '../redis.ts';
import { personVariables } from '../script/render.ts';
import type { RenderedScript } from '../script/template.ts';
import type { WebDeps } from './deps.ts';
import { createFlash } from './flash.ts';
import { directoryQuery, type PeopleQuery } from './schemas/people.ts';
import { csvFileName, peopleCsv } from './views/people-csv.ts';
import type { HealthModel, MailboxHealth, QueueHealth } from './views/health.ts';
import { readBacklog } from '../mailbox/backlog.ts';

/**
 * What the people pages and their API share, made once per app: the in-memory directory (one per
 * web process; see directory.ts), the actions, and the one-time messages after a form.
 */
export function createPeopleServices(deps: WebDeps) {
  const now = deps.now ?? Date.now;
  return {
    directory: createDirectory(deps.redis, deps.store),
    actions: createContactActions({ store: deps.store, queues: deps.queues, redis: deps.redis, settings: deps.settings, now, messageIdDomain: scriptDomainOf(deps), messageIdSecret: deps.secret, webhookEvents: deps.webhooks?.endpoints }),
    flash: createFlash(deps.redis, deps.config.redis.prefix),
    now,
  };
}

export type PeopleServices = ReturnType<typeof createPeopleServices>;

// ---- Figures and lists shared by the pages and the API ------------------------------------------

/** Everyone a people query matches (every page of it) as a CSV download: the page's and the API's. */
export async function sendPeopleCsv(reply: FastifyReply, deps: WebDeps, people: PeopleServices, query: PeopleQuery) {
  const ids = await people.directory.matchingIds(directoryQuery(query));
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${csvFileName(people.now())}"`)
    .send(Readable.from(peopleCsv(ids, (batch) => deps.store.getMany(batch))));
}

/** The mailbox, the queues and the mail that could not be used: the health page, summed up on the overview. */
export type HealthData = HealthModel;

export interface OverviewData extends HealthData {
  /** What waits for the user, whatever the period. */
  needsYou: NeedsYou;
  period: Period;
  from: number;
  to: number;
  bucket: Bucket;
  funnel: Funnel;
  series: SeriesPoint[];
}

/** The watcher's health hash (src/mailbox/watcher.ts) and whether any process holds the mailbox now. */
async function mailboxHealth(deps: WebDeps): Promise<MailboxHealth> {
  const [fields, leaseTtl] = await Promise.all([deps.redis.hgetall(deps.store.keys.health), deps.redis.pttl(deps.store.keys.lease)]);
  const number = (value: string | undefined) => (value && Number.isFinite(Number(value)) && Number(value) > 0 ? Number(value) : null);
  const watched = leaseTtl > 0;
  return {
    known: Object.keys(fields).length > 0,
    // A process that died leaves "connected" behind; its lease expires, so both must hold.
    connected: fields.connected === '1' && watched,
    watched,
    connectedAt: number(fields.connectedAt),
    lastMailAt: number(fields.lastMailAt),
    lastError: fields.lastError ? fields.lastError : null,
    lastErrorAt: number(fields.lastErrorAt),
    backlog: readBacklog(fields),
  };
}

async function queueHealth(deps: WebDeps): Promise<QueueHealth[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const counts = await deps.queues[name].getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed');
      return {
        name,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
      };
    }),
  );
}

export async function healthData(deps: WebDeps): Promise<HealthData> {
  const [mailbox, queues, skippedMail, memory] = await Promise.all([
    mailboxHealth(deps),
    queueHealth(deps).then(
      (result) => ({ result, error: null }),
      (error: unknown) => ({ result: null, error: error instanceof Error ? error.message : String(error) }),
    ),
    deps.redis.llen(deps.store.keys.skippedMail),
    redisMemory(deps.redis).catch(() => null),
  ]);
  return { mailbox, queues: queues.result, queueError: queues.error, skippedMail, memory };
}

/** The overview's figures for a period; with a mailbox, of the requests that came to it only. */
export async function overviewData(deps: WebDeps, people: PeopleServices, period: Period, mailbox?: string): Promise<OverviewData> {
  const [everyone, counts, health] = await Promise.all([people.directory.rows(), people.directory.counts(mailbox ? { mailbox } : {}), healthData(deps)]);
  const rows = mailbox ? everyone.filter((row) => row.mailbox === mailbox) : everyone;
  const now = people.now();
  const { from, to } = periodRange(period, now, rows);
  const bucket = bucketFor(from, to);
  return { needsYou: needsYou(counts), period, from, to, bucket, funnel: funnel(rows, from, to), series: timeSeries(rows, from, to, bucket), ...health };
}

export interface AwaitingData {
  people: Array<{ contact: Contact; script: RenderedScript }>;
  total: number;
  nextCursor: string | null;
  templateVersion: number | null;
}

/** People waiting for an address, oldest request first, each with the script rendered for them. */
export async function awaitingData(deps: WebDeps, people: PeopleServices, cursor: string | undefined, limit = 20): Promise<AwaitingData> {
  const [page, template] = await Promise.all([
    people.directory.query({ status: 'awaiting_address', sort: 'requested', order: 'asc', cursor, limit }),
    deps.templates.current('script'),
  ]);
  const userName = deps.config.mailFrom.name;
  return {
    people: page.contacts.map((contact) => ({ contact, script: template.compiled.render(personVariables(contact, userName)) })),
    total: page.total,
    nextCursor: page.nextCursor,
    templateVersion: template.version,
  };
}

/** The domain of the scripts that went from a mailbox: its From's (the main one's when it is gone). */
function scriptDomainOf(deps: WebDeps): (mailbox: string) => Promise<string> {
  return async (mailbox) => messageIdDomain(((deps.mailboxes ? await deps.mailboxes.get(mailbox) : null)?.from ?? deps.config.mailFrom).address);
}
