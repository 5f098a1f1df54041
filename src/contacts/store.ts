import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { domainOf, mailboxIdentity } from '../detect/address.ts';
import { keyedHash, serverSecret } from '../config/secret.ts';
import { statusesBefore } from './lifecycle.ts';
import { NO_DETAILS, STATUSES, type Contact, type ContactEvent, type Status } from '../vocabulary/contact.ts';

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
    /** The send ledger of one script; the first keeps the key it had before "send again" existed. */
    ledger: (contactId: string, attempt: number) => (attempt === 1 ? `${base}:ledger:${contactId}` : `${base}:ledger:${contactId}:${attempt}`),
    /** The reminder's ledger for script number `attempt`. */
    reminderLedger: (contactId: string, attempt: number) => `${base}:reminder-ledger:${contactId}:${attempt}`,
    /** Scripts sent on one local day (YYYY-MM-DD in the user's time zone), for the daily cap. */
    sentOn: (day: string) => `${base}:sent-on:${day}`,
    /** Scripts sent to one recipient domain in the last hour (script → time), for the per-domain cap. */
    sentToDomain: (domain: string) => `${base}:sent-to:${domain}`,
    /** Scripts sent in the last hour (script → time), for the circuit breaker; emptied on resume. */
    sentLastHour: `${base}:sent-last-hour`,
    /** Present while the circuit breaker holds sending: when it tripped, at what limit, whether the user was told. */
    sendingPaused: `${base}:sending-paused`,
    templates: `${base}:templates`,
    cursor: `${base}:cursor`,
    lease: `${base}:lease`,
    health: `${base}:health`,
    skippedMail: `${base}:skipped-mail`,
    settings: `${base}:settings`,
    /** The digest's state (last slot handled, last sent, the day's thread) and its per-slot claims. */
    digest: `${base}:digest`,
    digestSlot: (slot: number) => `${base}:digest-slot:${slot}`,
    /** The generated server secret that seals script Message-IDs, when WINNOW_SECRET is not set. */
    secret: `${base}:secret`,
    /** The authserv-id on top of each recent mail (or "-" for none), newest first, for AUTHSERV_ID discovery. */
    authservSeen: `${base}:authserv-seen`,
    /** Change sequence: every write of a person bumps it (see BUMP and src/contacts/directory.ts). */
    version: `${base}:version`,
    /** Person id → the change sequence of their last write (erasures too). */
    changes: `${base}:changes`,
    /** The dedupe keys a person was created with, so erasing them finds every one. */
    dedupeOf: (id: string) => `${base}:dedupe-of:${id}`,
    /**
     * An erased person's dedupe key, hashed with the server secret: a request with it is not
     * recorded again, and no one without the secret can test an address against the marker.
     */
    forgotten: (dedupeKey: string, secret: string) => `${base}:forgotten:${keyedHash(secret, 'winnow-forgotten', dedupeKey)}`,
    /**
     * The marker as versions before the server secret wrote it (a plain SHA-256, which anyone can
     * compute): still honoured, and replaced by the keyed one when a request meets it.
     */
    legacyForgotten: (dedupeKey: string) => `${base}:forgotten:${createHash('sha256').update(`winnow-forgotten:${dedupeKey}`).digest('base64url')}`,
    /** The mailbox history (src/mail/history.ts): who the user wrote to, and names seen with addresses. */
    history: {
      /** hash: address → date of the latest mail the user sent to it ('' unknown) */
      written: `${base}:history:written`,
      /** set: addresses seen with a name (see nameKeys) */
      name: (key: string) => `${base}:history:name:${key}`,
      /** hash: path, uidValidity, lastUid of the folder read so far */
      cursor: (folder: string) => `${base}:history:cursor:${folder}`,
    },
  };
}

export type MailboxKeys = ReturnType<typeof mailboxKeys>;

/** How many recent mails the AUTHSERV_ID suggestion looks at. */
export const AUTHSERV_SAMPLE = 200;

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
  /** The template version the mail was rendered from ('default' for templates/). */
  template?: string;
}

// Claims one person's send for one run. KEYS: ledger, contact. ARGV: owner, Message-ID to use when
// none is recorded yet, now, how long another run's claim stays valid. Returns {outcome, Message-ID};
// {'missing', ''} when the person was erased meanwhile.
const CLAIM_SEND = `
local l = redis.call('HMGET', KEYS[1], 'state', 'owner', 'startedAt', 'messageId')
if l[1] == 'sent' then return {'sent', l[4]} end
if redis.call('EXISTS', KEYS[2]) == 0 then return {'missing', ''} end
if l[1] == 'sending' and l[2] ~= ARGV[1] and tonumber(l[3]) and tonumber(ARGV[3]) - tonumber(l[3]) < tonumber(ARGV[4]) then
  return {'busy', l[4] or ''}
end
local id = l[4] or ARGV[2]
redis.call('HSET', KEYS[1], 'state', 'sending', 'owner', ARGV[1], 'startedAt', ARGV[3], 'messageId', id)
return {'claimed', id}
`;

