import type { ContactStore, NewContact } from '../../src/contacts/store.ts';
import { NO_DETAILS, type Status } from '../../src/vocabulary/contact.ts';

/** Constructed people for the contact tests: not from mail, each with a name and invitation of its own. */

let serial = 0;

/** A LinkedIn invitation's person in `status`, requested at `at`, with `overrides` on top. */
export function constructedPerson(status: Status, at: number, overrides: Partial<NewContact> = {}): NewContact {
  serial += 1;
  return {
    status,
    platform: 'linkedin',
    name: `Person ${serial}`,
    firstName: 'Person',
    email: null,
    profileUrl: 'https://www.linkedin.com/in/person',
    headline: null,
    invitationId: `inv-${serial}`,
    subject: 'Invitation to connect',
    requestMessageId: `<r-${serial}@example.org>`,
    scriptMessageId: null,
    answerText: null,
    reason: null,
    requestedAt: at,
    askedAt: null,
    deadlineAt: null,
    answeredAt: null,
    ...NO_DETAILS,
    ...overrides,
  };
}

/** Records a constructed person as the inbound worker would (keyed on invitation and address); returns their id and dedupe keys. */
export async function recordPerson(store: ContactStore, status: Status, at: number, overrides: Partial<NewContact> = {}, dedupeWindowMs = 90 * 86_400_000): Promise<{ id: string; dedupe: string[] }> {
  const fields = constructedPerson(status, at, overrides);
  const dedupe = [...(fields.invitationId ? [`invitation:${fields.platform}:${fields.invitationId}`] : []), ...(fields.email ? [`address:${fields.email.toLowerCase()}`] : [])];
  const { created, id } = await store.create(fields, dedupe, dedupeWindowMs, { at, type: 'requested', detail: 'constructed request', messageId: fields.requestMessageId ?? undefined });
  if (!created) throw new Error('not created');
  return { id, dedupe };
}
