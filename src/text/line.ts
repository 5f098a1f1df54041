/**
 * One line of display text from a stranger's mail or file: control characters (CR, LF, C1),
 * direction overrides and isolates, zero-width marks and byte-order marks become spaces, lone
 * surrogates are made well-formed, whitespace is collapsed, and the length capped with "…".
 * Names, subjects and reasons are stored and shown this way.
 */

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function cleanLine(value: string, max = 200): string {
  const cleaned = value.toWellFormed().replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1).trimEnd()}…` : cleaned;
}
