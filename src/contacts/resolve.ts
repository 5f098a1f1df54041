import { domainOf, inDomain, isOwnAddress, refusalFor } from '../detect/address.ts';
import { isMailboxAddress } from '../text/address.ts';
import type { ClassifyContext, PlatformMessage } from '../detect/types.ts';
import { PLATFORM_LABELS, type Platform } from '../vocabulary/platforms.ts';
import type { Settings } from '../settings/settings.ts';
import { normaliseName } from '../text/names.ts';

/**
 * Who receives the script (design.md, "Who receives the script"), and whether they should get one
 * at all: pure decisions over what the request, the address book, the mailbox history and the
 * settings say. The I/O that gathers those facts lives in src/workers/inbound.ts.
 */

// ---------------------------------------------------------------------------------------------
// Address resolution

/** Where a person's address came from, in the order they are tried. */
export type AddressSource = 'from' | 'reply_to' | 'address_book' | 'history' | 'relay';

/** What the mailbox history knows of a name, or why it could not say. */
export interface HistoryAnswer {
  addresses: string[];
  /** Why the history could not be read (IMAP trouble), or null. The index as it stood was still used. */
  trouble: string | null;
}

export interface ResolutionInput {
  name: string;
  /** The address classify() found in the request mail itself (already checked), or null. */
  requestAddress: string | null;
  /** The request's From address, to tell a personal From from a relaying Reply-To. */
  fromAddress: string | null;
  /** Addresses the address book lists under this name; null when the book could not be read. */
  addressBook: string[] | null;
  history: HistoryAnswer | null;
  context: ClassifyContext;
}

export type Resolution =
  | { address: string; source: AddressSource; detail: string }
  | { address: null; source: null; detail: string };

const SOURCE_WORDS: Record<AddressSource, string> = {
  from: 'the sender of the request',
  reply_to: 'the Reply-To of the request',
  address_book: 'your address book',
  history: 'earlier mail with this person (mailbox history)',
  relay: "the platform's reply relay in their message notice",
};

export function describeSource(source: AddressSource): string {
  return SOURCE_WORDS[source];
}

/** The one address a list offers once robots, platforms and the user are removed, or why none. */
export function uniqueAddress(candidates: readonly string[], context: ClassifyContext): { address: string } | { address: null; why: string } {
  const usable = [...new Set(candidates.map((address) => address.trim().toLowerCase()))].filter((address) => refusalFor(address, context) === null);
  if (usable.length === 1) return { address: usable[0]! };
  if (usable.length === 0) return { address: null, why: candidates.length === 0 ? 'has none' : 'has none we may write to' };
  // Two people of one name, or one person with two addresses: guessing could reach a stranger.
  return { address: null, why: `has ${usable.length} different addresses for this name (${usable.slice(0, 3).join(', ')}${usable.length > 3 ? ', …' : ''})` };
}

/**
 * The design's order: an address in the request itself (a personal From, or a Reply-To that
 * reaches the person; both decided by classify), then the address book, then mailbox history.
 * A name only counts when it points to exactly one address.
 */
export function resolveAddress(input: ResolutionInput): Resolution {
  const { context } = input;
  if (input.requestAddress && refusalFor(input.requestAddress, context) === null) {
    const address = input.requestAddress.toLowerCase();
    const source: AddressSource = input.fromAddress?.toLowerCase() === address ? 'from' : 'reply_to';
    return { address, source, detail: `address ${address} from ${SOURCE_WORDS[source]}` };
  }
  const tried = ['the request carries none'];
  if (normaliseName(input.name) === '') {
    return { address: null, source: null, detail: `no address: the request carries none, and its name is not one to look up` };
  }
  if (input.addressBook === null) {
    tried.push('your address book could not be read');
  } else {
    const found = uniqueAddress(input.addressBook, context);
    if (found.address !== null) return { address: found.address, source: 'address_book', detail: `address ${found.address} from ${SOURCE_WORDS.address_book}` };
    tried.push(`your address book ${found.why}`);
  }
  if (input.history) {
    const found = uniqueAddress(input.history.addresses, context);
    if (found.address !== null) {
      const note = input.history.trouble ? ` (history not brought up to date: ${input.history.trouble})` : '';
      return { address: found.address, source: 'history', detail: `address ${found.address} from ${SOURCE_WORDS.history}${note}` };
    }
    tried.push(`mailbox history ${found.why}${input.history.trouble ? ` (and could not be brought up to date: ${input.history.trouble})` : ''}`);
  } else {
    tried.push('mailbox history was not consulted');
  }
  return { address: null, source: null, detail: `no address: ${tried.join('; ')}` };
}