// The small writes about a person that follow a send or a mail (a timeline entry, a ledger field,
// a script's Message-ID), made only while the person exists: a job still running when the person
// was erased must not write a part of them back. KEYS: the person, the key to write. ARGV: the
// command and its arguments (RPUSH, HSET, HSETNX or SET only). Returns the command's answer, or
// -1 when the person is gone.
const WHILE_PRESENT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local command = ARGV[1]
if command ~= 'RPUSH' and command ~= 'HSET' and command ~= 'HSETNX' and command ~= 'SET' then return redis.error_reply('not allowed: ' .. command) end
return redis.call(command, KEYS[2], unpack(ARGV, 2))
`;

// Every script that writes a person ends with this: the change sequence goes up by one and the
// person's entry in the change index gets the new number, in the same atomic step as the write, so
// a reader that has seen sequence n has seen every write up to n (src/contacts/directory.ts).
// Needs `version` and `changes` keys and the person's `id` in scope.
const BUMP = (version: string, changes: string) => `
redis.call('ZADD', ${changes}, redis.call('INCR', ${version}), id)
`;

// Creates a contact unless one of its dedupe keys is taken or was forgotten (an erased person's);
// returns {created, id} ({0, '', 'forgotten'} for a forgotten one).
// KEYS: contact, events, byUpdate, byStatus, address index, version, changes, dedupeOf, then the
// dedupe keys, then their forgotten markers in the same order, then their markers as older
// versions wrote them (unkeyed; one met is replaced by the keyed marker).
// ARGV: dedupe count, id, contact JSON, event JSON, time, dedupe window, whether to index the address.
const CREATE = `
local dedupeCount = tonumber(ARGV[1])
for i = 1, dedupeCount do
  if redis.call('EXISTS', KEYS[8 + dedupeCount + i]) == 1 then return {0, '', 'forgotten'} end
  local legacy = KEYS[8 + 2 * dedupeCount + i]
  if redis.call('EXISTS', legacy) == 1 then
    redis.call('SET', KEYS[8 + dedupeCount + i], redis.call('GET', legacy))
    redis.call('DEL', legacy)
    return {0, '', 'forgotten'}
  end
end
for i = 1, dedupeCount do
  local existing = redis.call('GET', KEYS[8 + i])
  if existing then return {0, existing} end
end
local id = ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, id} end
for i = 1, dedupeCount do
  redis.call('SET', KEYS[8 + i], id, 'PX', ARGV[6])
  redis.call('SADD', KEYS[8], KEYS[8 + i])
end
if dedupeCount > 0 then redis.call('PEXPIRE', KEYS[8], ARGV[6]) end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[5], id)
redis.call('ZADD', KEYS[4], ARGV[5], id)
-- The address index keeps the person it names: a later request with the same address (a new
-- invitation after the dedupe window, perhaps forged) must not take over where answers by address go.
if ARGV[7] == '1' then redis.call('SET', KEYS[5], id, 'NX') end
${BUMP('KEYS[6]', 'KEYS[7]')}
return {1, id}
`;

// Moves a contact to a new status if its current status allows it, merging a patch of fields.
// KEYS: contact, events, byUpdate, then one status index per status in ARGV[6]'s order (every key
// a script touches is declared, as Redis Cluster asks), then version, changes, the address index of
// a new address and that of the address it replaces. ARGV[7] is '1' when the patch sets an address,
// ARGV[8] the lower-cased address it is expected to replace. Returns {1, from} or {0, current status}.
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
local previousEmail = contact['email']
local patch = cjson.decode(ARGV[2])
for field, value in pairs(patch) do contact[field] = value end
contact['status'] = ARGV[3]
contact['updatedAt'] = tonumber(ARGV[4])
local statuses = cjson.decode(ARGV[6])
local indexOf = {}
for i, status in ipairs(statuses) do indexOf[status] = KEYS[3 + i] end
local id = contact['id']
local extra = 3 + #statuses
redis.call('SET', KEYS[1], cjson.encode(contact))
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[4], id)
redis.call('ZREM', indexOf[from], id)
redis.call('ZADD', indexOf[ARGV[3]], ARGV[4], id)
-- The address index moves with the address, in this same step: an answer from the new address
-- finds the person, and the old address no longer does (unless it now belongs to someone else).
if ARGV[7] == '1' then
  local old = previousEmail
  if type(old) == 'string' and string.lower(old) == ARGV[8] and string.lower(old) ~= string.lower(contact['email']) and redis.call('GET', KEYS[extra + 4]) == id then
    redis.call('DEL', KEYS[extra + 4])
  end
  redis.call('SET', KEYS[extra + 3], id)
end
${BUMP('KEYS[extra + 1]', 'KEYS[extra + 2]')}
return {1, from}
`;

