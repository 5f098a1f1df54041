import { z } from 'zod';
import { DATE_FIELDS, DEFAULT_ORDER, SORTS, type DirectoryQuery } from '../../contacts/directory.ts';
import { PERIODS } from '../../contacts/stats.ts';
import { CHANNELS, contactEventSchema, contactSchema, FLAGS, STATUSES } from '../../vocabulary/contact.ts';
import { PLATFORMS } from '../../vocabulary/platforms.ts';
import { MAILBOX_ID } from '../../mailboxes/records.ts';
import { contactId, DEFAULT_PAGE, emptyAsAbsent, errorAnswer, formBody, formField, localPathField, MAX_PAGE, oneOf, optional, statusSchema, text, time, timeOrNull } from './common.ts';

// ---- Queries --------------------------------------------------------------------------------

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A calendar day as a date field sends it (YYYY-MM-DD); read as UTC, like every time shown. */
const day = text(10, 'must be a date such as 2024-05-31').refine((value) => dayStart(value) !== null, 'must be a date such as 2024-05-31');

export function dayStart(value: string): number | null {
  const match = DAY_PATTERN.exec(value);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, date);
  const check = new Date(ms);
  return check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === date ? ms : null;
}

/** The mailbox filter of the people list and the overview: a mailbox's id, as GET /api/mailboxes gives it. */
const mailboxFilter = optional(text(100).regex(MAILBOX_ID, 'is not a mailbox id')).describe('Only people whose request came to this mailbox (its id, as GET /api/mailboxes gives it); any mailbox when not given.');

const cursor = (what: string) => text(400, 'is not a cursor from an earlier page').describe(`The nextCursor of the page before, for the next page of ${what}.`);

/** The people list, its CSV export and `GET /api/contacts` take the same query. */
export const peopleQuery = z.object({
  status: optional(statusSchema).describe('Only people in this status; empty for any.'),
  platform: optional(oneOf(PLATFORMS)).describe('Only requests from this platform.'),
  channel: optional(oneOf(CHANNELS)).describe('Only people asked this way: by mail, or on the platform by the user.'),
  flag: optional(oneOf(FLAGS)).describe('Only people with this flag.'),
  mailbox: mailboxFilter,
  q: optional(text(200)).describe('Words that must all occur in the name, address or headline (case and accents ignored).'),
  from: optional(day).describe('First day of the range (YYYY-MM-DD, UTC), over `date`.'),
  to: optional(day).describe('Last day of the range (YYYY-MM-DD, UTC, inclusive), over `date`; a range given backwards is read the right way round.'),
  date: optional(oneOf(DATE_FIELDS)).describe('Which date the range is over; requested when not given.'),
  sort: optional(oneOf(SORTS)).describe('The order of the list; updated when not given.'),
  order: optional(oneOf(['asc', 'desc'] as const)).describe('Ascending or descending; names read A to Z and the rest newest or highest first when not given.'),
  cursor: optional(cursor('the same query')),
  limit: z
    .preprocess(
      emptyAsAbsent,
      z.coerce
        .number({ error: `must be a whole number from 1 to ${MAX_PAGE}` })
        .int(`must be a whole number from 1 to ${MAX_PAGE}`)
        .min(1, `must be a whole number from 1 to ${MAX_PAGE}`)
        .max(MAX_PAGE, `must be a whole number from 1 to ${MAX_PAGE}`)
        .default(DEFAULT_PAGE),
    )
    .describe(`People per page, 1 to ${MAX_PAGE}; ${DEFAULT_PAGE} when not given.`),
});

export type PeopleQuery = z.output<typeof peopleQuery>;

/**
 * A range given backwards (from after to) is read the right way round, on the page and in the API,
 * instead of finding no one; `swapped` says it was, so the page can say so beside the fields.
 */
export function withDatesInOrder(query: PeopleQuery): { query: PeopleQuery; swapped: boolean } {
  if (query.from && query.to && query.from > query.to) return { query: { ...query, from: query.to, to: query.from }, swapped: true };
  return { query, swapped: false };
}

/** The directory's query for a list query: days become the first and last millisecond of the range. */
export function directoryQuery(given: PeopleQuery): DirectoryQuery {
  const { query } = withDatesInOrder(given);
  const from = query.from ? dayStart(query.from) : null;
  const to = query.to ? dayStart(query.to) : null;
  const sort = query.sort ?? 'updated';
  return {
    status: query.status,
    platform: query.platform,
    channel: query.channel,
    flag: query.flag,
    mailbox: query.mailbox,
    q: query.q,
    from: from ?? undefined,
    to: to === null ? undefined : to + 86_400_000 - 1,
    dateField: query.date,
    sort,
    order: query.order ?? DEFAULT_ORDER[sort],
    cursor: query.cursor,
    limit: query.limit,
  };
}

