import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { domainOf, mailboxIdentity } from '../detect/address.ts';
import { serverSecret } from '../config/secret.ts';
import { mailboxKeys } from '../store/keys.ts';
import { storeScripts } from '../store/scripts.ts';
import { statusesBefore } from './lifecycle.ts';
import { NO_DETAILS, STATUSES, type Contact, type ContactEvent, type Status } from '../vocabulary/contact.ts';


/** How many recent mails the AUTHSERV_ID suggestion looks at. */
export const AUTHSERV_SAMPLE = 200;

export interface NewContact extends Omit<Contact, 'id' | 'mailbox' | 'updatedAt' | 'status'> {
  status: Status;
  /** The mailbox the request came to, which answers it; the store's own when left out. */
  mailbox?: string;
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

/** Which mail of a script a ledger records: the script itself, or the reminder that follows it. */
export type LedgerMail = 'script' | 'reminder';

/** A day's count is needed for that day only; kept a little longer than the longest local day. */
const SLOT_KEEP_MS = 3 * 86_400_000;
const HOUR_MS = 3_600_000;

/** Where a script stands against the volume limits (see src/store/lua/take-send-slot.lua). */
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
  /** Told of each new person (`from` null) and each change of status, after it is written; must not throw (webhooks). */
  onStatusChange?: (change: { contactId: string; from: Status | null; to: Status; at: number }) => void;
}

