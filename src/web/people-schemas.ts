import { z } from 'zod';
import { DATE_FIELDS, DEFAULT_ORDER, SORTS, type DirectoryQuery } from '../contacts/directory.ts';
import { PERIODS } from '../contacts/stats.ts';
import { CHANNELS, FLAGS } from '../vocabulary/contact.ts';
import { PLATFORMS } from '../vocabulary/platforms.ts';
import { DEFAULT_PAGE, MAX_PAGE, statusSchema } from './schemas.ts';
import { localPath } from './security.ts';

/** Forms and links send `status=` for "any"; an empty value means the parameter is absent. */
const emptyAsAbsent = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsAbsent, schema.optional());
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const text = (max: number, error = `must be at most ${max} characters`) => z.string({ error: 'must be given once, as text' }).max(max, error);

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

/** The people list, its CSV export and `GET /api/contacts` take the same query. */
export const peopleQuery = z.object({
  status: optional(statusSchema),
  platform: optional(oneOf(PLATFORMS)),
  channel: optional(oneOf(CHANNELS)),
  flag: optional(oneOf(FLAGS)),
  q: optional(text(200)),
  /** First and last day (inclusive) of the range, over `date`. */
  from: optional(day),
  to: optional(day),
  date: optional(oneOf(DATE_FIELDS)),
  sort: optional(oneOf(SORTS)),
  order: optional(oneOf(['asc', 'desc'] as const)),
  cursor: optional(text(400, 'is not a cursor from an earlier page')),
  limit: z.preprocess(
    emptyAsAbsent,
    z.coerce
      .number({ error: `must be a whole number from 1 to ${MAX_PAGE}` })
      .int(`must be a whole number from 1 to ${MAX_PAGE}`)
      .min(1, `must be a whole number from 1 to ${MAX_PAGE}`)
      .max(MAX_PAGE, `must be a whole number from 1 to ${MAX_PAGE}`)
      .default(DEFAULT_PAGE),
  ),
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

export const periodQuery = z.object({ period: z.preprocess(emptyAsAbsent, oneOf(PERIODS).default('30d')) });

/** A path of this dashboard to return to after a form; anything else (another site, a scheme) is dropped. */
const back = z.preprocess((value) => localPath(value) ?? undefined, z.string().optional());

/** Forms posted without a field must still reach the CSRF check (403), not fail validation (400). */
const formField = (max: number) => text(max).default('');
const formBody = <T extends z.ZodRawShape>(shape: T) => z.preprocess((body) => body ?? {}, z.object({ _csrf: formField(256), back, ...shape }));

export const actionForm = formBody({});
export const addressForm = formBody({ email: formField(300) });
export const confirmForm = formBody({ confirm: formField(10) });
export const eraseForm = formBody({ confirm: formField(10), forget: formField(10) });

/** The ids of a bulk form arrive once (one box ticked) or as a list. */
const idList = z.preprocess(
  (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
  z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a contact id')).max(500, 'at most 500 people at once'),
);

export const bulkForm = formBody({
  ids: idList,
  decision: z.preprocess(emptyAsAbsent, oneOf(['accepted', 'rejected'] as const).optional()),
});

export const apiAddressBody = z.object({ email: text(300) }, { error: 'must be a JSON object with "email"' });
export const apiDecideBody = z.object(
  {
    ids: z
      .array(z.string({ error: 'is not a contact id' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a contact id'), { error: 'must be a list of contact ids' })
      .min(1, 'name at least one person')
      .max(500, 'at most 500 people at once'),
    decision: oneOf(['accepted', 'rejected'] as const),
  },
  { error: 'must be a JSON object with "ids" and "decision"' },
);
export const apiEraseQuery = z.object({ forget: z.preprocess(emptyAsAbsent, oneOf(['true', 'false'] as const).default('true')) });
