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

/**
 * The value as a path of this dashboard to send a browser to (after a form, after logging in),
 * else null. Only "/" followed by printable ASCII, as our own links are; not "//host" or "/\host",
 * which browsers read as another site; no control character or raw non-ASCII letter, which
 * cannot go into a Location header (the answer would fail after the action was done).
 */
export function localPath(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 2000 && /^\/(?![/\\])[!-[\]-~]*$/.test(value) ? value : null;
}

type Directives = Record<string, string[]>;

/**
 * The dashboard's Content-Security-Policy. Pages load one stylesheet and one icon from this origin
 * and nothing else: no script unless a page asks for its own file (never inline), no inline style,
 * no framing, forms only to ourselves. Anything a hostile mail manages to put into a page despite
 * the escaping therefore cannot run or phone home.
 */
export const CONTENT_SECURITY_POLICY: Readonly<Directives> = Object.freeze({
  'default-src': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
});

/** What a page needs beyond the base policy; each adds one source, 'self', and nothing inline. */
export interface PagePolicy {
  /** Loads a script file of this origin (src/web/assets/*.js). */
  scripts?: boolean;
  /** Calls this origin with fetch(). */
  fetch?: boolean;
  /** Shows a frame of this origin (the template preview). */
  frames?: boolean;
}

/** The policy for a page: the base one plus what it asks for. */
export function pagePolicy(policy: PagePolicy = {}): Directives {
  const directives: Directives = { ...CONTENT_SECURITY_POLICY };
  if (policy.scripts) directives['script-src'] = ["'self'"];
  if (policy.fetch) directives['connect-src'] = ["'self'"];
  if (policy.frames) directives['frame-src'] = ["'self'"];
  return directives;
}

/**
 * The policy of a document that shows HTML the user wrote (a template preview). It is a sandbox
 * of its own: an opaque origin that can run no script, submit no form and load nothing but inline
 * styles and data: images (remote images would tell their host that someone looked), framed only
 * by the dashboard. The iframe showing it carries the sandbox attribute as well; this header keeps
 * the document harmless even when it is opened on its own.
 */
export const PREVIEW_POLICY: Readonly<Directives> = Object.freeze({
  'default-src': ["'none'"],
  'style-src': ["'unsafe-inline'"],
  'img-src': ['data:'],
  'form-action': ["'none'"],
  'frame-ancestors': ["'self'"],
  'base-uri': ["'none'"],
  sandbox: [],
});

/** Route options for @fastify/helmet that replace the global CSP for one route. */
export function routeCsp(directives: Readonly<Directives>) {
  return { contentSecurityPolicy: { useDefaults: false, directives: { ...directives } } };
}
