import type { ClassifyContext } from '../detect/types.ts';
import { ensureScriptJob, type Queues } from '../queues/queues.ts';
import type { SettingsStore } from '../settings/settings.ts';
import type { AddressBook } from './address-book.ts';
import { decideRequest, describeSource, knownReason, uniqueAddress, type RequestDecision, type WrittenTo } from './resolve.ts';
import { addressDedupeKey, type ContactStore } from './store.ts';
import type { Contact, ContactEvent, Status } from '../vocabulary/contact.ts';

/**
 * People waiting for an address get one when it turns up after their request: the same invitation
 * sent again (src/workers/inbound.ts), or an address book imported since (by the CLI or the API). They
 * then move on as a new request with that address would: queued (their script goes out), awaiting
 * approval, or skipped (known, blocked, platform off), with the reason on their timeline.
 */

/** What became of one person who was given an address. */
export type AddressOutcome =
  | { outcome: 'moved'; status: Status }
  /** An erased person's address (they asked to be forgotten): not used; the person keeps waiting. */
  | { outcome: 'forgotten' }
  /** No longer waiting for an address (the user set one, say, in the meantime): nothing changed. */
  | { outcome: 'moved_on' };

/** A request's decision once an address was found for it. */
export type AddressedDecision = Exclude<RequestDecision, { status: 'ignored' | 'awaiting_address' }>;

/**
 * Gives a person who is waiting for an address the address `address`, as `decision` says. The
 * address joins their dedupe keys, so a later request from it (a personal email, say) finds them
 * instead of getting a second script; an address that already belongs to someone else here within
 * the dedupe window is a duplicate: skipped, no second script.
 */
export async function giveAddress(
  deps: { store: ContactStore; queues: Pick<Queues, 'send'> },
  contact: Contact,
  address: string,
  decision: AddressedDecision,
  dedupeWindowMs: number,
  event: Omit<ContactEvent, 'type'>,
): Promise<AddressOutcome> {
  const { store, queues } = deps;
  const dedupeKey = addressDedupeKey(address);
  const claim = await store.claimDedupe(contact.id, dedupeKey, dedupeWindowMs);
  if (claim.outcome === 'forgotten') return { outcome: 'forgotten' };
  let status: Status = decision.status;
  let reason = decision.reason;
  if (claim.outcome === 'taken') {
    status = 'skipped';
    reason = `duplicate: ${address} belongs to another person here who asked within the dedupe window; one script per address`;
  }
  const what = status === 'queued' ? 'script queued' : status === 'awaiting_approval' ? 'the script waits for your approval' : `skipped (${reason})`;
  const moved = await store.transition(contact.id, status, { email: address, reason }, { ...event, type: 'address_set', detail: `${event.detail}; ${what}` }, ['awaiting_address']);
  if (!moved.moved) {
    // Given back unless the person has this address after all (another step gave it meanwhile).
    if (claim.outcome === 'claimed' && (await store.get(contact.id))?.email?.toLowerCase() !== address.toLowerCase()) await store.releaseDedupe(contact.id, dedupeKey);
    return { outcome: 'moved_on' };
  }
  if (status === 'queued') await ensureScriptJob(queues, contact);
  return { outcome: 'moved', status };
}

export interface AwaitingDeps {
  store: ContactStore;
  queues: Pick<Queues, 'send'>;
  settings: SettingsStore;
  addressBook: AddressBook;
  /** The user's own addresses and our Message-ID domain: never an address to write to. */
  context: ClassifyContext;
  /** Whom the user has written to (the mailbox history as it stands): those are known, not strangers. */
  wroteTo: (address: string) => Promise<WrittenTo | null>;
  now: () => number;
}

export interface AwaitingSummary {
  /** People who were waiting for an address. */
  waiting: number;
  /** Of them, those whose name the address book now gives one address for, and what became of them. */
  queued: number;
  awaitingApproval: number;
  skipped: number;
  /** Still waiting: no address, several, or an erased person's. */
  stillWaiting: number;
}

/** People looked at per round trip. */
const BATCH = 100;

/**
 * Looks everyone waiting for an address up in the address book again (call it after an import):
 * those whose name now gives exactly one address get it, and move on as a new request would.
 */
export async function resolveAwaiting(deps: AwaitingDeps): Promise<AwaitingSummary> {
  const { store, addressBook, context } = deps;
  const summary: AwaitingSummary = { waiting: 0, queued: 0, awaitingApproval: 0, skipped: 0, stillWaiting: 0 };
  const ids = await store.idsWithStatus('awaiting_address');
  const settings = await deps.settings.get();
  for (let start = 0; start < ids.length; start += BATCH) {
    const people = (await store.getMany(ids.slice(start, start + BATCH))).filter((contact): contact is Contact => contact?.status === 'awaiting_address');
    const outcomes = await Promise.all(
      people.map(async (contact): Promise<AddressOutcome | null> => {
        const found = uniqueAddress(await addressBook.addressesFor(contact.name), context);
        if (found.address === null) return null;
        const address = found.address;
        // A person recorded from unverified mail keeps that mark: a name match then waits for approval.
        const unverified = contact.flags.includes('unverified') ? `their ${contact.platform === 'email' ? 'mail' : 'notification'} was not authenticated` : null;
        const decision = decideRequest({ platform: contact.platform, address, noAddressReason: '', known: knownReason(address, await deps.wroteTo(address)), unverified, source: 'address_book', settings });
        if (decision.status === 'ignored' || decision.status === 'awaiting_address') return null;
        return giveAddress(deps, contact, address, decision, settings.dedupeWindowMs, { at: deps.now(), detail: `address ${address} from ${describeSource('address_book')} (imported after the request)` });
      }),
    );
    for (const result of outcomes) {
      if (result?.outcome === 'moved_on') continue;
      summary.waiting += 1;
      if (result?.outcome !== 'moved') summary.stillWaiting += 1;
      else if (result.status === 'queued') summary.queued += 1;
      else if (result.status === 'awaiting_approval') summary.awaitingApproval += 1;
      else summary.skipped += 1;
    }
  }
  return summary;
}