// Merges a patch of fields into a contact without changing its status, and notes why.
// KEYS: contact, events, byUpdate, version, changes. ARGV: patch JSON, now, event JSON. Returns 1, or 0 when missing.
const UPDATE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local contact = cjson.decode(raw)
local patch = cjson.decode(ARGV[1])
for field, value in pairs(patch) do contact[field] = value end
contact['updatedAt'] = tonumber(ARGV[2])
local id = contact['id']
redis.call('SET', KEYS[1], cjson.encode(contact))
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], id)
${BUMP('KEYS[4]', 'KEYS[5]')}
return 1
`;

// Notes a mail on a person's timeline so that a run of the same kind collapses into one counted
// entry: reading only the last entry, never the whole timeline. The same Message-ID as the last
// entry is a job run again: nothing changes. KEYS: contact, events, version, changes. ARGV: event
// JSON, its type, its Message-ID ('' for none), time, '1' to count a repeated request on the person.
// Returns 'added', 'counted', 'seen' (the same mail again) or 'missing'.
const NOTE_MAIL = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 'missing' end
local outcome = 'added'
local last = redis.call('LINDEX', KEYS[2], -1)
local entry = last and cjson.decode(last)
if entry and ARGV[3] ~= '' and entry['messageId'] == ARGV[3] then return 'seen' end
if entry and entry['type'] == ARGV[2] then
  entry['repeats'] = (tonumber(entry['repeats']) or 1) + 1
  entry['lastAt'] = tonumber(ARGV[4])
  if ARGV[3] ~= '' then entry['messageId'] = ARGV[3] end
  redis.call('LSET', KEYS[2], -1, cjson.encode(entry))
  outcome = 'counted'
else
  redis.call('RPUSH', KEYS[2], ARGV[1])
end
if ARGV[5] == '1' then
  local contact = cjson.decode(raw)
  local id = contact['id']
  contact['repeats'] = (tonumber(contact['repeats']) or 0) + 1
  contact['lastRepeatAt'] = tonumber(ARGV[4])
  redis.call('SET', KEYS[1], cjson.encode(contact))
  ${BUMP('KEYS[3]', 'KEYS[4]')}
end
return outcome
`;

/** Which mail of a script a ledger records: the script itself, or the reminder that follows it. */
export type LedgerMail = 'script' | 'reminder';

// Counts one script against every volume limit at once, atomically across processes: the day's
// cap, the recipient domain's hourly cap and the circuit breaker. A script counted already fits
// again, so a run that repeats counts once. The breaker trips on the script that would be one more
// than its limit in an hour: that run alone gets 'tripped' (and tells the user); every run after
// it gets 'paused' until the user resumes.
// KEYS: the day's set, the domain's window, the hour's window, the pause. ARGV: script, daily cap,
// domain cap, breaker limit ('' for none), now, an hour in ms, how long to keep a day's set.
// Returns {outcome, detail}: detail is when the domain's oldest script leaves its window.
const TAKE_SLOT = `
local script, now, hour = ARGV[1], tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('SISMEMBER', KEYS[1], script) == 1 or redis.call('ZSCORE', KEYS[3], script) then return {'ok', ''} end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'paused', ''} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - hour)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - hour)
if ARGV[2] ~= '' and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {'daily', ''} end
if ARGV[3] ~= '' and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {'domain', tostring(tonumber(oldest[2]) + hour)}
end
if ARGV[4] ~= '' and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[4], 'trippedAt', ARGV[5], 'limit', ARGV[4])
  return {'tripped', ''}
end
if ARGV[2] ~= '' then
  redis.call('SADD', KEYS[1], script)
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
end
redis.call('ZADD', KEYS[2], now, script)
redis.call('PEXPIRE', KEYS[2], hour)
redis.call('ZADD', KEYS[3], now, script)
redis.call('PEXPIRE', KEYS[3], hour)
return {'ok', ''}
`;
/** A day's count is needed for that day only; kept a little longer than the longest local day. */
const SLOT_KEEP_MS = 3 * 86_400_000;
const HOUR_MS = 3_600_000;

/** Where a script stands against the volume limits (see TAKE_SLOT). */
export type SendSlot =
  | { outcome: 'ok' | 'paused' | 'daily' | 'tripped' }
  /** The recipient domain had its hour's scripts; `until` is when the oldest of them leaves the hour. */
  | { outcome: 'domain'; until: number };

export interface VolumeLimits {
  dailyCap: number | null;
  domainHourlyCap: number | null;
  breakerHourly: number | null;
}

/** The circuit breaker's state while it holds sending. */
export interface SendingPause {
  trippedAt: number;
  /** The hourly limit it tripped at. */
  limit: number;
  /** When the user was mailed about it, or why that failed; null while neither happened yet. */
  notifiedAt: number | null;
  notifyError: string | null;
}

// Erases a person and every index entry that leads to them, in one step. The change sequence goes
// up, but the person's id leaves the change index rather than being recorded in it: nothing may
// name them afterwards. Readers of the index notice that someone is gone by the count of people
// (src/contacts/directory.ts).
// KEYS: contact, events, byUpdate, version, changes, then one status index per status, then keys
// that are the person's own (deleted), then index keys (deleted only while they still name this
// person: an address index may by now belong to someone else), then forgotten markers to set.
// ARGV: id, status count, own count, index count, marker count, now, and optionally a condition:
// the status the person must still be in, its place in the status keys, and the latest time they
// may have entered it (the expiry sweep's, which must not erase someone who moved on meanwhile).
// Returns 1, or 0 when missing (or the condition no longer holds).
const ERASE = `
local id = ARGV[1]
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local statusCount, ownCount, indexCount, markerCount = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if ARGV[7] then
  if cjson.decode(raw)['status'] ~= ARGV[7] then return 0 end
  local since = redis.call('ZSCORE', KEYS[5 + tonumber(ARGV[8])], id)
  if not since or tonumber(since) > tonumber(ARGV[9]) then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], id)
local at = 5
for i = 1, statusCount do redis.call('ZREM', KEYS[at + i], id) end
at = at + statusCount
for i = 1, ownCount do redis.call('DEL', KEYS[at + i]) end
at = at + ownCount
for i = 1, indexCount do
  if redis.call('GET', KEYS[at + i]) == id then redis.call('DEL', KEYS[at + i]) end
end
at = at + indexCount
for i = 1, markerCount do redis.call('SET', KEYS[at + i], ARGV[6]) end
redis.call('INCR', KEYS[4])
redis.call('ZREM', KEYS[5], id)
return 1
`;

