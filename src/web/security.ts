import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Compares a secret the client sent with the expected one in constant time. Both sides are hashed
 * first so that the comparison takes the same time whatever their lengths.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** 256 random bits, URL-safe: for session ids and CSRF tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The URL as a link target when it is an absolute http(s) URL, else null. Profile URLs come from
 * mail, so `javascript:`, `data:` and anything unparsable must never reach an href.
 */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // Credentials in a link only serve to disguise where it leads.
  if (url.username || url.password) return null;
  return url.href;
}
