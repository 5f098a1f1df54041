import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { statusesBefore } from './lifecycle.ts';
import { NO_DETAILS, STATUSES, type Contact, type ContactEvent, type Status } from './types.ts';

/**
 * People and their timelines in Redis, the system of record.
 * Keys of one mailbox share a hash tag, so a Redis Cluster keeps them on one shard
 * and the Lua scripts below may touch several of them at once.
 */
export function mailboxKeys(prefix: string, mailbox: string) {
  const base = `${prefix}:{${mailbox}}`;
  return {
    contact: (id: string) => `${base}:contact:${id}`,
    events: (id: string) => `${base}:events:${id}`,
    byUpdate: `${base}:contacts`,
    byStatus: (status: Status) => `${base}:status:${status}`,
    dedupe: (key: string) => `${base}:dedupe:${key}`,
    scriptMessage: (messageId: string) => `${base}:script-message:${messageId.toLowerCase()}`,
    address: (address: string) => `${base}:address:${address.toLowerCase()}`,
    ledger: (contactId: string) => `${base}:ledger:${contactId}`,
    cursor: `${base}:cursor`,
    lease: `${base}:lease`,
    health: `${base}:health`,
    skippedMail: `${base}:skipped-mail`,
    settings: `${base}:settings`,
  };
}

export type MailboxKeys = ReturnType<typeof mailboxKeys>;

export interface NewContact extends Omit<Contact, 'id' | 'mailbox' | 'updatedAt' | 'status'> {
  status: Status;
}

export interface ListQuery {
  status?: Status;
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface ContactPage {
  contacts: Contact[];
  nextCursor: string | null;
}

/** A mail that Winnow read and could not use, kept so nothing is dropped silently. */
export interface SkippedMail {
  at: number;
  uid: number;
  messageId: string | null;
  reason: string;
}

export interface SendLedger {
  /** sending: claimed by one run; waiting: an attempt failed and may be retried; sent; failed: for good. */
  state?: 'sending' | 'waiting' | 'sent' | 'failed';
  /** The run that claimed the send (its BullMQ lock token). */
  owner?: string;
  messageId?: string;
  startedAt?: string;
  sentAt?: string;
  response?: string;
  reason?: string;
}

// Claims one person's send for one run. KEYS: ledger. ARGV: owner, Message-ID to use when none is
// recorded yet, now, how long another run's claim stays valid. Returns {outcome, Message-ID}.
const CLAIM_SEND = `
local l = redis.call('HMGET', KEYS[1], 'state', 'owner', 'startedAt', 'messageId')
if l[1] == 'sent' then return {'sent', l[4]} end
if l[1] == 'sending' and l[2] ~= ARGV[1] and tonumber(l[3]) and tonumber(ARGV[3]) - tonumber(l[3]) < tonumber(ARGV[4]) then
  return {'busy', l[4] or ''}
end
local id = l[4] or ARGV[2]
redis.call('HSET', KEYS[1], 'state', 'sending', 'owner', ARGV[1], 'startedAt', ARGV[3], 'messageId', id)
return {'claimed', id}
`;

// Creates a contact unless one of its dedupe keys is taken; returns {created, id}.
// KEYS: contact, events, byUpdate, byStatus, address index, then the dedupe keys.
// ARGV: dedupe count, id, contact JSON, event JSON, time, dedupe window, whether to index the address.
const CREATE = `
local dedupeCount = tonumber(ARGV[1])
for i = 1, dedupeCount do
  local existing = redis.call('GET', KEYS[5 + i])
  if existing then return {0, existing} end
end
local id = ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, id} end
for i = 1, dedupeCount do
  redis.call('SET', KEYS[5 + i], id, 'PX', ARGV[6])
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[5], id)
redis.call('ZADD', KEYS[4], ARGV[5], id)
if ARGV[7] == '1' then redis.call('SET', KEYS[5], id) end
return {1, id}
`;

// Moves a contact to a new status if its current status allows it, merging a patch of fields.
// KEYS: contact, events, byUpdate, then one status index per status in ARGV[7]'s order (every key
// a script touches is declared, as Redis Cluster asks). Returns {1, from} or {0, current status}.
const TRANSITION = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {0, 'missing'} end
local contact = cjson.decode(raw)
local allowed = cjson.decode(ARGV[1])
local from = contact['status']
local ok = false
for _, status in ipairs(allowed) do
  if status == from then ok = true end
end
if not ok then return {0, from} end
local patch = cjson.decode(ARGV[2])
for field, value in pairs(patch) do contact[field] = value end
contact['status'] = ARGV[3]
contact['updatedAt'] = tonumber(ARGV[4])
local statuses = cjson.decode(ARGV[6])
local indexOf = {}
for i, status in ipairs(statuses) do indexOf[status] = KEYS[3 + i] end
redis.call('SET', KEYS[1], cjson.encode(contact))
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[4], contact['id'])
redis.call('ZREM', indexOf[from], contact['id'])
redis.call('ZADD', indexOf[ARGV[3]], ARGV[4], contact['id'])
return {1, from}
`;

// Merges a patch of fields into a contact without changing its status, and notes why.
// KEYS: contact, events, byUpdate. ARGV: patch JSON, now, event JSON. Returns 1, or 0 when missing.
const UPDATE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local contact = cjson.decode(raw)
local patch = cjson.decode(ARGV[1])
for field, value in pairs(patch) do contact[field] = value end
contact['updatedAt'] = tonumber(ARGV[2])
redis.call('SET', KEYS[1], cjson.encode(contact))
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], contact['id'])
return 1
`;

