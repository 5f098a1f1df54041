import { createHash } from 'node:crypto';
import { keyedHash } from '../config/secret.ts';
import type { Status } from '../vocabulary/contact.ts';

/**
 * Every Redis key Winnow writes for one mailbox, in one place: people and their timelines, the
 * send ledgers and volume counts, settings, templates, the watcher's cursor and lease, mailbox
 * health, the server secret, the mailbox history. Keys of one mailbox share a hash tag, so a Redis
 * Cluster keeps them on one shard and a Lua script (src/store/lua/) may touch several at once.
 * What is not one mailbox's (dashboard sessions, the login guard) is in serverKeys below; the
 * queues keep BullMQ's own keys under queuePrefix (src/queues/queues.ts).
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
    /** The server secret sealed under WINNOW_SECRET (src/config/sealed.ts), when WINNOW_SECRET is set. */
    sealedSecret: `${base}:sealed-secret`,
    /** The authserv-id on top of each recent mail (or "-" for none), newest first, for AUTHSERV_ID discovery. */
    authservSeen: `${base}:authserv-seen`,
    /** Change sequence: every write of a person bumps it (see lua/includes/bump.lua and src/contacts/directory.ts). */
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
    /** The imported address book (src/contacts/address-book.ts). */
    book: {
      /** hash: normalised name → the name as imported (one entry per person) */
      people: `${base}:book:people`,
      /** hash: address → the name as imported */
      addresses: `${base}:book:addresses`,
      /** set: the addresses filed under a name key (see nameKeys) */
      name: (key: string) => `${base}:book:name:${key}`,
      /** set: every name key in use, so `clear` finds them all */
      keys: `${base}:book:keys`,
    },
    /** The mailbox history (src/mailbox/history.ts): who the user wrote to, and names seen with addresses. */
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

/** The keys of the whole server, shared by every mailbox and every process on one Redis. */
export function serverKeys(prefix: string) {
  // One hash tag: the login guard's script touches these together, which Redis Cluster allows on one shard.
  const login = `${prefix}:{login}`;
  return {
    /** A dashboard session, by a hash of its cookie value (src/web/session.ts). */
    session: (idHash: string) => `${prefix}:session:${idHash}`,
    /** A session's one-time message after a redirect, by the same hash (src/web/flash.ts). */
    flash: (idHash: string) => `${prefix}:flash:${idHash}`,
    /** The user's mailboxes beyond the environment's (src/mailboxes/records.ts). */
    mailboxes: {
      /** sorted set: mailbox id → when it was added */
      ids: `${prefix}:mailboxes`,
      /**
       * hash: one mailbox's settings, state flags and sealed secrets (the main mailbox: only its
       * flags); in the mailbox's hash tag, with its refresh lock, cursor and health
       */
      record: (id: string) => `${prefix}:{${id}}:mailbox`,
      /** counter: bumped by every change, so watching processes notice with one GET */
      version: `${prefix}:mailboxes:version`,
      /** string with a PX: held by the one process refreshing a mailbox's access token (src/mailboxes/oauth-tokens.ts) */
      refreshLock: (id: string) => `${prefix}:{${id}}:refreshing`,
      /** string with an EX: one sign-in under way, by its `state` (src/mailboxes/oauth.ts) */
      signInFlow: (state: string) => `${prefix}:oauth-sign-in:${state}`,
    },
    /** The login guard (src/web/login-guard.ts). */
    login: {
      blockedUntil: `${login}:blocked-until`,
      /** hash: startedAt, lastAt, failures, slowed */
      burst: `${login}:burst`,
      /** HyperLogLog of the addresses in the burst */
      burstAddresses: `${login}:burst-addresses`,
      /** list of past bursts (JSON) */
      bursts: `${login}:bursts`,
    },
  };
}
