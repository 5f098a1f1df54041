import type { Redis } from 'ioredis';
import { type Channel, type Contact, type Flag, FLAGS, type Status, STATUSES } from '../vocabulary/contact.ts';
import { PLATFORMS, type Platform } from '../vocabulary/platforms.ts';
import { fold } from '../text/fold.ts';
import type { ContactStore } from './store.ts';

/**
 * The people list at 100,000 people: filter, search, sort and page in memory.
 *
 * Redis stays the system of record; each web process keeps a projection of what the list filters,
 * searches and sorts on (nothing more) and brings it up to date before every query. Every write
 * of a person (create, transition, update, erase) runs in one Lua script that also bumps the
 * mailbox's change sequence and records the person under it in the change index (see BUMP in
 * store.ts); an erasure instead takes them out of it, and is noticed by the count of people.
 * Bringing the projection up to date is one round trip when nothing changed, else one range read
 * of the change index and one MGET of the people who changed. So several web
 * processes each keep their own copy, and each sees every write that happened before its query
 * started, whichever process made it: a change a user just made is on the page they return to.
 *
 * Why not query Redis directly: a text search or a rare filter must look at every person, and
 * reading 100,000 records from Redis per query takes about a second; sorted sets could serve sort
 * orders and status filters but not their combinations with search, flags and dates.
 *
 * Layout: one slot per person, with columns in typed arrays (status, platform, flags, mailbox,
 * score, dates) and two strings (sort name, search text), so a filter reads a few bytes per person from
 * memory laid out in a row, not one object per person scattered over the heap (which measured
 * ten times slower at 100,000). Each sort order is an array of slots, built when first asked for
 * and patched in place as changes arrive. A query with search text first marks the matching slots
 * in slot order (memory order; the marks of recent searches are kept and only changed slots are
 * tested again), then walks the sort order once, counting every match and collecting the page;
 * then one MGET reads the page's people.
 *
 * The mailbox a request came to is one more column (a small number per mailbox id), not an index
 * set per mailbox in Redis: every write already reaches the projection through the change index,
 * so no write path has anything more to maintain, and the filter runs inside the one walk, so the
 * totals, the status counts and the cursors of a filtered list stay right from page to page.
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

/** What the overview counts of a person. */
export interface DirectoryRow {
  id: string;
  status: Status;
  requestedAt: number;
  askedAt: number | null;
  answeredAt: number | null;
  /** Where the person was asked: by mail, or on the platform by the user. */
  channel: Channel;
  /** The mailbox the request came to. */
  mailbox: string;
}

