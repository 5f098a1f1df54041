/**
 * A person's id as it appears in URLs, forms and our Message-IDs: a short base64url string
 * (see contactId in the contact store). Anything else is not one of ours.
 */
export const CONTACT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isContactId(value: string): boolean {
  return CONTACT_ID.test(value);
}
