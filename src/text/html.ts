import { decodeHTML } from 'entities';

/** HTML text both ways: the one escaper for what we write, and entity decoding for what we read. */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // &#39;, not &apos;: HTML 4 mail clients (older Outlook) do not know &apos;.
  "'": '&#39;',
};

/** Escapes text for element content and for quoted attribute values (always quote attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/**
 * Every HTML entity decoded: all of HTML5's named ones ("&uuml;", "&eacute;"), the legacy forms
 * without a semicolon that browsers accept ("&uuml"), and numeric ones in decimal and hex. A
 * numeric entity naming no character (a lone surrogate, beyond U+10FFFF, zero) becomes U+FFFD,
 * as in a browser. Decoding is the `entities` package's job (the one htmlparser2 uses).
 */
export function decodeEntities(text: string): string {
  return decodeHTML(text);
}