export const periodQuery = z.object({
  period: z.preprocess(emptyAsAbsent, oneOf(PERIODS).default('30d')).describe('The period the funnel and the series count: the last 7, 30 or 90 days, or all; 30d when not given.'),
  mailbox: mailboxFilter,
});

/** The awaiting page pages with a cursor; the API also takes a page size. */
export const awaitingPageQuery = z.object({ cursor: optional(cursor('people waiting')) });
export const awaitingQuery = z.object({
  cursor: cursor('people waiting').optional(),
  limit: z.coerce.number().int().min(1, 'must be from 1 to 100').max(100, 'must be from 1 to 100').default(20).describe('People per page, 1 to 100; 20 when not given.'),
});

export const skippedMailQuery = z.object({
  limit: z.coerce.number().int('must be from 1 to 1000').min(1, 'must be from 1 to 1000').max(1000, 'must be from 1 to 1000').default(100).describe('How many, newest first, 1 to 1000; 100 when not given.'),
});

// ---- Dashboard forms ------------------------------------------------------------------------

/** A person's forms return to the page they were sent from (`back`), when it is one of ours. */
const personForm = <T extends z.ZodRawShape>(shape: T) => formBody({ back: localPathField, ...shape });

export const actionForm = personForm({});
export const addressForm = personForm({ email: formField(300) });
export const confirmForm = personForm({ confirm: formField(10) });
export const eraseForm = personForm({ confirm: formField(10), forget: formField(10) });

/** The ids of a bulk form arrive once (one box ticked) or as a list. */
const idList = z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(contactId).max(500, 'at most 500 people at once'));

export const bulkForm = personForm({
  ids: idList,
  decision: z.preprocess(emptyAsAbsent, oneOf(['accepted', 'rejected'] as const).optional()),
});

// ---- API bodies -----------------------------------------------------------------------------

export const apiAddressBody = z.object({ email: text(300).describe('The person\'s address; the script is sent to it.') }, { error: 'must be a JSON object with "email"' });
export const apiDecideBody = z.object(
  {
    ids: z.array(contactId, { error: 'must be a list of contact ids' }).min(1, 'name at least one person').max(500, 'at most 500 people at once').describe('The people to decide on, 1 to 500.'),
    decision: oneOf(['accepted', 'rejected'] as const).describe('Accept or reject them all.'),
  },
  { error: 'must be a JSON object with "ids" and "decision"' },
);
export const apiEraseQuery = z.object({
  forget: z.preprocess(emptyAsAbsent, oneOf(['true', 'false'] as const).default('true')).describe('true (the default) keeps a marker so that the same request is not answered again; false keeps nothing.'),
});

// ---- API answers ----------------------------------------------------------------------------

/** A person as the API gives them: the shared vocabulary's Contact (src/vocabulary/contact.ts). */
export const contactAnswer = contactSchema.describe('A person who asked to connect, and where their screening stands.');
export const timelineEntry = contactEventSchema.describe("One entry on a person's timeline.");

