import type { Redis } from 'ioredis';
import { FLAGS, type Flag, type Platform } from '../detect/types.ts';
import type { ContactStore } from './store.ts';
import type { Contact, Status } from './types.ts';

/**
 * The responders list at 100,000 people: filter, search, sort and page in memory.
 *
 * Redis stays the system of record; each web process keeps a projection of compact rows (what the
 * list filters, searches and sorts on, nothing more) and brings it up to date before every query.
 * Every write of a person (create, transition, update, erase) runs in one Lua script that also
 * bumps the mailbox's change sequence and records the person under it in the change index (see
 * BUMP in store.ts). Bringing the projection up to date is one GET of the sequence when nothing
 * changed, else one range read of the change index and one MGET of the people who changed. So
 * several web processes each keep their own copy and each sees every write that happened before
 * its query started, whichever process made it; a write a user just made is on the page they
 * are sent back to.
 *
 * Why not query Redis directly: a text search or a rare filter must look at every person, and
 * reading 100,000 records from Redis per query takes about a second; sorted sets could serve sort
 * orders and status filters but not their combinations with search, flags and dates. Here a query
 * is a walk over an array already in the right order (kept per sort order, built when first
 * used and patched in place as changes arrive), then one MGET of the page's people.
 *
 * Clocks play no part: the sequence is Redis's own counter, so processes with skewed clocks, or
 * times set by tests, cannot hide a change. Should the sequence go backwards, or the number of
 * people differ from the projection's while no change was recorded (Redis restored from an older
 * backup, or emptied), the projection is loaded afresh.
 */

