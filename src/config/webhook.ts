/**
 * The form of the webhook settings (WEBHOOK_URL, WEBHOOK_SECRET and endpoints added later), checked
 * where the environment is read and again wherever an endpoint is saved. Whether the URL's host
 * may be reached is a question for DNS, answered in src/webhooks/address.ts.
 */

const SECRET_PREFIX = 'whsec_';
/** At least 24 bytes (192 bits) of key, as the Standard Webhooks specification asks of secrets. */
const MIN_KEY_BYTES = 24;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Why `secret` is not a Standard Webhooks secret (`whsec_` and base64), or null when it is one. */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return 'must start with whsec_ followed by base64 (e.g. the output of: echo whsec_$(openssl rand -base64 32))';
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return 'must be whsec_ followed by base64 (letters, digits, "+", "/" and "=" padding)';
  if (Buffer.from(encoded, 'base64').length < MIN_KEY_BYTES) return `must hold at least ${MIN_KEY_BYTES} bytes of key after whsec_ (32 characters of base64)`;
  return null;
}

/** The signing key inside a secret that passed webhookSecretProblem. */
export function webhookSecretKey(secret: string): Buffer {
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export const WEBHOOK_SECRET_PREFIX = SECRET_PREFIX;

/** Why `raw` cannot be a webhook URL by its form alone (http or https, a host, no password in it), or null. */
export function webhookUrlFormProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a web address such as https://crm.example.org/hooks/winnow';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must start with https:// or http:// (not ${url.protocol}//)`;
  if (url.hostname === '') return 'has no host name';
  // The URL is shown in the delivery log and the settings: a password in it would be shown too.
  if (url.username !== '' || url.password !== '') return 'must not hold a user name or password (the signature proves who sends)';
  return null;
}