/** A platform's reply relay offered as a person's address, from their message notice. */
export interface RelayInput {
  relay: string | null;
  /** How the notice's authentication went: only a signature that passed for the platform counts. */
  authentication: PlatformMessage['authentication'];
  /** The user's setting: relays may be written to. */
  sendToRelays: boolean;
  context: ClassifyContext;
}

/**
 * Whether the script may go to a platform's reply relay (InMail's …@reply.linkedin.com). A relay
 * is not the person's own address, so only when the user allowed it, and only from a notice whose
 * DKIM passed for the platform: the relay is then the platform's word, not a sender's, and Winnow
 * cannot be pointed at an address of a forger's choosing. refusalFor would refuse it as a platform
 * address; that rule is for addresses found in mail, and this is the one exception, decided here.
 */
export function relayAsAddress(input: RelayInput): Resolution {
  const relay = input.relay?.trim().toLowerCase() ?? '';
  if (relay === '') return { address: null, source: null, detail: 'the notice carries no relay' };
  if (!input.sendToRelays) return { address: null, source: null, detail: `${relay} is a relay, not their own address, and relays are not written to (Settings)` };
  if (input.authentication !== 'pass') return { address: null, source: null, detail: `the relay ${relay} came with a notice whose authentication did not pass` };
  if (!isMailboxAddress(relay) || isOwnAddress(relay, input.context)) return { address: null, source: null, detail: `${relay} is not an address to write to` };
  return { address: relay, source: 'relay', detail: `address ${relay} from ${SOURCE_WORDS.relay} (relays allowed in Settings)` };
}

// ---------------------------------------------------------------------------------------------
// Known people

/** What the mailbox history says of the user's own mail to an address. */
export interface WrittenTo {
  /** Date of the latest mail the user sent to it, when known (ms since epoch). */
  lastAt: number | null;
  /** The folder it was found in. */
  folder: string;
}

/**
 * People the user has written to are known, not strangers: no script. The reason starts with
 * "known:" and says how we know.
 */
export function knownReason(address: string, written: WrittenTo | null): string | null {
  if (!written) return null;
  const when = written.lastAt !== null && Number.isFinite(written.lastAt) ? `, last on ${new Date(written.lastAt).toISOString().slice(0, 10)}` : '';
  return `known: you have written to ${address} before (found in your ${written.folder} folder${when})`;
}

// ---------------------------------------------------------------------------------------------
// The settings on the inbound side

export interface ListMatch {
  entry: string;
  kind: 'address' | 'domain';
}

/** The block- or allow-list entry an address falls under (the address itself, or its domain or a parent domain). */
export function listMatch(address: string | null, list: readonly string[]): ListMatch | null {
  if (!address) return null;
  const lower = address.trim().toLowerCase();
  let domainHit: ListMatch | null = null;
  for (const raw of list) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry.includes('@')) {
      if (entry === lower) return { entry, kind: 'address' };
    } else if (!domainHit && domainOf(lower) !== '' && inDomain(lower, entry)) {
      domainHit = { entry, kind: 'domain' };
    }
  }
  return domainHit;
}

