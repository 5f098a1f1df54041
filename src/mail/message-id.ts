/**
 * The Message-IDs Winnow gives its scripts: `winnow.<contact>.<attempt>@<the user's domain>`.
 * They name the person, so an answer leads straight back to them; src/detect/thread.ts reads them.
 */
export const SCRIPT_ID_PREFIX = 'winnow.';

export function scriptMessageId(contactId: string, attempt: number, domain: string): string {
  return `${SCRIPT_ID_PREFIX}${contactId}.${attempt}@${domain}`;
}

/** The domain of the user's own address, which our Message-IDs carry. */
export function messageIdDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'winnow.invalid';
}