export type TransitionResult = { moved: true; from: Status } | { moved: false; status: Status | 'missing' };

export function createContactStore(redis: Redis, prefix: string, mailbox: string) {
  const keys = mailboxKeys(prefix, mailbox);

  async function get(id: string): Promise<Contact | null> {
    const raw = await redis.get(keys.contact(id));
    return raw ? parseContact(raw) : null;
  }

  return {
    keys,
    mailbox,

    /**
     * Records a new request. When a request with the same invitation id or address is already
     * known within the dedupe window, nothing is created and the existing person's id is returned.
     */
    async create(fields: NewContact, dedupeKeys: string[], dedupeWindowMs: number, event: ContactEvent): Promise<{ created: boolean; id: string }> {
      const id = contactId(dedupeKeys[0] ?? `${fields.requestMessageId ?? ''}:${fields.requestedAt}`);
      const now = event.at;
      const contact: Contact = { ...fields, id, mailbox, updatedAt: now };
      // Everything in one script: a crash cannot leave a person without their address index.
      const result = (await redis.eval(
        CREATE,
        5 + dedupeKeys.length,
        keys.contact(id),
        keys.events(id),
        keys.byUpdate,
        keys.byStatus(contact.status),
        keys.address(contact.email ?? ''),
        ...dedupeKeys.map(keys.dedupe),
        String(dedupeKeys.length),
        id,
        toJson(contact),
        toJson(event),
        String(now),
        String(dedupeWindowMs),
        contact.email ? '1' : '0',
      )) as [number, string];
      return { created: result[0] === 1, id: result[1] };
    },

    get,

    /** Moves a person to `to` when the lifecycle allows it from where they are now. */
    async transition(id: string, to: Status, patch: Partial<Contact>, event: Omit<ContactEvent, 'type'> & { type?: ContactEvent['type'] }): Promise<TransitionResult> {
      const entry: ContactEvent = { ...event, type: event.type ?? (to as ContactEvent['type']) };
      const result = (await redis.eval(
        TRANSITION,
        3 + STATUSES.length,
        keys.contact(id),
        keys.events(id),
        keys.byUpdate,
        ...STATUSES.map(keys.byStatus),
        JSON.stringify(statusesBefore(to)),
        toJson(patch),
        to,
        String(entry.at),
        toJson(entry),
        JSON.stringify(STATUSES),
      )) as [number, string];
      if (result[0] === 1) {
        if (patch.email) await redis.set(keys.address(patch.email), id);
        return { moved: true, from: result[1] as Status };
      }
      return { moved: false, status: result[1] as Status | 'missing' };
    },

    /**
     * Changes fields of a person without changing their status (a paused deadline, flags from
     * an answer), with the reason on the timeline. Status is never patched here: that is
     * `transition`'s job. Returns false when the person does not exist.
     */
    async update(id: string, patch: Partial<Omit<Contact, 'status' | 'id' | 'mailbox'>>, event: ContactEvent): Promise<boolean> {
      const result = await redis.eval(UPDATE, 3, keys.contact(id), keys.events(id), keys.byUpdate, toJson(patch), String(event.at), toJson(event));
      return result === 1;
    },

    /** Adds an event to a person's timeline without changing their status. */
    async note(id: string, event: ContactEvent): Promise<void> {
      await redis.rpush(keys.events(id), toJson(event));
    },

    async timeline(id: string): Promise<ContactEvent[]> {
      const raw = await redis.lrange(keys.events(id), 0, -1);
      return raw.map((line) => JSON.parse(line) as ContactEvent);
    },

    async findByScriptMessageId(messageId: string): Promise<Contact | null> {
      const id = await redis.get(keys.scriptMessage(messageId));
      return id ? get(id) : null;
    },

    async findByAddress(address: string): Promise<Contact | null> {
      const id = await redis.get(keys.address(address));
      return id ? get(id) : null;
    },

    async rememberScriptMessageId(id: string, messageId: string): Promise<void> {
      await redis.set(keys.scriptMessage(messageId), id);
    },

    /** The send ledger of one person's script: state (sending, sent, failed), Message-ID, times. */
    async readLedger(id: string): Promise<SendLedger> {
      return (await redis.hgetall(keys.ledger(id))) as SendLedger;
    },

    /**
     * Claims the send of one person's script for one run, atomically: `sent` when it went out
     * already, `busy` while another run's claim is younger than `claimMs`, else `claimed`. The
     * Message-ID of the first claim is kept for every later one.
     */
    async claimSend(id: string, owner: string, messageId: string, now: number, claimMs: number): Promise<{ outcome: 'sent' | 'busy' | 'claimed'; messageId: string }> {
      const [outcome, recorded] = (await redis.eval(CLAIM_SEND, 1, keys.ledger(id), owner, messageId, String(now), String(claimMs))) as [
        'sent' | 'busy' | 'claimed',
        string,
      ];
      return { outcome, messageId: recorded };
    },

    async writeLedger(id: string, entry: SendLedger): Promise<void> {
      await redis.hset(keys.ledger(id), entry as Record<string, string>);
    },

    /** Newest first, by last change; the cursor is opaque to callers. */
    async list(query: ListQuery = {}): Promise<ContactPage> {
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
      const index = query.status ? keys.byStatus(query.status) : keys.byUpdate;
      const needle = query.q?.trim().toLowerCase() ?? '';
      let max = '+inf';
      let skipThrough: string | null = null;
      if (query.cursor) {
        const [score, id] = decodeCursor(query.cursor);
        max = String(score);
        skipThrough = id;
      }
      const contacts: Contact[] = [];
      let last: [number, string] | null = null;
      let offset = 0;
      const batch = needle ? 500 : limit + 1;
      // Walk the index in batches; a text filter may need several to fill a page.
      for (;;) {
        const ids = await redis.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', offset, batch);
        if (ids.length === 0) break;
        offset += ids.length / 2;
        const pairs: Array<[string, number]> = [];
        for (let i = 0; i < ids.length; i += 2) pairs.push([ids[i]!, Number(ids[i + 1])]);
        const raws = await redis.mget(pairs.map(([id]) => keys.contact(id)));
        for (let i = 0; i < pairs.length; i++) {
          const [id, score] = pairs[i]!;
          if (skipThrough !== null) {
            // Same-score entries before the cursor were on the previous page.
            if (score === Number(max) && id !== skipThrough) continue;
            if (id === skipThrough) {
              skipThrough = null;
              continue;
            }
            skipThrough = null;
          }
          const raw = raws[i];
          if (!raw) continue;
          const contact = parseContact(raw);
          if (needle && !matches(contact, needle)) continue;
          // One more than a page tells whether a next page exists, so the last page has no cursor.
          if (contacts.length === limit) return { contacts, nextCursor: encodeCursor(last![0], last![1]) };
          contacts.push(contact);
          last = [score, id];
        }
        if (ids.length / 2 < batch) break;
      }
      return { contacts, nextCursor: null };
    },

    async counts(): Promise<Record<Status, number>> {
      const pipeline = redis.pipeline();
      for (const status of STATUSES) pipeline.zcard(keys.byStatus(status));
      const results = (await pipeline.exec()) ?? [];
      return Object.fromEntries(STATUSES.map((status, i) => [status, Number(results[i]?.[1] ?? 0)])) as Record<Status, number>;
    },

    /** Keeps the reason a mail could not be used; the newest thousand are kept. */
    async recordSkippedMail(entry: SkippedMail): Promise<void> {
      await redis.multi().lpush(keys.skippedMail, toJson(entry)).ltrim(keys.skippedMail, 0, 999).exec();
    },

    async skippedMail(limit = 100): Promise<SkippedMail[]> {
      const raw = await redis.lrange(keys.skippedMail, 0, limit - 1);
      return raw.map((line) => JSON.parse(line) as SkippedMail);
    },
  };
}