export const SORTS = ['updated', 'requested', 'answered', 'name', 'score'] as const;
export type SortKey = (typeof SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** Newest or highest first, except names, which read A to Z. */
export const DEFAULT_ORDER: Readonly<Record<SortKey, SortOrder>> = { updated: 'desc', requested: 'desc', answered: 'desc', name: 'asc', score: 'desc' };

export const DATE_FIELDS = ['requested', 'answered', 'updated'] as const;
export type DateField = (typeof DATE_FIELDS)[number];

/** What the list filters, searches and sorts on: a few hundred bytes per person. */
export interface DirectoryRow {
  readonly id: string;
  readonly status: Status;
  readonly platform: Platform;
  /** Bit i set: the person has FLAGS[i]. */
  readonly flags: number;
  /** 0–3 (why, business, benefit), or null before an answer was scored. */
  readonly score: number | null;
  readonly requestedAt: number;
  readonly askedAt: number | null;
  readonly answeredAt: number | null;
  readonly decidedAt: number | null;
  readonly updatedAt: number;
  /** The name folded for sorting (lower case, accents removed). */
  readonly sortName: string;
  /** Name, address and headline, folded, one per line, for search. */
  readonly text: string;
}

export interface DirectoryFilter {
  status?: Status;
  platform?: Platform;
  flag?: Flag;
  /** Words that must all occur in the name, address or headline (case and accents ignored). */
  q?: string;
  /** Inclusive range, ms since epoch, over `dateField` (requested when not given). */
  from?: number;
  to?: number;
  dateField?: DateField;
}

export interface DirectoryQuery extends DirectoryFilter {
  sort?: SortKey;
  order?: SortOrder;
  /** From an earlier page of the same sort and order. */
  cursor?: string;
  limit?: number;
}

export interface DirectoryPage {
  /** The page's people in list order; a person erased between the walk and the read is left out. */
  contacts: Contact[];
  nextCursor: string | null;
  /** Everyone who matches the filter, on all pages. */
  total: number;
}

/** A cursor that does not come from a page of this list (or of this sort order). */
export class CursorError extends Error {
  readonly statusCode = 400;
  constructor() {
    super('cursor: is not a cursor from an earlier page of this list (with this sort order)');
    this.name = 'CursorError';
  }
}

/** Case- and accent-insensitive text: "Zoë Müller" and "zoe muller" fold alike. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

const FLAG_BIT: ReadonlyMap<string, number> = new Map(FLAGS.map((flag, i) => [flag, 1 << i]));

export function toRow(contact: Contact): DirectoryRow {
  let flags = 0;
  for (const flag of contact.flags) flags |= FLAG_BIT.get(flag) ?? 0;
  const score = contact.score ? Number(contact.score.why) + Number(contact.score.business) + Number(contact.score.benefit) : null;
  const name = fold(contact.name ?? '').trim();
  return {
    id: contact.id,
    status: contact.status,
    platform: contact.platform,
    flags,
    score,
    requestedAt: contact.requestedAt,
    askedAt: contact.askedAt,
    answeredAt: contact.answeredAt,
    decidedAt: contact.decidedAt,
    updatedAt: contact.updatedAt,
    sortName: name,
    text: `${name}\n${fold(contact.email ?? '')}\n${fold(contact.headline ?? '')}`,
  };
}

type SortValue = number | string | null;

function sortValue(row: DirectoryRow, sort: SortKey): SortValue {
  switch (sort) {
    case 'updated':
      return row.updatedAt;
    case 'requested':
      return row.requestedAt;
    case 'answered':
      return row.answeredAt;
    case 'name':
      return row.sortName;
    case 'score':
      return row.score;
  }
}

/** Where a row stands in a sort order; a cursor is one of these. */
interface Position {
  value: SortValue;
  updatedAt: number;
  id: string;
}

/**
 * Sort order: the key in the chosen direction with people who have no value (never answered, not
 * scored) last either way, then the most recently changed first, then the id, so that every row
 * has one place and a cursor one meaning.
 */
function comparator(sort: SortKey, order: SortOrder) {
  const sign = order === 'asc' ? 1 : -1;
  return (a: Position, b: Position): number => {
    if (a.value !== b.value) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      return (a.value < b.value ? -1 : 1) * sign;
    }
    if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/** First index whose element is not before `target`. */
function lowerBound<T>(items: readonly T[], target: Position, compare: (a: Position, b: Position) => number, position: (item: T) => Position): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(position(items[mid]!), target) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function encodeCursor(sort: SortKey, order: SortOrder, at: Position): string {
  return Buffer.from(JSON.stringify([sort, order, at.value, at.updatedAt, at.id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: SortKey, order: SortOrder): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw new CursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) throw new CursorError();
  const [cursorSort, cursorOrder, value, updatedAt, id] = parsed as unknown[];
  const valueOk = value === null || typeof value === (sort === 'name' ? 'string' : 'number');
  if (cursorSort !== sort || cursorOrder !== order || !valueOk || typeof updatedAt !== 'number' || typeof id !== 'string') throw new CursorError();
  return { value: value as SortValue, updatedAt, id };
}

const DAY = 86_400_000;

/** A test for one row, built once per query. */
export function rowFilter(filter: DirectoryFilter): ((row: DirectoryRow) => boolean) | null {
  const tests: Array<(row: DirectoryRow) => boolean> = [];
  if (filter.status) {
    const status = filter.status;
    tests.push((row) => row.status === status);
  }
  if (filter.platform) {
    const platform = filter.platform;
    tests.push((row) => row.platform === platform);
  }
  if (filter.flag) {
    const bit = FLAG_BIT.get(filter.flag) ?? 0;
    tests.push((row) => (row.flags & bit) !== 0);
  }
  if (filter.from !== undefined || filter.to !== undefined) {
    const from = filter.from ?? Number.NEGATIVE_INFINITY;
    const to = filter.to ?? Number.POSITIVE_INFINITY;
    const field = filter.dateField ?? 'requested';
    const at = field === 'answered' ? (row: DirectoryRow) => row.answeredAt : field === 'updated' ? (row: DirectoryRow) => row.updatedAt : (row: DirectoryRow) => row.requestedAt;
    tests.push((row) => {
      const value = at(row);
      return value !== null && value >= from && value <= to;
    });
  }
  const words = fold(filter.q ?? '')
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 1) {
    const word = words[0]!;
    tests.push((row) => row.text.includes(word));
  } else if (words.length > 1) {
    tests.push((row) => words.every((word) => row.text.includes(word)));
  }
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0]!;
  return (row) => tests.every((test) => test(row));
}

/** The end of a day given as YYYY-MM-DD (UTC), for inclusive "to" dates. */
export function endOfDay(startMs: number): number {
  return startMs + DAY - 1;
}

export interface DirectoryOptions {
  /** People read per MGET while loading. */
  batch?: number;
  /** Above this many changes at once, sorted orders are rebuilt instead of patched. */
  patchLimit?: number;
}

export function createDirectory(redis: Redis, store: ContactStore, options: DirectoryOptions = {}) {
  const batch = options.batch ?? 1000;
  const patchLimit = options.patchLimit ?? 2000;
  const { keys } = store;

  const rows = new Map<string, DirectoryRow>();
  /** Rows in sort order, per `${sort}:${order}`, built when first asked for. */
  const views = new Map<string, { sort: SortKey; order: SortOrder; rows: DirectoryRow[] }>();
  /** The change sequence the projection has seen; -1 before the first load. */
  let seen = -1;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  const positionOf = (sort: SortKey) => (row: DirectoryRow): Position => ({ value: sortValue(row, sort), updatedAt: row.updatedAt, id: row.id });

  function view(sort: SortKey, order: SortOrder): DirectoryRow[] {
    const name = `${sort}:${order}`;
    let built = views.get(name);
    if (!built) {
      const compare = comparator(sort, order);
      const position = positionOf(sort);
      const sorted = [...rows.values()];
      // Positions computed once per row, not once per comparison.
      const keyed = sorted.map((row) => ({ row, at: position(row) }));
      keyed.sort((a, b) => compare(a.at, b.at));
      built = { sort, order, rows: keyed.map((entry) => entry.row) };
      views.set(name, built);
    }
    return built.rows;
  }

  /** Moves one person within every built sort order: out from where they were, in where they now belong. */
  function patchViews(before: DirectoryRow | undefined, after: DirectoryRow | undefined): void {
    for (const built of views.values()) {
      const compare = comparator(built.sort, built.order);
      const position = positionOf(built.sort);
      if (before) {
        const at = lowerBound(built.rows, position(before), compare, position);
        if (built.rows[at]?.id === before.id) built.rows.splice(at, 1);
        else views.clear(); // never expected; a rebuild is always right
      }
      if (after && views.size > 0) built.rows.splice(lowerBound(built.rows, position(after), compare, position), 0, after);
    }
  }

  function apply(id: string, contact: Contact | null, patch: boolean): void {
    const before = rows.get(id);
    const after = contact ? toRow(contact) : undefined;
    if (after) rows.set(id, after);
    else rows.delete(id);
    if (patch && (before || after)) patchViews(before, after);
  }

  async function readPeople(ids: string[], patch: boolean): Promise<void> {
    for (let i = 0; i < ids.length; i += batch) {
      const slice = ids.slice(i, i + batch);
      const contacts = await store.getMany(slice);
      slice.forEach((id, j) => apply(id, contacts[j] ?? null, patch));
    }
  }

  async function loadAll(): Promise<void> {
    // The sequence first: a write during the load has a higher number and is read again next time.
    const version = Number((await redis.get(keys.version)) ?? 0);
    const ids = await redis.zrange(keys.byUpdate, 0, -1);
    rows.clear();
    views.clear();
    await readPeople(ids, false);
    seen = version;
  }

  async function catchUp(): Promise<void> {
    if (seen < 0) return loadAll();
    // One transaction, so the count belongs to the sequence read with it.
    const results = await redis.multi().get(keys.version).zcard(keys.byUpdate).exec();
    if (!results) throw new Error('the directory transaction was aborted');
    for (const [error] of results) if (error) throw error;
    const version = Number(results[0]![1] ?? 0);
    const count = Number(results[1]![1]);
    // Nothing changed, and as many people as we hold: the usual case, one round trip.
    if (version === seen && count === rows.size) return;
    // The sequence went back, or the count drifted with no change recorded: Redis was restored
    // or emptied under us. Start over rather than guess.
    if (version <= seen) return loadAll();
    const changed = await redis.zrangebyscore(keys.changes, `(${seen}`, '+inf', 'WITHSCORES');
    const ids: string[] = [];
    let newest = seen;
    for (let i = 0; i < changed.length; i += 2) {
      ids.push(changed[i]!);
      newest = Math.max(newest, Number(changed[i + 1]));
    }
    // Many changes at once (a first run after a long pause): re-sorting beats patching one by one.
    const patch = ids.length <= patchLimit;
    if (!patch) views.clear();
    await readPeople(ids, patch);
    seen = Math.max(newest, version);
  }

  /**
   * Brings the projection up to date. Calls that arrive while one runs share the next run (not the
   * running one, which may have read the sequence before their caller's write).
   */
  function sync(): Promise<void> {
    if (queued) return queued;
    if (!running) {
      running = catchUp().finally(() => {
        running = null;
      });
      return running;
    }
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return sync();
      });
    return queued;
  }

  /** Everyone matching the filter, in list order, from the cursor on; at most `limit` (all when absent). */
  function walk(query: DirectoryQuery, limit: number): { matched: DirectoryRow[]; more: boolean; total: number } {
    const sort = query.sort ?? 'updated';
    const order = query.order ?? DEFAULT_ORDER[sort];
    const sorted = view(sort, order);
    const compare = comparator(sort, order);
    const position = positionOf(sort);
    let start = 0;
    if (query.cursor) {
      const after = decodeCursor(query.cursor, sort, order);
      start = lowerBound(sorted, after, compare, position);
      if (sorted[start]?.id === after.id && compare(position(sorted[start]!), after) === 0) start += 1;
    }
    const test = rowFilter(query);
    const matched: DirectoryRow[] = [];
    let more = false;
    for (let i = start; i < sorted.length; i++) {
      const row = sorted[i]!;
      if (test && !test(row)) continue;
      if (matched.length === limit) {
        more = true;
        break;
      }
      matched.push(row);
    }
    let total = sorted.length;
    if (test) {
      total = 0;
      for (const row of sorted) if (test(row)) total += 1;
    }
    return { matched, more, total };
  }

  return {
    sync,

    /** One page of the list. Throws CursorError for a cursor of another list or sort order. */
    async query(query: DirectoryQuery): Promise<DirectoryPage> {
      await sync();
      const sort = query.sort ?? 'updated';
      const order = query.order ?? DEFAULT_ORDER[sort];
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
      const { matched, more, total } = walk({ ...query, sort, order }, limit);
      const found = await store.getMany(matched.map((row) => row.id));
      const contacts = found.filter((contact): contact is Contact => contact !== null);
      const last = matched.at(-1);
      return { contacts, nextCursor: more && last ? encodeCursor(sort, order, positionOf(sort)(last)) : null, total };
    },

    /** The ids of everyone matching, in list order (for exports and bulk work). */
    async matchingIds(query: Omit<DirectoryQuery, 'cursor' | 'limit'>): Promise<string[]> {
      await sync();
      return walk({ ...query, cursor: undefined }, Number.POSITIVE_INFINITY).matched.map((row) => row.id);
    },

    /** Every person's row, up to date, for figures such as the funnel. Do not keep the array. */
    async rows(): Promise<DirectoryRow[]> {
      await sync();
      return [...rows.values()];
    },

    /** How many people the projection holds and the change it has seen (for tests and benchmarks). */
    state(): { size: number; seen: number; views: number } {
      return { size: rows.size, seen, views: views.size };
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
