import { profileKeyOf } from '../detect/platform.ts';
import type { Platform } from '../vocabulary/platforms.ts';
import type { PlatformMessage } from '../detect/types.ts';
import { normaliseName } from '../text/names.ts';
import { AWAITING_ANSWER } from './lifecycle.ts';
import type { ContactStore } from './store.ts';
import type { Contact, Status } from '../vocabulary/contact.ts';

/**
 * Whose answer a platform's message notice is. Only people the user sent the script to on that
 * platform are candidates (asked there, or past the deadline: a late answer still counts). The
 * notice's profile or member id decides when it carries one; else the exact normalised name, and
 * only when exactly one candidate has it. A notice from anyone else changes nothing: Winnow never
 * creates a person from a message.
 */

export type NoticeMatch =
  | { kind: 'matched'; contact: Contact; how: string }
  | { kind: 'none' }
  /** Several people waiting on the platform share the sender's name, and nothing tells them apart. */
  | { kind: 'ambiguous'; contacts: Contact[] };

/** Whether the person waits for an answer on this platform (the user sent the script there). */
export function waitsOnPlatform(contact: Contact, platform: Platform): boolean {
  return contact.platform === platform && contact.channel === 'platform' && AWAITING_ANSWER.includes(contact.status);
}

/** Whether the person waits for an address and came through this platform (a relay may reach them). */
export function awaitsAddressOnPlatform(contact: Contact, platform: Platform): boolean {
  return contact.platform === platform && contact.status === 'awaiting_address';
}

/** `candidate`: who may be meant (by default, people asked on the platform and waiting for the answer). */
export function matchNotice(
  notice: Pick<PlatformMessage, 'platform' | 'name' | 'profileUrl'>,
  people: readonly Contact[],
  candidate: (contact: Contact, platform: Platform) => boolean = waitsOnPlatform,
): NoticeMatch {
  const waiting = people.filter((contact) => candidate(contact, notice.platform));
  const key = profileKeyOf(notice.platform, notice.profileUrl);
  const keyOf = (contact: Contact) => profileKeyOf(notice.platform, contact.profileUrl);
  if (key !== null) {
    const same = waiting.filter((contact) => keyOf(contact) === key);
    if (same.length === 1) return { kind: 'matched', contact: same[0]!, how: 'the profile link in the notice' };
    if (same.length > 1) return { kind: 'ambiguous', contacts: same };
  }
  const name = normaliseName(notice.name);
  if (name === '') return { kind: 'none' };
  // A person whose profile is of the same kind as the notice's, and another one, is someone else.
  const kind = key?.slice(0, key.indexOf(':') + 1) ?? null;
  const named = waiting.filter((contact) => {
    if (normaliseName(contact.name) !== name) return false;
    const theirs = keyOf(contact);
    return key === null || theirs === null || !theirs.startsWith(kind!);
  });
  if (named.length === 1) return { kind: 'matched', contact: named[0]!, how: 'the name in the notice (the only one waiting on the platform with it)' };
  if (named.length > 1) return { kind: 'ambiguous', contacts: named };
  return { kind: 'none' };
}

/** Everyone waiting for an answer on this platform (or, given `statuses`, in those), read from the status indexes. */
export async function waitingOnPlatform(store: ContactStore, platform: Platform, statuses: readonly Status[] = AWAITING_ANSWER): Promise<Contact[]> {
  const found: Contact[] = [];
  for (const status of statuses) {
    const ids = await store.idsWithStatus(status);
    // In slices, so a large status does not make one huge MGET.
    for (let i = 0; i < ids.length; i += 500) {
      for (const contact of await store.getMany(ids.slice(i, i + 500))) if (contact && contact.platform === platform && contact.status === status) found.push(contact);
    }
  }
  return found;
}