export type ContactStore = ReturnType<typeof createContactStore>;

/** Stable, short, URL-safe id from the request's identity, so a replayed job finds the same person. */
export function contactId(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 16);
}

/**
 * JSON for Redis. Text from mail may hold a lone UTF-16 surrogate (a cut emoji, or a hostile
 * encoded word); Redis's Lua cjson refuses to decode one, which would leave that person stuck.
 * Such halves become U+FFFD here, the one place where people's data is written.
 */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'string' ? field.toWellFormed() : field));
}

/**
 * Reads a stored person. Redis's Lua cjson writes an empty list back as `{}`, so lists are
 * mended here; people stored before a field existed get its empty value.
 */
function parseContact(raw: string): Contact {
  const stored = JSON.parse(raw) as Contact;
  const contact: Contact = { ...NO_DETAILS, ...stored };
  if (!Array.isArray(contact.flags)) contact.flags = [];
  return contact;
}

function matches(contact: Contact, needle: string): boolean {
  return [contact.name, contact.email, contact.headline, contact.subject].some((field) => field?.toLowerCase().includes(needle));
}

function encodeCursor(score: number, id: string): string {
  return Buffer.from(`${score}:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  const text = Buffer.from(cursor, 'base64url').toString();
  const colon = text.indexOf(':');
  const score = Number(text.slice(0, colon));
  if (colon < 0 || !Number.isFinite(score)) return [Number.POSITIVE_INFINITY, ''];
  return [score, text.slice(colon + 1)];
}