export const contactsPage = z.object({
  contacts: z.array(contactAnswer).describe('This page\'s people, in list order.'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last.'),
  total: z.number().int().describe('Everyone who matches, on all pages.'),
});

export const personAnswer = z.object({ contact: contactAnswer, timeline: z.array(timelineEntry).describe('Oldest first.') });

const changed = z.boolean().describe('Accept and reject only: whether the person moved now (false: they were so already).');

export const actionOutcome = z
  .discriminatedUnion('ok', [
    z.object({
      ok: z.literal(true),
      id: contactId,
      name: z.string(),
      status: statusSchema.describe('The status after the action.'),
      message: z.string().describe('What was done, in words.'),
      changed: changed.optional(),
      jobsLeft: z.number().int().optional().describe('Erase only: jobs running at that moment that could not be removed; they find no one and end.'),
    }),
    z.object({
      ok: z.literal(false),
      id: z.string(),
      name: z.string().nullable().describe('Null when there is no such person.'),
      status: z.enum([...STATUSES, 'missing']).describe('The status the person is in, or missing.'),
      problem: z.enum(['missing', 'not_allowed', 'invalid']).describe('missing: no such person (404); invalid: wrong input (400); not_allowed: not in this status (409).'),
      message: z.string().describe('Why not, in words.'),
      changed: changed.optional(),
    }),
  ])
  .describe('What became of an action: done, or why not, as the dashboard says it.');

/** The answers of an action on one person: done 200, wrong input 400, unknown person 404, not now 409. */
export const actionAnswers = {
  200: actionOutcome.describe('Done.'),
  400: z.union([actionOutcome, errorAnswer]).describe('The input is wrong (an outcome), or the request does not match its schema.'),
  404: actionOutcome.describe('There is no such person.'),
  409: actionOutcome.describe('The person is not in a status that allows this.'),
};

export const bulkOutcome = z.object({
  decision: z.enum(['accepted', 'rejected']),
  moved: z.number().int().describe('Moved to the decision now.'),
  unchanged: z.number().int().describe('Already there.'),
  refused: z.number().int().describe('Could not be moved (missing, or not decidable yet).'),
  results: z.array(actionOutcome).describe('One outcome per id, in order.'),
});

const ledger = z
  .object({
    state: z.enum(['sending', 'waiting', 'sent', 'failed']).optional(),
    owner: z.string().optional(),
    messageId: z.string().optional(),
    startedAt: z.string().optional(),
    sentAt: z.string().optional(),
    response: z.string().optional(),
    reason: z.string().optional(),
    template: z.string().optional().describe('The template version the mail was rendered from.'),
  })
  .nullable()
  .describe('The send ledger of one mail, as recorded; null when it was never to be sent.');

export const personExport = z
  .object({
    format: z.literal('winnow-person-export'),
    version: z.literal(1),
    exportedAt: z.string().describe('ISO 8601.'),
    contact: contactAnswer,
    timeline: z.array(timelineEntry),
    scripts: z.array(z.object({ attempt: z.number().int(), script: ledger, reminder: ledger })).describe('Each script (and its reminder) this person was sent or was to be sent.'),
  })
  .describe('Everything Winnow holds about the person.');

const isoTime = z.string().describe('ISO 8601, UTC.');
const count = z.number().int();

export const overviewAnswer = z.object({
  needsYou: z
    .object({ answers: count, awaitingAddress: count, awaitingApproval: count, failed: count, bounced: count })
    .describe('What waits for the user, whatever the period.'),
  period: z.enum(PERIODS),
  from: isoTime,
  to: isoTime,
  bucket: z.enum(['day', 'week', 'month']).describe('The width of each point of the series.'),
  funnel: z
    .object({
      requests: count,
      asked: count,
      askedOnPlatform: count,
      answered: count,
      answeredUndecided: count,
      declined: count,
      noResponse: count,
      noResponseUndecided: count,
      waiting: count,
      queued: count,
      awaitingAddress: count,
      awaitingApproval: count,
      skipped: count,
      undeliverable: count,
      accepted: count,
      rejected: count,
      handled: count,
      answerRate: z.number().nullable().describe('Answered of those whose outcome is known; null while none is.'),
    })
    .describe('The people whose request came in the period, by what became of them.'),
  series: z.array(z.object({ start: isoTime.describe('Start of the bucket.'), requests: count, answers: count })).describe('Requests and answers per bucket, empty buckets too.'),
  mailbox: z
    .object({
      known: z.boolean().describe('Whether a watcher ever reported.'),
      connected: z.boolean(),
      watched: z.boolean().describe('Whether a process holds the mailbox now.'),
      connectedAt: timeOrNull,
      lastMailAt: timeOrNull,
      lastError: z.string().nullable(),
      lastErrorAt: timeOrNull,
      backlog: z
        .object({
          total: count.describe('Messages found waiting when the backlog began.'),
          done: count.describe('Messages read so far.'),
          bodies: count.describe('Of those, how many were read in full (the ones that may matter).'),
          startedAt: z.number().describe('When the backlog began, in ms since 1970.'),
          at: z.number().describe('When `done` was last counted, in ms since 1970.'),
        })
        .nullish()
        .describe('The last backlog the watcher read (a first start, winnow backfill), or null.'),
    })
    .describe('The mailbox watcher\'s health.'),
  queues: z
    .array(z.object({ name: z.string(), waiting: count, active: count, delayed: count, failed: count }))
    .nullable()
    .describe('The job queues; null when they could not be read (queueError says why).'),
  queueError: z.string().nullable(),
  skippedMail: count.describe('Mail read but not used, kept with the reason.'),
  memory: z.object({ used: count, max: count.nullable() }).nullable().optional().describe('Redis memory in bytes; null when it could not be read.'),
});

export const skippedMailAnswer = z.object({
  mails: z
    .array(z.object({ at: time, uid: z.number().int().describe('The IMAP UID.'), messageId: z.string().nullable(), reason: z.string() }))
    .describe('Mail that was read but could not be used, newest first.'),
});

export const awaitingAnswer = z.object({
  people: z.array(z.object({ contact: contactAnswer, script: z.object({ subject: z.string(), text: z.string(), html: z.string() }).describe('The script rendered for them.') })),
  total: count.describe('Everyone waiting.'),
  nextCursor: z.string().nullable(),
  templateVersion: z.number().int().nullable().describe('The script version used; null for the default.'),
});