// Gives a person one more dedupe key (an address found after the request was recorded), unless an
// erased person's marker names it or it leads to someone else. KEYS: dedupe key, its forgotten
// marker, dedupeOf, the marker as older versions wrote it. ARGV: id, dedupe window. Returns
// 'claimed', 'held' (theirs already), 'forgotten', or the other person's id.
const CLAIM_DEDUPE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 'forgotten' end
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('SET', KEYS[2], redis.call('GET', KEYS[4]))
  redis.call('DEL', KEYS[4])
  return 'forgotten'
end
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then return 'held' end
if owner then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[3], KEYS[1])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 'claimed'
`;

// Gives a dedupe key back while it still leads to this person. KEYS: dedupe key, dedupeOf. ARGV: id.
const RELEASE_DEDUPE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
`;

export type DedupeClaim = { outcome: 'claimed' | 'held' | 'forgotten' } | { outcome: 'taken'; by: string };

/** `value` as a SCAN pattern that matches exactly it: glob characters escaped. */
function globEscape(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}

export interface EraseKeys {
  /** Keys that belong to this person alone (send ledgers): deleted. */
  own: string[];
  /** Index keys that may lead to this person (addresses, dedupe, script Message-IDs): deleted while they do. */
  indexes: string[];
  /** Dedupe keys whose keyed marker keeps the person from being recorded again; empty to keep none. */
  forget: string[];
  /** The person's addresses, to take out of the mailbox history. */
  addresses?: string[];
}

/** Erase only while the person is still in `status`, where they have been since before `enteredBefore`. */
export interface ExpiryCondition {
  status: Status;
  enteredBefore: number;
}

export type TransitionResult = { moved: true; from: Status } | { moved: false; status: Status | 'missing' };

export interface ContactStoreOptions {
  /** WINNOW_SECRET; null (the default) uses the secret kept in Redis (src/config/secret.ts). */
  secret?: string | null;
}