export interface DirectoryFilter {
  status?: Status;
  platform?: Platform;
  channel?: Channel;
  flag?: Flag;
  /** Only people whose request came to this mailbox (its id). */
  mailbox?: string;
  /** Words that must all occur in the name, address or headline, folded ("strauss" finds "Strauß"). */
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

/**
 * A fresh, flat copy of a string. Strings made by concatenation, or cut from the reply they were
 * parsed from, are kept by V8 as trees or slices; searching 100,000 of those took several times
 * as long as searching flat copies, and a slice keeps its whole parent alive.
 */
function flat(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

const STATUS_CODE: ReadonlyMap<string, number> = new Map(STATUSES.map((status, i) => [status, i]));
const PLATFORM_CODE: ReadonlyMap<string, number> = new Map(PLATFORMS.map((platform, i) => [platform, i]));
/** A platform this version does not know (stored by a newer one) still has a slot. */
const UNKNOWN_PLATFORM = 255;
const FLAG_BIT: ReadonlyMap<string, number> = new Map(FLAGS.map((flag, i) => [flag, 1 << i]));

/** Where a person stands in a sort order; a cursor is one of these. */
interface Position {
  value: number | string | null;
  updatedAt: number;
  id: string;
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
  return { value: value as Position['value'], updatedAt, id };
}

/**
 * Sort order: the key in the chosen direction with people who have no value (never answered, not
 * scored) last either way, then the most recently changed first, then the id, so that every
 * person has one place and a cursor one meaning.
 */
function comparePositions(a: Position, b: Position, sign: number): number {
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    return (a.value < b.value ? -1 : 1) * sign;
  }
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The columns of everyone, one slot per person; slots of erased people are reused. */
function createTable(initialCapacity = 1024) {
  let capacity = initialCapacity;
  let status = new Uint8Array(capacity);
  let platform = new Uint8Array(capacity);
  /** 1 when asked on the platform, 0 by mail. */
  let channel = new Uint8Array(capacity);
  let flags = new Uint16Array(capacity);
  /** The mailbox the request came to, by its number in `mailboxCodes` (few mailboxes, many people). */
  let mailbox = new Uint16Array(capacity);
  /** 0–3, or -1 before an answer was scored. */
  let score = new Int8Array(capacity);
  /** Times in ms; NaN for "never". */
  let requestedAt = new Float64Array(capacity);
  let askedAt = new Float64Array(capacity);
  let answeredAt = new Float64Array(capacity);
  let updatedAt = new Float64Array(capacity);
  /** When each slot last changed, by `clock`: lets a search made earlier re-test only what changed. */
  let stamps = new Uint32Array(capacity);
  let clock = 0;
  const ids: Array<string | null> = [];
  /** What the overview counts, one object per slot, changed in place (no allocation per query). */
  const people: Array<DirectoryRow | null> = [];
  /** Goes up when someone arrives or leaves, so a list of everyone is rebuilt only then. */
  let membership = 0;
  const sortNames: string[] = [];
  const texts: string[] = [];
  const slotOf = new Map<string, number>();
  const free: number[] = [];
  /** A number per mailbox id met, in the order met; numbers are never reused, so a removed mailbox's people keep theirs. */
  const mailboxCodes = new Map<string, number>();
  const mailboxCode = (id: string): number => {
    let code = mailboxCodes.get(id);
    if (code === undefined) {
      code = mailboxCodes.size;
      mailboxCodes.set(id, code);
    }
    return code;
  };

  function grow(): void {
    capacity *= 2;
    const widen = <T extends Uint8Array | Uint16Array | Uint32Array | Int8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    status = widen(status, (n) => new Uint8Array(n));
    platform = widen(platform, (n) => new Uint8Array(n));
    channel = widen(channel, (n) => new Uint8Array(n));
    flags = widen(flags, (n) => new Uint16Array(n));
    mailbox = widen(mailbox, (n) => new Uint16Array(n));
    score = widen(score, (n) => new Int8Array(n));
    requestedAt = widen(requestedAt, (n) => new Float64Array(n));
    askedAt = widen(askedAt, (n) => new Float64Array(n));
    answeredAt = widen(answeredAt, (n) => new Float64Array(n));
    updatedAt = widen(updatedAt, (n) => new Float64Array(n));
    stamps = widen(stamps, (n) => new Uint32Array(n));
  }

  const time = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? Number.NaN : ms);

  return {
    slotOf,
    get size() {
      return slotOf.size;
    },
    /** Slots in use so far (some may be free); columns are valid below this. */
    get end() {
      return ids.length;
    },
    ids,
    people,
    get membership() {
      return membership;
    },
    sortNames,
    texts,
    mailboxCodes,
    columns: () => ({ status, platform, channel, flags, mailbox, score, requestedAt, askedAt, answeredAt, updatedAt, stamps }),
    get clock() {
      return clock;
    },

    /** Writes a person into their slot (a new one for someone new); returns the slot. */
    put(contact: Contact): number {
      let slot = slotOf.get(contact.id);
      if (slot === undefined) {
        slot = free.pop() ?? ids.length;
        if (slot >= capacity) grow();
        slotOf.set(contact.id, slot);
        membership += 1;
      }
      let bits = 0;
      for (const flag of contact.flags) bits |= FLAG_BIT.get(flag) ?? 0;
      const name = fold(contact.name ?? '').trim();
      ids[slot] = contact.id;
      stamps[slot] = ++clock;
      status[slot] = STATUS_CODE.get(contact.status) ?? 0;
      platform[slot] = PLATFORM_CODE.get(contact.platform) ?? UNKNOWN_PLATFORM;
      channel[slot] = contact.channel === 'platform' ? 1 : 0;
      flags[slot] = bits;
      // Records from before mailboxes were records came to the main one.
      const mailboxId = contact.mailbox || 'primary';
      mailbox[slot] = mailboxCode(mailboxId);
      score[slot] = contact.score ? Number(contact.score.why) + Number(contact.score.business) + Number(contact.score.benefit) : -1;
      requestedAt[slot] = time(contact.requestedAt);
      askedAt[slot] = time(contact.askedAt);
      answeredAt[slot] = time(contact.answeredAt);
      updatedAt[slot] = time(contact.updatedAt);
      sortNames[slot] = flat(name);
      texts[slot] = flat(`${name}\n${fold(contact.email ?? '')}\n${fold(contact.headline ?? '')}`);
      const row = people[slot];
      if (row && row.id === contact.id) {
        row.status = contact.status;
        row.requestedAt = contact.requestedAt;
        row.askedAt = contact.askedAt;
        row.answeredAt = contact.answeredAt;
        row.channel = contact.channel;
        row.mailbox = mailboxId;
      } else {
        people[slot] = { id: contact.id, status: contact.status, requestedAt: contact.requestedAt, askedAt: contact.askedAt, answeredAt: contact.answeredAt, channel: contact.channel, mailbox: mailboxId };
      }
      return slot;
    },

    remove(id: string): void {
      const slot = slotOf.get(id);
      if (slot === undefined) return;
      slotOf.delete(id);
      ids[slot] = null;
      stamps[slot] = ++clock;
      people[slot] = null;
      membership += 1;
      sortNames[slot] = '';
      texts[slot] = '';
      free.push(slot);
    },

    clear(): void {
      slotOf.clear();
      ids.length = 0;
      people.length = 0;
      membership += 1;
      sortNames.length = 0;
      texts.length = 0;
      free.length = 0;
      // Searches made before know nothing of the new slots.
      clock += 1;
      stamps.fill(clock);
    },

    /** Where a slot stands in a sort order. */
    position(slot: number, sort: SortKey): Position {
      let value: Position['value'];
      switch (sort) {
        case 'updated':
          value = updatedAt[slot]!;
          break;
        case 'requested':
          value = requestedAt[slot]!;
          break;
        case 'answered':
          value = answeredAt[slot]!;
          break;
        case 'name':
          value = sortNames[slot]!;
          break;
        case 'score':
          value = score[slot]! < 0 ? null : score[slot]!;
          break;
      }
      if (typeof value === 'number' && Number.isNaN(value)) value = null;
      return { value, updatedAt: updatedAt[slot]!, id: ids[slot] ?? '' };
    },
  };
}

type Table = ReturnType<typeof createTable>;

/** A test of one slot, built once per query from the filter; null when nothing is filtered. */
function slotFilter(table: Table, filter: DirectoryFilter, search: (words: string[]) => Uint8Array): ((slot: number) => boolean) | null {
  const { status, platform, channel, flags, mailbox, requestedAt, answeredAt, updatedAt } = table.columns();
  const tests: Array<(slot: number) => boolean> = [];
  if (filter.status) {
    const code = STATUS_CODE.get(filter.status) ?? -1;
    tests.push((slot) => status[slot] === code);
  }
  if (filter.platform) {
    const code = PLATFORM_CODE.get(filter.platform) ?? -1;
    tests.push((slot) => platform[slot] === code);
  }
  if (filter.channel) {
    const code = filter.channel === 'platform' ? 1 : 0;
    tests.push((slot) => channel[slot] === code);
  }
  if (filter.flag) {
    const bit = FLAG_BIT.get(filter.flag) ?? 0;
    tests.push((slot) => (flags[slot]! & bit) !== 0);
  }
  if (filter.mailbox) {
    // A mailbox no request came to yet has no number: no one matches.
    const code = table.mailboxCodes.get(filter.mailbox) ?? -1;
    tests.push((slot) => mailbox[slot] === code);
  }
  if (filter.from !== undefined || filter.to !== undefined) {
    const from = filter.from ?? Number.NEGATIVE_INFINITY;
    const to = filter.to ?? Number.POSITIVE_INFINITY;
    const column = filter.dateField === 'answered' ? answeredAt : filter.dateField === 'updated' ? updatedAt : requestedAt;
    // NaN (never) fails both comparisons.
    tests.push((slot) => column[slot]! >= from && column[slot]! <= to);
  }
  const words = fold(filter.q ?? '')
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length > 0) {
    const marks = search(words);
    tests.push((slot) => marks[slot] === 1);
  }
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0]!;
  return (slot) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(slot)) return false;
    return true;
  };
}