export type RequestDecision =
  /** No person is recorded: the mail is left alone, as classify would have left it. */
  | { status: 'ignored'; reason: string }
  | { status: 'skipped'; reason: string }
  | { status: 'awaiting_address'; reason: string }
  /** `reason` says why the script waits when it is not the approval mode: the sender is not authenticated. */
  | { status: 'awaiting_approval'; reason: string | null; allowed: ListMatch | null }
  | { status: 'queued'; reason: null; allowed: ListMatch | null };

export interface DecisionInput {
  platform: Platform;
  /** The address the script would go to, after resolution; null when none was found. */
  address: string | null;
  /** Why no address was found (the resolution's detail), used when `address` is null. */
  noAddressReason: string;
  /** knownReason() for the address, or null. */
  known: string | null;
  /**
   * Why the request is not authenticated, in words, or null when it is: then the script goes out
   * on its own only where `settings.unverifiedMail` is accept and the address is in the mail itself.
   */
  unverified: string | null;
  /** Where the address came from: one found by name (address book, history) for unverified mail always waits for approval. */
  source: AddressSource | null;
  settings: Pick<Settings, 'blockList' | 'allowList' | 'platforms' | 'mode' | 'unverifiedMail'>;
}

/**
 * What becomes of a request once its address is resolved. The block list wins over everything;
 * an allowed address or domain is answered although the person is known or their platform is off.
 * Where both lists match, the more precise entry wins (an allowed address inside a blocked domain
 * is answered), and block wins a tie. A script goes out on its own only to an authenticated
 * sender (design.md, "Who receives the script"): an unverified request waits for the user's
 * approval with the reason, allowed or not (an allow-list entry is an address anyone can write in
 * a From), unless the user chose to answer unverified senders hands-off; an address found by name
 * for unverified mail waits even then. Mail forged in a platform's name and robot mail never get
 * this far: classify has already ignored them.
 */
export function decideRequest(input: DecisionInput): RequestDecision {
  const { settings } = input;
  const blocked = listMatch(input.address, settings.blockList);
  const allowed = listMatch(input.address, settings.allowList);
  const allowWins = allowed !== null && (blocked === null || (allowed.kind === 'address' && blocked.kind === 'domain'));
  if (blocked && !allowWins) {
    return { status: 'skipped', reason: `blocked: ${blocked.kind === 'address' ? `${blocked.entry} is` : `the domain ${blocked.entry} is`} on your block list` };
  }
  const allowedBy = allowWins ? allowed : null;
  if (input.unverified && settings.unverifiedMail === 'ignore') {
    return { status: 'ignored', reason: `ignored: ${input.unverified}; unverified senders are set to be left alone` };
  }
  if (settings.platforms[input.platform] === false && !allowedBy) {
    return { status: 'skipped', reason: `platform off: requests from ${input.platform === 'email' ? 'personal email' : PLATFORM_LABELS[input.platform]} are switched off in the settings` };
  }
  if (input.known && !allowedBy) return { status: 'skipped', reason: input.known };
  if (!input.address) return { status: 'awaiting_address', reason: input.noAddressReason };
  if (input.unverified) {
    const byName = input.source === 'address_book' || input.source === 'history';
    if (byName) {
      return { status: 'awaiting_approval', reason: `unverified: ${input.address} was found by name in ${SOURCE_WORDS[input.source!]}, for mail whose sender is not authenticated (${input.unverified})`, allowed: allowedBy };
    }
    if (settings.unverifiedMail !== 'accept') return { status: 'awaiting_approval', reason: `unverified: ${input.unverified}`, allowed: allowedBy };
  }
  return settings.mode === 'approval' ? { status: 'awaiting_approval', reason: null, allowed: allowedBy } : { status: 'queued', reason: null, allowed: allowedBy };
}

/** "allowed: jane@example.org is on your allow list", for the timeline. */
export function allowedNote(match: ListMatch): string {
  return `allowed: ${match.kind === 'address' ? `${match.entry} is` : `the domain ${match.entry} is`} on your allow list`;
}
