import { platformLabelOf } from '../detect/platform.ts';
import { typedAddress } from '../text/address.ts';
import { reminderMessageId, scriptMessageId } from '../mail/message-id.ts';
import type { Redis } from 'ioredis';
import { removeJobsNaming } from '../queues/forget.ts';
import { cancelDeadline, deadlineWakeAt, scheduleDeadline } from '../queues/deadlines.ts';
import { ensureScriptJob, type Queues } from '../queues/queues.ts';
import type { SettingsStore } from '../settings/settings.ts';
import { canMove } from './lifecycle.ts';
import { listMatch } from './resolve.ts';
import { addressDedupeKey, messageDedupeKey, type ContactStore, type ExpiryCondition, type SendLedger } from './store.ts';
import type { Contact, ContactEvent, EventType, Status } from '../vocabulary/contact.ts';
import type { EndpointStore } from '../webhooks/endpoints.ts';

/**
 * What the user does to people from the dashboard and the API: decide, approve, set an address,
 * send again, mark handled, export, erase. Each returns an outcome the caller shows as it is
 * (moved, or why not), so the dashboard and the API say the same thing.
 */

export type ActionProblem = 'missing' | 'not_allowed' | 'invalid';

export type ActionOutcome =
  | { ok: true; id: string; name: string; status: Status; message: string }
  | { ok: false; id: string; name: string | null; status: Status | 'missing'; problem: ActionProblem; message: string };

export type Decision = 'accepted' | 'rejected';

export interface BulkOutcome {
  decision: Decision;
  /** Moved to the decision now. */
  moved: number;
  /** Already there. */
  unchanged: number;
  /** Could not be moved (missing, or in a status that cannot be decided yet). */
  refused: number;
  results: ActionOutcome[];
}

export interface PersonExport {
  format: 'winnow-person-export';
  version: 1;
  exportedAt: string;
  contact: Contact;
  timeline: ContactEvent[];
  /** The send ledger of each script (and its reminder) this person was sent or was to be sent. */
  scripts: Array<{ attempt: number; script: SendLedger | null; reminder: SendLedger | null }>;
}

export interface ContactActionsDeps {
  store: ContactStore;
  queues: Queues;
  /** For the queues' event streams, which erasing a person searches too (src/queues/forget.ts). */
  redis: Redis;
  settings: SettingsStore;
  now: () => number;
  /**
   * The domain of our scripts' Message-IDs, to find their index entries when erasing: one for every
   * mailbox, or the domain of a given mailbox (a script carries the domain of the mailbox it went from).
   */
  messageIdDomain?: string | ((mailbox: string) => Promise<string>);
  /** The server secret that seals those Message-IDs (src/mail/message-id.ts); with the domain, erasing finds them. */
  messageIdSecret?: string;
  /** The webhook events kept for retries (src/webhooks/endpoints.ts): erasing a person removes those about them. */
  webhookEvents?: Pick<EndpointStore, 'forgetPerson'>;
}

const STATUS_WORDS: Record<Status, string> = {
  detected: 'just detected',
  awaiting_address: 'waiting for an address',
  awaiting_approval: 'waiting for your approval',
  skipped: 'skipped',
  queued: 'about to be sent the script',
  asked: 'asked and the deadline is running',
  answered: 'answered',
  declined: 'declined',
  bounced: 'bounced',
  no_response: 'past the deadline without an answer',
  failed: 'failed (the script could not be sent)',
  accepted: 'accepted',
  rejected: 'rejected',
  handled: 'handled',
};

export function statusInWords(status: Status): string {
  return STATUS_WORDS[status];
}

/** Statuses from which the user may say they sent the script on the platform. */
export const SENDABLE_ON_PLATFORM: readonly Status[] = ['awaiting_address', 'awaiting_approval'];

function nameOf(contact: Contact): string {
  return contact.name?.trim() || '(no name)';
}