export interface DirectoryOptions {
  /** People read per MGET while loading. */
  batch?: number;
  /** Above this many changes at once, sorted orders are rebuilt instead of patched. */
  patchLimit?: number;
}

/** Whether a person's search text holds every word. */
function textMatches(text: string, words: readonly string[]): boolean {
  if (text === '') return false;
  for (let w = 0; w < words.length; w++) if (!text.includes(words[w]!)) return false;
  return true;
}

/** Searches remembered, so paging through results (or a change elsewhere) re-tests only what changed. */
const SEARCHES_KEPT = 16;

interface View {
  sort: SortKey;
  sign: number;
  slots: number[];
}

export function createDirectory(redis: Redis, store: ContactStore, options: DirectoryOptions = {}) {
  const batch = options.batch ?? 1000;
  const patchLimit = options.patchLimit ?? 2000;
  const { keys } = store;

  const table = createTable();
  /** People per status, kept as people come and go. */
  const statusCounts = new Int32Array(STATUSES.length);
  /** Slots in sort order, per `${sort}:${order}`, built when first asked for. */
  const views = new Map<string, View>();
  /** Recent searches: which slots hold all the words, as of `clock`. Least recently used first. */
  const searches = new Map<string, { clock: number; marks: Uint8Array }>();

  /**
   * Marks the slots whose text holds every word. A search met before re-tests only the slots that
   * changed since; a new one reads every text once, in slot order (the order they lie in memory).
   */
  function search(words: string[]): Uint8Array {
    const key = words.join('\u0000');
    const texts = table.texts;
    const end = table.end;
    let entry = searches.get(key);
    if (entry) {
      searches.delete(key);
      if (entry.marks.length < end) {
        const grown = new Uint8Array(Math.max(end, entry.marks.length * 2));
        grown.set(entry.marks);
        entry.marks = grown;
      }
      if (entry.clock !== table.clock) {
        const { stamps } = table.columns();
        const since = entry.clock;
        for (let slot = 0; slot < end; slot++) if (stamps[slot]! > since) entry.marks[slot] = textMatches(texts[slot]!, words) ? 1 : 0;
        entry.clock = table.clock;
      }
    } else {
      const marks = new Uint8Array(end);
      for (let slot = 0; slot < end; slot++) if (textMatches(texts[slot]!, words)) marks[slot] = 1;
      entry = { clock: table.clock, marks };
    }
    searches.set(key, entry);
    if (searches.size > SEARCHES_KEPT) searches.delete(searches.keys().next().value!);
    return entry.marks;
  }
  /** The change sequence the projection has seen; -1 before the first load. */
  let seen = -1;
  let rowsCache: { membership: number; rows: DirectoryRow[] } | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  /** First index in a view whose slot is not before `target`. */
  function lowerBound(view: View, target: Position): number {
    let low = 0;
    let high = view.slots.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (comparePositions(table.position(view.slots[mid]!, view.sort), target, view.sign) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  function view(sort: SortKey, order: SortOrder): View {
    const name = `${sort}:${order}`;
    let built = views.get(name);
    if (!built) {
      const sign = order === 'asc' ? 1 : -1;
      // Positions computed once per person, not once per comparison.
      const keyed: Array<{ slot: number; at: Position }> = [];
      for (const slot of table.slotOf.values()) keyed.push({ slot, at: table.position(slot, sort) });
      keyed.sort((a, b) => comparePositions(a.at, b.at, sign));
      built = { sort, sign, slots: keyed.map((entry) => entry.slot) };
      views.set(name, built);
    }
    return built;
  }

  /** Takes a slot out of every built order; its columns must still hold what the orders were sorted by. */
  function unlist(slot: number): void {
    for (const built of views.values()) {
      let at = lowerBound(built, table.position(slot, built.sort));
      if (built.slots[at] !== slot) at = built.slots.indexOf(slot); // never expected; stay right anyway
      if (at >= 0) built.slots.splice(at, 1);
    }
  }

  function list(slot: number): void {
    for (const built of views.values()) built.slots.splice(lowerBound(built, table.position(slot, built.sort)), 0, slot);
  }

  /** Brings one person's slot up to date; with `patch`, moves them within the built sort orders too. */
  function apply(id: string, contact: Contact | null, patch: boolean): void {
    const status = table.columns().status;
    const slot = table.slotOf.get(id);
    if (slot !== undefined) {
      if (patch) unlist(slot);
      statusCounts[status[slot]!]! -= 1;
    }
    if (!contact) {
      table.remove(id);
      return;
    }
    const written = table.put(contact);
    statusCounts[table.columns().status[written]!]! += 1;
    if (patch) list(written);
  }

  async function readPeople(ids: string[], patch: boolean): Promise<void> {
    // The next batch is asked for before this one is applied, so Redis and parsing overlap.
    let next = ids.length > 0 ? store.getMany(ids.slice(0, batch)) : null;
    for (let i = 0; i < ids.length; i += batch) {
      const slice = ids.slice(i, i + batch);
      const contacts = await next!;
      next = i + batch < ids.length ? store.getMany(ids.slice(i + batch, i + 2 * batch)) : null;
      slice.forEach((id, j) => apply(id, contacts[j] ?? null, patch));
    }
  }

  async function loadAll(): Promise<void> {
    // The sequence first: a write during the load has a higher number and is read again next time.
    const version = Number((await redis.get(keys.version)) ?? 0);
    const ids = await redis.zrange(keys.byUpdate, 0, -1);
    table.clear();
    views.clear();
    searches.clear();
    statusCounts.fill(0);
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
    if (version === seen && count === table.size) return;
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
    // An erasure takes the person's id out of the change index (nothing may name them after it),
    // so the people who are gone show only in the count: drop those no longer in the update index.
    // (More here than counted can also be someone added after the count was read; then the read
    // finds no one to drop.)
    if (table.size > count) {
      const present = new Set(await redis.zrange(keys.byUpdate, 0, -1));
      for (const id of [...table.slotOf.keys()]) if (!present.has(id)) apply(id, null, patch);
    }
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

  /** Everyone matching the filter, in list order, from the cursor on; at most `limit`. */
  function walk(query: DirectoryQuery, limit: number): { page: number[]; more: boolean; total: number; sort: SortKey; order: SortOrder } {
    const sort = query.sort ?? 'updated';
    const order = query.order ?? DEFAULT_ORDER[sort];
    const built = view(sort, order);
    const slots = built.slots;
    let start = 0;
    if (query.cursor) {
      const after = decodeCursor(query.cursor, sort, order);
      start = lowerBound(built, after);
      if (start < slots.length && comparePositions(table.position(slots[start]!, sort), after, built.sign) === 0) start += 1;
    }
    const test = slotFilter(table, query, search);
    const page: number[] = [];
    let more = false;
    if (!test) {
      for (let i = start; i < slots.length; i++) {
        if (page.length === limit) {
          more = true;
          break;
        }
        page.push(slots[i]!);
      }
      return { page, more, total: slots.length, sort, order };
    }
    // One pass counts everyone who matches and collects the page on the way: a filter must look
    // at everyone for its total anyway.
    let total = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (!test(slot)) continue;
      total += 1;
      if (i < start) continue;
      if (page.length < limit) page.push(slot);
      else more = true;
    }
    return { page, more, total, sort, order };
  }

  return {
    sync,

    /** One page of the list. Throws CursorError for a cursor of another list or sort order. */
    async query(query: DirectoryQuery): Promise<DirectoryPage> {
      await sync();
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
      const { page, more, total, sort, order } = walk(query, limit);
      const last = page.at(-1);
      const nextCursor = more && last !== undefined ? encodeCursor(sort, order, table.position(last, sort)) : null;
      const found = await store.getMany(page.map((slot) => table.ids[slot]!));
      return { contacts: found.filter((contact): contact is Contact => contact !== null), nextCursor, total };
    },

    /** The ids of everyone matching, in list order (for exports and bulk work). */
    async matchingIds(query: Omit<DirectoryQuery, 'cursor' | 'limit'>): Promise<string[]> {
      await sync();
      return walk({ ...query, cursor: undefined }, Number.POSITIVE_INFINITY).page.map((slot) => table.ids[slot]!);
    },

    /**
     * How many people are in each status, up to date; with a filter, of those it matches (its
     * status is left out: the counts are what each status would find), so the list's status
     * links say what they lead to while a search or filter is in force.
     */
    async counts(filter: DirectoryFilter = {}): Promise<Record<Status, number>> {
      await sync();
      const test = slotFilter(table, { ...filter, status: undefined }, search);
      let tally: ArrayLike<number> = statusCounts;
      if (test) {
        const counted = new Int32Array(STATUSES.length);
        const status = table.columns().status;
        // By slot number, not over the id map: twenty times faster at 100,000 people. A freed slot has no id.
        for (let slot = 0; slot < table.end; slot++) if (table.ids[slot] !== null && test(slot)) counted[status[slot]!]! += 1;
        tally = counted;
      }
      return Object.fromEntries(STATUSES.map((status, i) => [status, tally[i]!])) as Record<Status, number>;
    },

    /**
     * What the overview counts of everyone, up to date. The rows are the directory's own, changed
     * in place as people change: read them now, do not keep or change them.
     */
    async rows(): Promise<readonly Readonly<DirectoryRow>[]> {
      await sync();
      if (rowsCache?.membership !== table.membership) {
        rowsCache = { membership: table.membership, rows: table.people.filter((row): row is DirectoryRow => row !== null) };
      }
      return rowsCache.rows;
    },

    /** How many people the projection holds and the change it has seen (for tests and benchmarks). */
    state(): { size: number; seen: number; views: number } {
      return { size: table.size, seen, views: views.size };
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