export function createContactStore(redis: Redis, prefix: string, mailbox: string, options: ContactStoreOptions = {}) {
  const keys = mailboxKeys(prefix, mailbox);
  const scripts = storeScripts(redis);
  let secretRead: Promise<string> | null = null;
  /** The server secret (src/config/secret.ts), read once (a failed read is tried again next time). */
  function secretOnce(): Promise<string> {
    secretRead ??= serverSecret(redis, keys, options.secret ?? null).catch((error: unknown) => {
      secretRead = null;
      throw error;
    });
    return secretRead;
  }
  const ledgerKey = (id: string, attempt: number, mail: LedgerMail) => (mail === 'script' ? keys.ledger(id, attempt) : keys.reminderLedger(id, attempt));

  /** Runs one write of `key` only while person `id` exists; -1 when they do not. */
  async function whilePresent(id: string, key: string, command: 'RPUSH' | 'HSET' | 'HSETNX' | 'SET', ...args: string[]): Promise<number | string | null> {
    return scripts.whilePresent({ contact: keys.contact(id), target: key }, command, args);
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
      const contact: Contact = { ...fields, id, mailbox: fields.mailbox ?? mailbox, updatedAt: now };
      // Everything in one script: a crash cannot leave a person without their address index.
      const result = await scripts.createContact(
        {
          contact: keys.contact(id),
          events: keys.events(id),
          byUpdate: keys.byUpdate,
          byStatus: keys.byStatus(contact.status),
          address: keys.address(contact.email ?? ''),
          version: keys.version,
          changes: keys.changes,
          dedupeOf: keys.dedupeOf(id),
          dedupe: dedupeKeys.map(keys.dedupe),
          forgotten: dedupeKeys.map((key) => keys.forgotten(key, secret)),
          legacyForgotten: dedupeKeys.map(keys.legacyForgotten),
        },
        { id, contact: toJson(contact), event: toJson(event), now, dedupeWindowMs, indexAddress: Boolean(contact.email) },
      );
      if (result[2] === 'forgotten') return { created: false, id: '', forgotten: true };
      if (result[0] === 1) options.onStatusChange?.({ contactId: id, from: null, to: contact.status, at: now });
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
      const result = await scripts.eraseContact(
        {
          contact: keys.contact(id),
          events: keys.events(id),
          byUpdate: keys.byUpdate,
          version: keys.version,
          changes: keys.changes,
          byStatus: STATUSES.map(keys.byStatus),
          own,
          indexes: extra.indexes,
          markers: extra.forget.map((key) => keys.forgotten(key, secret!)),
        },
        { id, now, onlyIf: onlyIf && { status: onlyIf.status, statusPlace: STATUSES.indexOf(onlyIf.status) + 1, enteredBefore: onlyIf.enteredBefore } },
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
      const result = await scripts.claimDedupe(
        { dedupe: keys.dedupe(dedupeKey), forgotten: keys.forgotten(dedupeKey, secret), dedupeOf: keys.dedupeOf(id), legacyForgotten: keys.legacyForgotten(dedupeKey) },
        { id, dedupeWindowMs },
      );
      if (result === 'claimed' || result === 'held' || result === 'forgotten') return { outcome: result };
      return { outcome: 'taken', by: result };
    },

    /** Undoes claimDedupe when the step it was for did not happen. */
    async releaseDedupe(id: string, dedupeKey: string): Promise<void> {
      await scripts.releaseDedupe({ dedupe: keys.dedupe(dedupeKey), dedupeOf: keys.dedupeOf(id) }, { id });
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
      const result = await scripts.transition(
        {
          contact: keys.contact(id),
          events: keys.events(id),
          byUpdate: keys.byUpdate,
          version: keys.version,
          changes: keys.changes,
          newAddress: keys.address(patch.email ?? ''),
          oldAddress: keys.address(previous),
          byStatus: STATUSES.map(keys.byStatus),
        },
        {
          from: statusesBefore(to).filter((from) => !only || only.includes(from)),
          patch: toJson(patch),
          to,
          now: entry.at,
          event: toJson(entry),
          statuses: STATUSES,
          setsAddress: Boolean(patch.email),
          previousAddress: previous,
        },
      );
      if (result[0] === 1) options.onStatusChange?.({ contactId: id, from: result[1] as Status, to, at: entry.at });
      if (result[0] === 1) return { moved: true, from: result[1] as Status };
      return { moved: false, status: result[1] as Status | 'missing' };
    },

    /**
     * Changes fields of a person without changing their status (a paused deadline, flags from
     * an answer), with the reason on the timeline. Status is never patched here: that is
     * `transition`'s job. Returns false when the person does not exist.
     */
    async update(id: string, patch: Partial<Omit<Contact, 'status' | 'id' | 'mailbox'>>, event: ContactEvent): Promise<boolean> {
      const result = await scripts.updateContact(
        { contact: keys.contact(id), events: keys.events(id), byUpdate: keys.byUpdate, version: keys.version, changes: keys.changes },
        { patch: toJson(patch), now: event.at, event: toJson(event) },
      );
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
      return scripts.noteMail(
        { contact: keys.contact(id), events: keys.events(id), version: keys.version, changes: keys.changes },
        { event: toJson(event), type: event.type, messageId: messageId ?? '', now: event.at, repeatedRequest: options.repeatedRequest === true },
      );
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
      const [outcome, recorded] = await scripts.claimSend({ ledger: ledgerKey(id, attempt, mail), contact: keys.contact(id) }, { owner, messageId, now, claimMs });
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
      const [outcome, detail] = await scripts.takeSendSlot(
        { sentOn: keys.sentOn(day), sentToDomain: keys.sentToDomain(recipientDomain(recipient)), sentLastHour: keys.sentLastHour, sendingPaused: keys.sendingPaused },
        { script, dailyCap: cap(limits.dailyCap), domainCap: cap(limits.domainHourlyCap), breakerLimit: cap(limits.breakerHourly), now, hourMs: HOUR_MS, keepDayMs: SLOT_KEEP_MS },
      );
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
      return scripts.claimPauseNotice({ sendingPaused: keys.sendingPaused });
    },

    /** Records that the user was told of the pause (or why not), while it lasts. */
    async notePauseNotice(outcome: { notifiedAt: number } | { notifyError: string }): Promise<void> {
      const field = 'notifiedAt' in outcome ? ({ field: 'notifiedAt', value: String(outcome.notifiedAt) } as const) : ({ field: 'notifyError', value: outcome.notifyError.slice(0, 500) } as const);
      await scripts.notePauseNotice({ sendingPaused: keys.sendingPaused }, field);
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