export function createContactStore(redis: Redis, prefix: string, mailbox: string, options: ContactStoreOptions = {}) {
  const keys = mailboxKeys(prefix, mailbox);
  let secretRead: Promise<string> | null = null;
  /** The server secret (src/config/secret.ts), read once (a failed read is tried again next time). */
  function secretOnce(): Promise<string> {
    secretRead ??= serverSecret(redis, keys.secret, options.secret ?? null).catch((error: unknown) => {
      secretRead = null;
      throw error;
    });
    return secretRead;
  }
  const ledgerKey = (id: string, attempt: number, mail: LedgerMail) => (mail === 'script' ? keys.ledger(id, attempt) : keys.reminderLedger(id, attempt));

  /** Runs one write of `key` only while person `id` exists; -1 when they do not. */
  async function whilePresent(id: string, key: string, command: 'RPUSH' | 'HSET' | 'HSETNX' | 'SET', ...args: string[]): Promise<number | string | null> {
    return (await redis.eval(WHILE_PRESENT, 2, keys.contact(id), key, command, ...args)) as number | string | null;
  }

  async function sendingPause(): Promise<SendingPause | null> {
    const raw = await redis.hgetall(keys.sendingPaused);
    if (!raw.trippedAt) return null;
    return { trippedAt: Number(raw.trippedAt), limit: Number(raw.limit), notifiedAt: raw.notifiedAt ? Number(raw.notifiedAt) : null, notifyError: raw.notifyError ?? null };
  }

  /** Every key matching `pattern` (a glob below this mailbox's keys), in SCAN's batches. */
  async function* scanKeys(pattern: string): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) yield found;
    } while (cursor !== '0');
  }

  /** Removes addresses from the mailbox history: from whom the user wrote to, and from every name. */
  async function forgetInHistory(addresses: readonly string[]): Promise<void> {
    const lower = [...new Set(addresses.map((address) => address.trim().toLowerCase()).filter((address) => address !== ''))];
    if (lower.length === 0) return;
    await redis.hdel(keys.history.written, ...lower);
    // The names an address was filed under are those of the mail it came in, not necessarily the
    // person's as recorded here, so every name is looked at. Erasing is rare; the index is a few
    // keys per person the user has mail with.
    for await (const found of scanKeys(globEscape(keys.history.name('')) + '*')) {
      const batch = redis.pipeline();
      for (const key of found) batch.srem(key, ...lower);
      await batch.exec();
    }
  }

  /** The daily counts of scripts hold `<person>:<script number>`; an erased person's count on without their id. */
  async function unnameSendSlots(id: string): Promise<void> {
    for await (const found of scanKeys(globEscape(keys.sentOn('')) + '*')) {
      for (const key of found) {
        const members = (await redis.smembers(key)).filter((member) => member.startsWith(`${id}:`));
        if (members.length === 0) continue;
        const batch = redis.multi().srem(key, ...members);
        for (const _member of members) batch.sadd(key, `erased:${randomUUID()}`);
        await batch.exec();
      }
    }
    // The hourly counts (per recipient domain, and the circuit breaker's) are sorted by time: the
    // entry keeps its time, so the limits still count it, under no name.
    const hourly = [keys.sentLastHour];
    for await (const found of scanKeys(globEscape(keys.sentToDomain('')) + '*')) hourly.push(...found);
    for (const key of hourly) {
      const entries = await redis.zrange(key, 0, -1, 'WITHSCORES');
      const batch = redis.multi();
      let named = 0;
      for (let i = 0; i < entries.length; i += 2) {
        const member = entries[i]!;
        if (!member.startsWith(`${id}:`)) continue;
        named += 1;
        batch.zrem(key, member).zadd(key, entries[i + 1]!, `erased:${randomUUID()}`);
      }
      if (named > 0) await batch.exec();
    }
  }

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
     * When one of the dedupe keys belongs to a person who was erased and forgotten, nothing is
     * created either: `forgotten` is true and `id` is ''.
     */
    async create(fields: NewContact, dedupeKeys: string[], dedupeWindowMs: number, event: ContactEvent): Promise<{ created: boolean; id: string; forgotten?: true }> {
      const id = contactId(dedupeKeys[0] ?? `${fields.requestMessageId ?? ''}:${fields.requestedAt}`);
      const now = event.at;
      const secret = await secretOnce();
      const contact: Contact = { ...fields, id, mailbox, updatedAt: now };
      // Everything in one script: a crash cannot leave a person without their address index.
      const result = (await redis.eval(
        CREATE,
        8 + 3 * dedupeKeys.length,
        keys.contact(id),
        keys.events(id),
        keys.byUpdate,
        keys.byStatus(contact.status),
        keys.address(contact.email ?? ''),
        keys.version,
        keys.changes,
        keys.dedupeOf(id),
        ...dedupeKeys.map(keys.dedupe),
        ...dedupeKeys.map((key) => keys.forgotten(key, secret)),
        ...dedupeKeys.map(keys.legacyForgotten),
        String(dedupeKeys.length),
        id,
        toJson(contact),
        toJson(event),
        String(now),
        String(dedupeWindowMs),
        contact.email ? '1' : '0',
      )) as [number, string, string?];
      if (result[2] === 'forgotten') return { created: false, id: '', forgotten: true };
      return { created: result[0] === 1, id: result[1] };
    },

    get,

    /** Several people at once (one MGET), in the order asked; null for those that are gone. */
    async getMany(ids: readonly string[]): Promise<Array<Contact | null>> {
      if (ids.length === 0) return [];
      const raws = await redis.mget(ids.map(keys.contact));
      return raws.map((raw) => (raw ? parseContact(raw) : null));
    },

    /** Up to `limit` people in `status` since before `before` (ms), longest there first: the expiry sweep's candidates. */
    async idsInStatusSince(status: Status, before: number, limit: number): Promise<string[]> {
      return redis.zrangebyscore(keys.byStatus(status), '-inf', before, 'LIMIT', 0, limit);
    },

    /** Drops skipped-mail entries older than `before` (the list is newest first); returns how many. */
    async dropSkippedMailBefore(before: number): Promise<number> {
      let dropped = 0;
      for (;;) {
        const last = await redis.lindex(keys.skippedMail, -1);
        if (!last || (JSON.parse(last) as SkippedMail).at >= before) return dropped;
        // Only that very entry: another process may have dropped it meanwhile.
        if ((await redis.lrem(keys.skippedMail, -1, last)) !== 1) return dropped;
        dropped += 1;
      }
    },

    /** The ids of everyone in one status, longest there first. */
    async idsWithStatus(status: Status): Promise<string[]> {
      return redis.zrange(keys.byStatus(status), 0, -1);
    },

    /** The dedupe keys the person was created with (while the dedupe window lasts), as create() took them. */
    async dedupeKeysOf(id: string): Promise<string[]> {
      const prefix = keys.dedupe('');
      const names = await redis.smembers(keys.dedupeOf(id));
      return names.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
    },

    /**
     * Those of `addresses` (lower-cased) that belong to people who were erased and forgotten: the
     * mailbox history does not file them again from mail it reads later.
     */
    async forgottenAddresses(addresses: readonly string[]): Promise<Set<string>> {
      const forgotten = new Set<string>();
      if (addresses.length === 0) return forgotten;
      const secret = await secretOnce();
      const batch = redis.pipeline();
      for (const address of addresses) batch.exists(keys.forgotten(`address:${address}`, secret), keys.legacyForgotten(`address:${address}`));
      const results = (await batch.exec()) ?? [];
      results.forEach(([error, found], i) => {
        if (error) throw error;
        if (Number(found) > 0) forgotten.add(addresses[i]!);
      });
      return forgotten;
    },

    /** The key of the marker an erasure keeps for a dedupe key (see mailboxKeys.forgotten). */
    async forgottenKey(dedupeKey: string): Promise<string> {
      return keys.forgotten(dedupeKey, await secretOnce());
    },

    /**
     * Removes a person: record, timeline, status and update indexes, the given own keys, and the
     * given index keys that still lead to them; sets a keyed marker for each `forget` dedupe key.
     * Then what else names them: their addresses in the mailbox history (the index of names and of
     * whom the user wrote to; the mail itself stays in the user's mailbox) and their entries in the
     * daily counts of scripts, which keep counting them without a name.
     * Returns false when there was no one to erase.
     */
    async erase(id: string, extra: EraseKeys, now: number, onlyIf?: ExpiryCondition): Promise<boolean> {
      const secret = extra.forget.length > 0 ? await secretOnce() : null;
      const own = [keys.dedupeOf(id), ...extra.own];
      const condition = onlyIf ? [onlyIf.status, String(STATUSES.indexOf(onlyIf.status) + 1), String(onlyIf.enteredBefore)] : [];
      const result = await redis.eval(
        ERASE,
        5 + STATUSES.length + own.length + extra.indexes.length + extra.forget.length,
        keys.contact(id),
        keys.events(id),
        keys.byUpdate,
        keys.version,
        keys.changes,
        ...STATUSES.map(keys.byStatus),
        ...own,
        ...extra.indexes,
        ...extra.forget.map((key) => keys.forgotten(key, secret!)),
        id,
        String(STATUSES.length),
        String(own.length),
        String(extra.indexes.length),
        String(extra.forget.length),
        String(now),
        ...condition,
      );
      if (result !== 1) return false;
      await forgetInHistory(extra.addresses ?? []);
      await unnameSendSlots(id);
      return true;
    },

    /**
     * Files the person under one more dedupe key (an address found after their request was
     * recorded), so a later request with it within `dedupeWindowMs` finds them: `claimed` (or
     * `held`: theirs already); else `forgotten` (an erased person's) or `taken` (another person's),
     * and nothing is written.
     */
    async claimDedupe(id: string, dedupeKey: string, dedupeWindowMs: number): Promise<DedupeClaim> {
      const secret = await secretOnce();
      const result = String(
        await redis.eval(CLAIM_DEDUPE, 4, keys.dedupe(dedupeKey), keys.forgotten(dedupeKey, secret), keys.dedupeOf(id), keys.legacyForgotten(dedupeKey), id, String(dedupeWindowMs)),
      );
      if (result === 'claimed' || result === 'held' || result === 'forgotten') return { outcome: result };
      return { outcome: 'taken', by: result };
    },

    /** Undoes claimDedupe when the step it was for did not happen. */
    async releaseDedupe(id: string, dedupeKey: string): Promise<void> {
      await redis.eval(RELEASE_DEDUPE, 2, keys.dedupe(dedupeKey), keys.dedupeOf(id), id);
    },

    /**
     * Moves a person to `to` when the lifecycle allows it from where they are now, and, given
     * `only`, only from one of those statuses (a step decided on what the caller read, which must
     * not apply to a person who has moved on meanwhile).
     */
    async transition(
      id: string,
      to: Status,
      patch: Partial<Contact>,
      event: Omit<ContactEvent, 'type'> & { type?: ContactEvent['type'] },
      only?: readonly Status[],
    ): Promise<TransitionResult> {
      const entry: ContactEvent = { ...event, type: event.type ?? (to as ContactEvent['type']) };
      // A new address replaces the old one in the address index; the script checks that the
      // address read here is still the person's before it removes the old entry.
      const previous = patch.email ? ((await get(id))?.email ?? '').toLowerCase() : '';
      const result = (await redis.eval(
        TRANSITION,
        7 + STATUSES.length,
        keys.contact(id),
        keys.events(id),
        keys.byUpdate,
        ...STATUSES.map(keys.byStatus),
        keys.version,
        keys.changes,
        keys.address(patch.email ?? ''),
        keys.address(previous),
        JSON.stringify(statusesBefore(to).filter((from) => !only || only.includes(from))),
        toJson(patch),
        to,
        String(entry.at),
        toJson(entry),
        JSON.stringify(STATUSES),
        patch.email ? '1' : '0',
        previous,
      )) as [number, string];
      if (result[0] === 1) return { moved: true, from: result[1] as Status };
      return { moved: false, status: result[1] as Status | 'missing' };
    },

    /**
     * Changes fields of a person without changing their status (a paused deadline, flags from
     * an answer), with the reason on the timeline. Status is never patched here: that is
     * `transition`'s job. Returns false when the person does not exist.
     */
    async update(id: string, patch: Partial<Omit<Contact, 'status' | 'id' | 'mailbox'>>, event: ContactEvent): Promise<boolean> {
      const result = await redis.eval(UPDATE, 5, keys.contact(id), keys.events(id), keys.byUpdate, keys.version, keys.changes, toJson(patch), String(event.at), toJson(event));
      return result === 1;
    },

    /** Adds an event to a person's timeline without changing their status (nothing once they are erased). */
    async note(id: string, event: ContactEvent): Promise<void> {
      await whilePresent(id, keys.events(id), 'RPUSH', toJson(event));
    },

    /**
     * Notes a mail (a request sent again, a second answer, an automatic reply) once: a job run
     * again adds nothing, and a run of the same kind of mail is one entry with a count and the
     * time of the last, so mail repeated a thousand times is one entry, not a thousand. With
     * `repeatedRequest`, the person's own counter goes up too. Reads the last entry only.
     */
    async noteMail(id: string, event: ContactEvent, options: { repeatedRequest?: boolean } = {}): Promise<'added' | 'counted' | 'seen' | 'missing'> {
      const messageId = event.messageId !== undefined ? boundedField('messageId', event.messageId) : null;
      return (await redis.eval(
        NOTE_MAIL,
        4,
        keys.contact(id),
        keys.events(id),
        keys.version,
        keys.changes,
        toJson(event),
        event.type,
        messageId ?? '',
        String(event.at),
        options.repeatedRequest ? '1' : '0',
      )) as 'added' | 'counted' | 'seen' | 'missing';
    },

    /** The Message-ID of the newest timeline entry (null when it has none): whether a mail was just noted. */
    async lastNotedMessageId(id: string): Promise<string | null> {
      const last = await redis.lindex(keys.events(id), -1);
      return last ? ((JSON.parse(last) as ContactEvent).messageId ?? null) : null;
    },

    async timeline(id: string): Promise<ContactEvent[]> {
      const raw = await redis.lrange(keys.events(id), 0, -1);
      return raw.map((line) => JSON.parse(line) as ContactEvent);
    },

    async findByScriptMessageId(messageId: string): Promise<Contact | null> {
      const id = await redis.get(keys.scriptMessage(messageId));
      return id ? get(id) : null;
    },

    /** Files the authserv-id on top of one more mail (null: none), keeping the latest AUTHSERV_SAMPLE. */
    async noteAuthservId(id: string | null): Promise<void> {
      await redis.multi().lpush(keys.authservSeen, id ?? '-').ltrim(keys.authservSeen, 0, AUTHSERV_SAMPLE - 1).exec();
    },

    /** The authserv-ids on top of recent mail, newest first (null where a mail had none). */
    async recentAuthservIds(): Promise<Array<string | null>> {
      return (await redis.lrange(keys.authservSeen, 0, AUTHSERV_SAMPLE - 1)).map((id) => (id === '-' ? null : id));
    },

    async findByAddress(address: string): Promise<Contact | null> {
      const id = await redis.get(keys.address(address));
      return id ? get(id) : null;
    },

    /** Files a script's (or reminder's) Message-ID under the person, so an answer to it finds them. */
    async rememberScriptMessageId(id: string, messageId: string): Promise<void> {
      await whilePresent(id, keys.scriptMessage(messageId), 'SET', id);
    },

    /**
     * The send ledger of one person's script number `attempt` (or of the reminder that follows
     * it): state (sending, sent, failed), Message-ID, times.
     */
    async readLedger(id: string, attempt: number, mail: LedgerMail = 'script'): Promise<SendLedger> {
      return (await redis.hgetall(ledgerKey(id, attempt, mail))) as SendLedger;
    },

    /**
     * Claims the send of one person's script number `attempt` (or its reminder) for one run,
     * atomically: `sent` when it went out already, `busy` while another run's claim is younger
     * than `claimMs`, `missing` when the person was erased, else `claimed`. The Message-ID of the
     * first claim is kept for every later one.
     */
    async claimSend(
      id: string,
      attempt: number,
      owner: string,
      messageId: string,
      now: number,
      claimMs: number,
      mail: LedgerMail = 'script',
    ): Promise<{ outcome: 'sent' | 'busy' | 'claimed' | 'missing'; messageId: string }> {
      const [outcome, recorded] = (await redis.eval(CLAIM_SEND, 2, ledgerKey(id, attempt, mail), keys.contact(id), owner, messageId, String(now), String(claimMs))) as [
        'sent' | 'busy' | 'claimed' | 'missing',
        string,
      ];
      return { outcome, messageId: recorded };
    },

    /** Records what became of a send; nothing once the person is erased (a send still running then). */
    async writeLedger(id: string, attempt: number, entry: SendLedger, mail: LedgerMail = 'script'): Promise<void> {
      const fields = Object.entries(entry)
        .filter((field): field is [string, string] => typeof field[1] === 'string')
        .map(([field, value]): [string, string] => [field, boundedField(field, value) ?? '']);
      if (fields.length > 0) await whilePresent(id, ledgerKey(id, attempt, mail), 'HSET', ...fields.flat());
    },

    /** True the first time `mark` is set on a script's ledger, false after (and once the person is gone): for notes made once per script. */
    async markLedgerOnce(id: string, attempt: number, mark: string, at: number): Promise<boolean> {
      return (await whilePresent(id, ledgerKey(id, attempt, 'script'), 'HSETNX', `mark:${mark}`, String(at))) === 1;
    },

    /**
     * Counts a script against the volume limits (daily cap of local day `day`, the hourly cap of
     * its recipient's domain, the circuit breaker), atomically across processes; see SendSlot.
     */
    async takeSendSlot(day: string, script: string, recipient: string, limits: VolumeLimits, now: number): Promise<SendSlot> {
      const cap = (limit: number | null) => (limit === null ? '' : String(limit));
      const [outcome, detail] = (await redis.eval(
        TAKE_SLOT,
        4,
        keys.sentOn(day),
        keys.sentToDomain(recipientDomain(recipient)),
        keys.sentLastHour,
        keys.sendingPaused,
        script,
        cap(limits.dailyCap),
        cap(limits.domainHourlyCap),
        cap(limits.breakerHourly),
        String(now),
        String(HOUR_MS),
        String(SLOT_KEEP_MS),
      )) as [SendSlot['outcome'], string];
      return outcome === 'domain' ? { outcome, until: Number(detail) } : ({ outcome } as SendSlot);
    },

    /** Gives back a slot taken by a script that was not sent after all. */
    async releaseSendSlot(day: string, script: string, recipient: string): Promise<void> {
      await redis.multi().srem(keys.sentOn(day), script).zrem(keys.sentToDomain(recipientDomain(recipient)), script).zrem(keys.sentLastHour, script).exec();
    },

    /** The circuit breaker's hold on sending, or null while scripts go out. */
    sendingPause,

    /** True for the one run that is to tell the user of this pause (every later run: false). */
    async claimPauseNotice(): Promise<boolean> {
      return (await redis.eval(`if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end return redis.call('HSETNX', KEYS[1], 'noticeClaimed', '1')`, 1, keys.sendingPaused)) === 1;
    },

    /** Records that the user was told of the pause (or why not), while it lasts. */
    async notePauseNotice(outcome: { notifiedAt: number } | { notifyError: string }): Promise<void> {
      const field = 'notifiedAt' in outcome ? ['notifiedAt', String(outcome.notifiedAt)] : ['notifyError', outcome.notifyError.slice(0, 500)];
      await redis.eval(`if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1`, 1, keys.sendingPaused, ...field);
    },

    /**
     * Lifts the circuit breaker: the hour's count starts again from zero (else the next script
     * would trip it at once). Returns the pause that was lifted, or null when there was none.
     */
    async resumeSending(): Promise<SendingPause | null> {
      const pause = await sendingPause();
      await redis.del(keys.sendingPaused, keys.sentLastHour);
      return pause;
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

    /** The digest's state: the last slot handled, when one was last sent, the day's thread. */
    async digestState(): Promise<{ lastSlot?: string; lastSentAt?: string; day?: string; count?: string }> {
      return redis.hgetall(keys.digest);
    },

    async writeDigestState(fields: Record<string, string>): Promise<void> {
      await redis.hset(keys.digest, fields);
    },

    /** Claims one digest slot for this process, across every process; false when another has it. */
    async claimDigestSlot(slot: number, now: number, holdMs: number): Promise<boolean> {
      return (await redis.set(keys.digestSlot(slot), String(now), 'PX', holdMs, 'NX')) === 'OK';
    },

    async releaseDigestSlot(slot: number): Promise<void> {
      await redis.del(keys.digestSlot(slot));
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

/**
 * The dedupe key of an address: the mailbox it reaches (src/detect/address.ts), so that case, a
 * `+tag` or Gmail's dots cannot make one mailbox look like many people, each sent a script.
 */
export function addressDedupeKey(address: string): string {
  return `address:${mailboxIdentity(address)}`;
}

/** The domain a script counts against for the per-domain cap: googlemail.com is gmail.com. */
function recipientDomain(address: string): string {
  return domainOf(mailboxIdentity(address)) || 'unknown';
}

/** Stable, short, URL-safe id from the request's identity, so a replayed job finds the same person. */
export function contactId(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 16);
}

/**
 * The longest text kept of each field of a person, their timeline and the skipped-mail list, in
 * characters. Everything in a request is the sender's to choose (a 100 KB subject costs them
 * nothing), so nothing is stored at the length it arrived: what a person reads on the dashboard
 * fits well within these, and a flood of hostile mail grows Redis by a bounded amount per mail.
 */
export const FIELD_LIMITS: Readonly<Record<string, number>> = {
  name: 200,
  firstName: 100,
  email: 320,
  profileUrl: 1_000,
  headline: 300,
  location: 200,
  note: 2_000,
  invitationId: 200,
  subject: 300,
  reason: 500,
  detail: 1_000,
  answerText: 20_000,
  answerFullText: 50_000,
};
/** Any other text field (flags, score words, ledger fields). */
const DEFAULT_FIELD_LIMIT = 2_000;
/**
 * A Message-ID is an identity, not text: cut, it would name another mail (or none), so one longer
 * than this (RFC 5322 lines stop at 998 characters; real ones are far shorter) is not kept at all.
 */
export const MAX_MESSAGE_ID = 250;
const MESSAGE_ID_FIELDS = new Set(['messageId', 'requestMessageId', 'scriptMessageId']);

/** A stored text field as kept: cut at its limit (with an ellipsis), or null for an over-long Message-ID. */
export function boundedField(field: string, text: string): string | null {
  if (MESSAGE_ID_FIELDS.has(field)) return text.length > MAX_MESSAGE_ID ? null : text;
  const limit = FIELD_LIMITS[field] ?? DEFAULT_FIELD_LIMIT;
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/**
 * JSON for Redis, the one place where people's data is written: every text field is bounded here
 * (boundedField). Text from mail may also hold a lone UTF-16 surrogate (a cut emoji, or a hostile
 * encoded word); Redis's Lua cjson refuses to decode one, which would leave that person stuck, so
 * such halves become U+FFFD (also where a cut above split a pair).
 */
function toJson(value: unknown): string {
  return JSON.stringify(value, (key, field: unknown) => {
    if (typeof field !== 'string') return field;
    // Array entries (key '0', '1', …) and the top level take the default limit.
    const kept = boundedField(key, field);
    return kept === null ? (key === 'messageId' ? undefined : null) : kept.toWellFormed();
  });
}

/**
 * The dedupe key of a request that has no invitation id or address: its Message-ID (or date and
 * subject), hashed when long, so the sender's choice of subject does not become a Redis key name.
 */
export function messageDedupeKey(identity: string): string {
  return identity.length <= MAX_MESSAGE_ID ? `message:${identity}` : `message:#${createHash('sha256').update(identity).digest('base64url')}`;
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