export function createContactActions({ store, queues, redis, settings, now, messageIdDomain, messageIdSecret, webhookEvents }: ContactActionsDeps) {

  function missing(id: string): ActionOutcome {
    return { ok: false, id, name: null, status: 'missing', problem: 'missing', message: `There is no one with id ${id}; they may have been erased.` };
  }

  function refused(contact: Contact, message: string, problem: ActionProblem = 'not_allowed'): ActionOutcome {
    return { ok: false, id: contact.id, name: nameOf(contact), status: contact.status, problem, message };
  }

  function done(contact: Contact, status: Status, message: string): ActionOutcome {
    return { ok: true, id: contact.id, name: nameOf(contact), status, message };
  }

  const ensureSendJob = (contact: Contact) => ensureScriptJob(queues, contact);

  /** The old deadline must not outlive a new script: the sender sets a fresh one when it goes out. */
  async function dropDeadline(contact: Contact): Promise<void> {
    await cancelDeadline(queues, contact);
  }

  /** Moves a person and says so; a second click on the same action finds them there already. */
  async function move(
    id: string,
    to: Status,
    patch: Partial<Contact>,
    event: { type: EventType; detail: string },
    words: { done: (name: string) => string; already: (name: string) => string; notNow: (contact: Contact) => string },
  ): Promise<{ outcome: ActionOutcome; contact: Contact | null; moved: boolean }> {
    const contact = await store.get(id);
    if (!contact) return { outcome: missing(id), contact: null, moved: false };
    if (contact.status === to) return { outcome: done(contact, to, words.already(nameOf(contact))), contact, moved: false };
    if (!canMove(contact.status, to)) return { outcome: refused(contact, words.notNow(contact)), contact, moved: false };
    const result = await store.transition(id, to, patch, { at: now(), ...event });
    if (!result.moved) {
      // Someone (a worker, another tab) moved them in between.
      if (result.status === 'missing') return { outcome: missing(id), contact: null, moved: false };
      return { outcome: refused({ ...contact, status: result.status }, words.notNow({ ...contact, status: result.status })), contact, moved: false };
    }
    return { outcome: done(contact, to, words.done(nameOf(contact))), contact: { ...contact, ...patch, status: to }, moved: true };
  }

  async function decideOne(id: string, decision: Decision): Promise<ActionOutcome & { changed?: boolean }> {
    const verb = decision === 'accepted' ? 'accept' : 'reject';
    const { outcome, moved } = await move(
      id,
      decision,
      { decidedAt: now() },
      { type: decision, detail: `${decision} by the user` },
      {
        done: (name) => `${name} is ${decision}.`,
        already: (name) => `${name} was already ${decision}.`,
        notNow: (contact) =>
          `${nameOf(contact)} cannot be ${decision} yet: they are ${statusInWords(contact.status)}. You can ${verb} people once they answered, declined, let the deadline pass, or you marked them handled.`,
      },
    );
    return { ...outcome, changed: moved };
  }

  /** Queues the person's next script and makes sure its job exists. */
  async function queueScript(
    contact: Contact,
    patch: Partial<Contact>,
    event: { type: EventType; detail: string },
    message: string,
  ): Promise<ActionOutcome> {
    const result = await store.transition(contact.id, 'queued', patch, { at: now(), ...event });
    if (!result.moved) {
      if (result.status === 'missing') return missing(contact.id);
      return refused({ ...contact, status: result.status }, `${nameOf(contact)} is now ${statusInWords(result.status)}; nothing was sent. Reload the page to see why.`);
    }
    await dropDeadline(contact);
    await ensureSendJob(contact);
    return done(contact, 'queued', message);
  }

  /** The same rule as for requests: the address itself, or its domain or a parent domain. */
  async function onBlockList(address: string): Promise<boolean> {
    return listMatch(address, (await settings.get()).blockList) !== null;
  }

  return {
    accept: (id: string) => decideOne(id, 'accepted'),
    reject: (id: string) => decideOne(id, 'rejected'),

    /** Accepts or rejects several people; each is reported, none stops the others. */
    async decide(ids: readonly string[], decision: Decision): Promise<BulkOutcome> {
      const unique = [...new Set(ids)];
      const results: Array<ActionOutcome & { changed?: boolean }> = [];
      // A few at a time: quick for a page of people, gentle on Redis for a long list.
      for (let i = 0; i < unique.length; i += 20) {
        results.push(...(await Promise.all(unique.slice(i, i + 20).map((id) => decideOne(id, decision)))));
      }
      return {
        decision,
        moved: results.filter((r) => r.ok && r.changed).length,
        unchanged: results.filter((r) => r.ok && !r.changed).length,
        refused: results.filter((r) => !r.ok).length,
        results: results.map(({ changed: _changed, ...result }) => result),
      };
    },

    /** Approval mode: lets a waiting script go out. */
    async approve(id: string): Promise<ActionOutcome> {
      const contact = await store.get(id);
      if (!contact) return missing(id);
      if (contact.status === 'queued') {
        await ensureSendJob(contact);
        return done(contact, 'queued', `The script to ${nameOf(contact)} is already on its way.`);
      }
      if (contact.status !== 'awaiting_approval') {
        return refused(contact, `${nameOf(contact)} is ${statusInWords(contact.status)}; only a script waiting for your approval can be approved.`);
      }
      if (!contact.email) return refused(contact, `${nameOf(contact)} has no address yet. Set one: that approves and sends the script.`);
      return queueScript(contact, {}, { type: 'approved', detail: `script approved by the user; to ${contact.email}` }, `Approved: the script to ${nameOf(contact)} is queued.`);
    },

    /**
     * Sets or corrects the address and sends the script to it: for people waiting for an address
     * or an approval (a typed address is an approval too), whose script bounced or failed, or who
     * were asked at an address the user now knows to be wrong.
     */
    async setAddress(id: string, input: string): Promise<ActionOutcome> {
      const contact = await store.get(id);
      if (!contact) return missing(id);
      const address = typedAddress(input);
      if (!address) return refused(contact, `"${input.trim().slice(0, 100)}" is not an address such as jane@example.org.`, 'invalid');
      if (await onBlockList(address)) return refused(contact, `${address} is on your block list (Settings); Winnow does not write to it.`);
      if (contact.status === 'queued') {
        if (contact.email?.toLowerCase() === address.toLowerCase()) {
          await ensureSendJob(contact);
          return done(contact, 'queued', `The script to ${nameOf(contact)} at ${address} is already on its way.`);
        }
        return refused(contact, `The script to ${nameOf(contact)} is being sent right now. Once it has gone out, correct the address here and it is sent again.`);
      }
      if (!canMove(contact.status, 'queued')) {
        return refused(
          contact,
          `${nameOf(contact)} is ${statusInWords(contact.status)}, so a new address would not be used. An address can be set while the person waits for one or for approval, or after a bounce, a failure or an unanswered script.`,
        );
      }
      // The address joins the person's dedupe keys, so a later request from it (a personal email,
      // say) finds them rather than getting a second script. An erased person's is refused: they
      // asked to be forgotten. One that leads to someone else stays theirs; the user chose to write.
      const dedupeKey = addressDedupeKey(address);
      const claim = await store.claimDedupe(id, dedupeKey, (await settings.get()).dedupeWindowMs);
      if (claim.outcome === 'forgotten') {
        return refused(contact, `${address} belonged to a person you erased and asked Winnow to forget; it does not write to that address again.`);
      }
      const previous = contact.email;
      const detail = previous && previous.toLowerCase() !== address.toLowerCase() ? `address corrected from ${previous} to ${address}; script queued` : `address set to ${address}; script queued`;
      const outcome = await queueScript(contact, { email: address, reason: null }, { type: 'address_set', detail }, `${nameOf(contact)}: the script is queued for ${address}.`);
      if (!outcome.ok && claim.outcome === 'claimed' && (await store.get(id))?.email?.toLowerCase() !== address.toLowerCase()) await store.releaseDedupe(id, dedupeKey);
      return outcome;
    },

    /** Sends the script once more (a new Message-ID; the deadline starts over when it goes out). */
    async sendAgain(id: string): Promise<ActionOutcome> {
      const contact = await store.get(id);
      if (!contact) return missing(id);
      if (!contact.email) return refused(contact, `${nameOf(contact)} has no address. Set one: that sends the script.`);
      if (contact.status === 'queued') {
        await ensureSendJob(contact);
        return done(contact, 'queued', `The script to ${nameOf(contact)} is already on its way.`);
      }
      if (!canMove(contact.status, 'queued') || contact.status === 'awaiting_address' || contact.status === 'awaiting_approval') {
        return refused(contact, `${nameOf(contact)} is ${statusInWords(contact.status)}; the script can be sent again while they have not answered (asked, past the deadline, bounced or failed).`);
      }
      return queueScript(contact, { reason: null }, { type: 'sent_again', detail: `script sent again to ${contact.email} at the user's request` }, `The script to ${nameOf(contact)} is queued again.`);
    },

    /**
     * The user pasted the script into the platform's message box and says so: the person is asked
     * on the platform, the deadline runs from now, and the platform's message notice from them
     * will bring their answer. Winnow itself never writes to them there, nor by mail.
     */
    async sentOnPlatform(id: string): Promise<ActionOutcome> {
      const contact = await store.get(id);
      if (!contact) return missing(id);
      const platform = platformLabelOf(contact.platform);
      if (platform === null) return refused(contact, `${nameOf(contact)}'s request came by mail, not through a platform; there is no platform to send the script on. Give an address, or mark them handled.`);
      if (contact.status === 'asked' && contact.channel === 'platform') return done(contact, 'asked', `You had already sent ${nameOf(contact)} the script on ${platform}.`);
      if (!SENDABLE_ON_PLATFORM.includes(contact.status)) {
        return refused(contact, `${nameOf(contact)} is ${statusInWords(contact.status)}; you can say you sent the script on ${platform} while they wait for an address or your approval.`);
      }
      const at = now();
      const current = await settings.get();
      const deadlineAt = at + current.deadlineMs;
      const result = await store.transition(
        id,
        'asked',
        { channel: 'platform', askedAt: at, deadlineAt, attempts: contact.attempts + 1, pausedUntil: null, reason: null },
        { at, type: 'sent_on_platform', detail: `you sent the script on ${platform}; their answer comes with ${platform}'s message notice` },
        SENDABLE_ON_PLATFORM,
      );
      if (!result.moved) {
        if (result.status === 'missing') return missing(id);
        return refused({ ...contact, status: result.status }, `${nameOf(contact)} is now ${statusInWords(result.status)}; nothing was recorded. Reload the page to see why.`);
      }
      // The job wakes for the reminder (a notice to you) or the deadline, whichever comes first.
      await scheduleDeadline(queues, contact, deadlineWakeAt({ askedAt: at, deadlineAt, pausedUntil: null }, current, at) ?? deadlineAt, at);
      return done(contact, 'asked', `${nameOf(contact)} is asked on ${platform}; their answer is awaited until ${new Date(deadlineAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.`);
    },

    /** The user took it from here (wrote on the platform by hand, say). */
    async markHandled(id: string): Promise<ActionOutcome> {
      const { outcome, contact, moved } = await move(
        id,
        'handled',
        { decidedAt: now() },
        { type: 'handled', detail: 'marked handled by the user' },
        {
          done: (name) => `${name} is marked handled.`,
          already: (name) => `${name} was already marked handled.`,
          notNow: (contact) => `${nameOf(contact)} is ${statusInWords(contact.status)} and cannot be marked handled${contact.status === 'queued' ? ' while the script is being sent' : ''}.`,
        },
      );
      if (moved && contact) await dropDeadline(contact);
      return outcome;
    },

    /** Everything Winnow holds about one person, for them or for the user's records. */
    async exportPerson(id: string): Promise<{ ok: true; export: PersonExport } | Extract<ActionOutcome, { ok: false }>> {
      const contact = await store.get(id);
      if (!contact) return missing(id) as Extract<ActionOutcome, { ok: false }>;
      const at = now();
      await store.note(id, { at, type: 'exported', detail: 'everything about this person was exported as JSON' });
      const [timeline, scripts] = await Promise.all([store.timeline(id), readLedgers(contact)]);
      return { ok: true, export: { format: 'winnow-person-export', version: 1, exportedAt: new Date(at).toISOString(), contact, timeline, scripts } };
    },

    /**
     * Erases a person: their record, timeline, send ledgers, their entries in the address, dedupe
     * and script Message-ID indexes and in the mailbox history, and every job naming them, queued
     * or finished. With `forget` (the default: erasing is usually a person's "forget me"), a hash
     * keyed with the server secret of each of their dedupe keys (invitation id,
     * address) is kept, so a new request from them is not recorded or answered; nothing else of
     * them remains. Without it, a new request from them is treated like anyone's.
     */
    async erase(id: string, options: { forget?: boolean; onlyIf?: ExpiryCondition } = {}): Promise<ActionOutcome & { jobsLeft?: number }> {
      const forget = options.forget ?? true;
      const contact = await store.get(id);
      if (!contact) return missing(id);
      // The expiry sweep's erase: a person who moved on keeps their jobs (store.erase checks again, atomically).
      if (options.onlyIf && contact.status !== options.onlyIf.status) return missing(id);
      const [timeline, recorded] = await Promise.all([store.timeline(id), store.dedupeKeysOf(id)]);
      const lastAttempt = contact.attempts + 1;
      const attempts = Array.from({ length: lastAttempt }, (_, i) => i + 1);

      const addresses = new Set<string>();
      for (const address of [contact.email, ...recorded.filter((key) => key.startsWith('address:')).map((key) => key.slice('address:'.length))]) {
        if (address) {
          addresses.add(address);
          addresses.add(address.toLowerCase());
        }
      }
      const personal = new Set<string>([...[...addresses].flatMap((address) => [`address:${address}`, addressDedupeKey(address)]), ...recorded.filter((key) => !key.startsWith('message:'))]);
      if (contact.invitationId) personal.add(`invitation:${contact.platform}:${contact.invitationId}`);
      const dedupe = new Set<string>([...personal, ...recorded]);
      if (contact.requestMessageId) dedupe.add(messageDedupeKey(contact.requestMessageId));

      const messageIds = new Set<string>();
      for (const messageId of [contact.scriptMessageId, ...timeline.map((entry) => entry.messageId)]) if (messageId) messageIds.add(messageId);
      // A reminder's id is remembered before it is sent, so one that never went out has no entry on the timeline.
      const domain = typeof messageIdDomain === 'function' ? await messageIdDomain(contact.mailbox) : messageIdDomain;
      if (domain && messageIdSecret) for (const n of attempts) messageIds.add(scriptMessageId(id, n, domain, messageIdSecret)).add(reminderMessageId(id, n, domain, messageIdSecret));

      // Jobs first: a send job left behind would find no one and do nothing, but a Sent-folder copy
      // job carries the whole script, and a finished incoming-mail job the whole request. Every
      // queue is searched, in every state, for jobs naming them: by id, address or Message-ID.
      // A job running right now cannot be removed (BullMQ answers 0 for a locked job); it is counted.
      const requestIds = [contact.requestMessageId, ...timeline.map((entry) => entry.messageId)].filter((messageId): messageId is string => Boolean(messageId));
      const { left: jobsLeft } = await removeJobsNaming(queues, redis, { id, names: [...addresses, ...messageIds, ...requestIds] });

      const erased = await store.erase(
        id,
        {
          own: attempts.flatMap((n) => [store.keys.ledger(id, n), store.keys.reminderLedger(id, n)]),
          indexes: [...[...addresses].map((address) => store.keys.address(address)), ...[...dedupe].map(store.keys.dedupe), ...[...messageIds].map(store.keys.scriptMessage)],
          forget: forget ? [...personal] : [],
          // The mailbox history is the user's own mail: it forgets the person's addresses only when
          // the user erases them to be forgotten, never for an erasure that lets them ask again (or
          // the expiry sweep's, of a record whose address anyone could have written into a From).
          addresses: forget && !options.onlyIf ? [...addresses] : [],
        },
        now(),
        options.onlyIf,
      );
      if (!erased) return missing(id);
      // The bodies of webhooks about them hold their name, address and answer; the delivery log keeps only ids.
      await webhookEvents?.forgetPerson(id);
      const name = nameOf(contact);
      const message = forget
        ? `${name} is erased. Only a keyed hash of their address${contact.invitationId ? ' and invitation' : ''} is kept, so they will not be sent the script again.`
        : `${name} is erased. Nothing of them is kept; a new request from them would be answered like anyone's.`;
      return { ...done(contact, contact.status, jobsLeft > 0 ? `${message} ${jobsLeft} job(s) running right now could not be removed; they find no one and end.` : message), jobsLeft };
    },
  };

  async function readLedgers(contact: Contact): Promise<PersonExport['scripts']> {
    const attempts = Array.from({ length: contact.attempts + 1 }, (_, i) => i + 1);
    const ledgers = await Promise.all(
      attempts.map(async (attempt) => {
        const [script, reminder] = await Promise.all([store.readLedger(contact.id, attempt, 'script'), store.readLedger(contact.id, attempt, 'reminder')]);
        const orNull = (ledger: SendLedger) => (Object.keys(ledger).length > 0 ? ledger : null);
        return { attempt, script: orNull(script), reminder: orNull(reminder) };
      }),
    );
    return ledgers.filter((entry) => entry.script !== null || entry.reminder !== null);
  }
}

export type ContactActions = ReturnType<typeof createContactActions>;
