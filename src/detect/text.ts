/**
 * Text helpers shared by the detectors: turning a body into plain text, cutting quoted text and
 * signatures, and cleaning attacker-controlled strings before they are stored or shown.
 * Every input here comes from a stranger's mail, so every pattern is linear and every output capped.
 */

/** Longest HTML body converted to text; a body beyond this is cut before conversion. */
const MAX_HTML_CHARS = 512 * 1024;

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * One line of display text: control characters (CR, LF, bidi overrides, zero-width marks)
 * removed, whitespace collapsed, length capped.
 */
export function cleanLine(value: string, max = 200): string {
  const cleaned = value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1).trimEnd()}…` : cleaned;
}

/** The body as plain text: the text part, or the HTML part converted when there is no text part. */
export function bodyText(message: { text: string; html: string }): string {
  if (message.text.trim() !== '') return normaliseNewlines(message.text);
  if (message.html.trim() !== '') return htmlToText(message.html);
  return '';
}

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  copy: '©',
  reg: '®',
  bull: '•',
  middot: '·',
  zwnj: '',
  zwj: '',
  shy: '',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      // Lone surrogates and out-of-range values would make an invalid string; drop them.
      if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '';
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

const INVISIBLE = ['script', 'style', 'head', 'title', 'template'];

/**
 * Drops comments and script/style/head blocks with one forward pass (indexOf, not a lazy regex:
 * many unclosed "<style" would make a regex rescan the rest of the body for each one).
 * An unclosed block swallows the rest, as a browser would.
 */
function withoutInvisibleBlocks(html: string): string {
  const lower = html.toLowerCase();
  let result = '';
  let at = 0;
  while (at < html.length) {
    const open = lower.indexOf('<', at);
    if (open < 0) break;
    let close: string | null = null;
    if (lower.startsWith('<!--', open)) close = '-->';
    else {
      const name = INVISIBLE.find((tag) => lower.startsWith(`<${tag}`, open) && !/[a-z0-9-]/.test(lower[open + tag.length + 1] ?? ''));
      if (name) close = `</${name}`;
    }
    if (close === null) {
      result += html.slice(at, open + 1);
      at = open + 1;
      continue;
    }
    result += `${html.slice(at, open)} `;
    const end = lower.indexOf(close, open + 1);
    if (end < 0) return result;
    const after = close === '-->' ? end + 3 : lower.indexOf('>', end);
    if (after < 0) return result;
    at = close === '-->' ? after : after + 1;
  }
  return result + html.slice(at);
}

const QUOTE_START = '\u0001QUOTE_START\u0001';
const QUOTE_END = '\u0001QUOTE_END\u0001';

/**
 * A small HTML-to-text conversion: enough to read an answer or find a phrase, not a renderer.
 * Blockquotes become "> " lines so that quote stripping treats them like quoted plain text.
 * (html-to-text is only a transitive dependency through mailparser, so it is not imported here.)
 */
export function htmlToText(html: string): string {
  let text = withoutInvisibleBlocks(html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html);
  text = text
    // [^<>] rather than [^>]: a run of unclosed "<" must not make each match rescan the body.
    .replace(/<blockquote\b[^<>]*>/gi, `\n${QUOTE_START}\n`)
    .replace(/<\/blockquote\s*>/gi, `\n${QUOTE_END}\n`)
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<hr\b[^<>]*>/gi, '\n________________________________\n')
    .replace(/<li\b[^<>]*>/gi, '\n• ')
    .replace(/<\/?(?:p|div|tr|table|ul|ol|h[1-6]|section|article|header|footer|pre|center)\b[^<>]*>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(/<[^<>]*>/g, '');
  text = decodeEntities(text).replace(/\u00a0/g, ' ');
  const lines: string[] = [];
  let depth = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[ \t]+/g, ' ').trim();
    if (line === QUOTE_START) {
      depth += 1;
      continue;
    }
    if (line === QUOTE_END) {
      depth = Math.max(0, depth - 1);
      continue;
    }
    lines.push(depth > 0 ? `${'> '.repeat(depth)}${line}`.trimEnd() : line);
  }
  return collapseBlankLines(lines.join('\n')).trim();
}

function collapseBlankLines(text: string): string {
  return text.replace(/\n{3,}/g, '\n\n');
}

// "On Mon, 1 Jan 2024 at 10:00, Jane Doe <jane@example.com> wrote:", possibly wrapped over lines.
const ATTRIBUTION_START = /^\s*(?:On|Am|Le|El|Il|Op|Em|Den|W dniu)\s.{0,300}$/;
// Case-sensitive on purpose: a line of prose starting "on the other hand" is not an attribution.
const ATTRIBUTION_END = /(?:[Ww]rote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał)\s*:\s*$/;
const ATTRIBUTION_ONE_LINE = /^\s*(?:On|Am|Le|El|Il|Op|Em|Den|W dniu)\s.{0,300}(?:[Ww]rote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał)\s*:\s*$/;
const SEPARATORS = [
  /^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Originalnachricht|Original message)\s*-{2,}\s*$/i,
  /^\s*-{2,}\s*Forwarded message\s*-{2,}/i,
  /^\s*Begin forwarded message:\s*$/i,
  /^\s*-{3,}\s*Reply above this line\s*-{3,}/i,
];
const SIGNATURE_LINES = [
  /^-- ?$/,
  /^\s*Sent from my (?:iPhone|iPad|Android|BlackBerry|mobile|phone|Samsung|Galaxy|Pixel|smartphone|Windows Phone)\b.*$/i,
  /^\s*Sent from (?:Mail|Outlook|Yahoo Mail|Gmail|Proton ?Mail|my mobile device)\b.*$/i,
  /^\s*Get Outlook for (?:iOS|Android)\b.*$/i,
  /^\s*(?:Von meinem|Envoyé de mon|Enviado desde mi|Inviato da) .*$/i,
];
// Outlook's header block of the quoted mail: "From: X" then "Sent: ..." or "Date: ...".
const OUTLOOK_FROM = /^\s*\*?(?:From|Von|De|Da)\s*:\*?\s+\S/i;
const OUTLOOK_NEXT = /^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|To|An|À|Para|Subject|Betreff)\s*:\*?\s*/i;
const UNDERSCORE_RULE = /^\s*_{10,}\s*$/;

/**
 * The new part of a mail's text: everything from the first quote header ("On ... wrote:",
 * "-----Original Message-----", an Outlook "From: ... Sent: ..." block, a forwarded-message
 * marker) or signature ("-- ", "Sent from my iPhone") on is cut, and remaining "> " lines dropped.
 */
export function stripQuoted(text: string): string {
  const lines = normaliseNewlines(text).split('\n');
  let end = lines.length;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (!/\S/.test(line)) continue;
    if (cutsHere(lines, index, line)) {
      end = index;
      break;
    }
  }
  const kept = lines.slice(0, end).filter((line) => !/^\s*>/.test(line));
  return collapseBlankLines(kept.map((line) => line.trimEnd()).join('\n')).trim();
}

function cutsHere(lines: string[], index: number, line: string): boolean {
  // Attributions carry a date ("On Tue, 5 Mar 2024 at 10:00, Jane wrote:"); prose that starts
  // with "On" and later says "wrote:" usually does not.
  if (ATTRIBUTION_ONE_LINE.test(line) && /\d/.test(line)) return true;
  if (ATTRIBUTION_START.test(line) && /\d/.test(line)) {
    // Mail clients wrap long attributions; look a line or two ahead for the "wrote:".
    for (let ahead = index + 1; ahead <= index + 2 && ahead < lines.length; ahead += 1) {
      const next = lines[ahead] ?? '';
      if (next.trim() === '' || /^\s*>/.test(next)) break;
      if (ATTRIBUTION_END.test(next)) return true;
    }
  }
  if (SEPARATORS.some((pattern) => pattern.test(line))) return true;
  if (SIGNATURE_LINES.some((pattern) => pattern.test(line))) return true;
  if (UNDERSCORE_RULE.test(line)) {
    const next = nextNonEmpty(lines, index + 1);
    if (next !== null && OUTLOOK_FROM.test(lines[next] ?? '')) return true;
  }
  if (OUTLOOK_FROM.test(line)) {
    const next = nextNonEmpty(lines, index + 1);
    if (next !== null && next <= index + 2 && OUTLOOK_NEXT.test(lines[next] ?? '')) return true;
  }
  return false;
}

function nextNonEmpty(lines: string[], from: number): number | null {
  for (let index = from; index < lines.length && index < from + 3; index += 1) {
    if ((lines[index] ?? '').trim() !== '') return index;
  }
  return null;
}

/** Curly apostrophes and quotes as straight ones, so "I’d" and "I'd" match the same pattern. */
export function straightenQuotes(text: string): string {
  return text.replace(/[‘’ʼ′]/g, "'").replace(/[“”„″]/g, '"');
}

/** True when a subject marks a reply or a forward ("Re:", "Fwd:", "AW:", "[list] Re:"). */
export function isReplyOrForwardSubject(subject: string): boolean {
  return /^\s*(?:\[[^\]]{0,80}\]\s*)?(?:re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|r)\s*(?:\[\d+\]|\(\d+\))?\s*:/i.test(subject);
}

/** http(s) URLs in plain text, and href targets in HTML, entity-decoded, in order of appearance. */
export function extractUrls(text: string, html = ''): string[] {
  const urls: string[] = [];
  for (const match of text.matchAll(/https?:\/\/[^\s<>"')\]]+/gi)) urls.push(match[0]);
  const source = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  for (const match of source.matchAll(/\bhref\s*=\s*(?:"([^"]{0,4096})"|'([^']{0,4096})')/gi)) {
    const url = decodeEntities((match[1] ?? match[2] ?? '').trim());
    if (/^https?:\/\//i.test(url)) urls.push(url);
  }
  return urls;
}

export function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'herr', 'frau', 'mme', 'mlle', 'm']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'mba', 'esq', 'cpa', 'pmp', 'msc', 'bsc', 'ma', 'ba', 'dds', 'cfa', 'pe']);

function bareWord(word: string): string {
  return word.toLowerCase().replace(/[.()'"]/g, '');
}

/** The first name from a display name: "Jane Doe" → "Jane", "Doe, Jane" → "Jane", "Dr. Jane Doe" → "Jane". */
export function firstNameOf(name: string): string {
  let rest = name.trim().replace(/^["'“‘(\s]+|["'”’)\s]+$/g, '');
  const comma = rest.indexOf(',');
  if (comma > 0) {
    const before = rest.slice(0, comma).trim();
    const after = rest.slice(comma + 1).trim();
    const afterFirst = after.split(/\s+/)[0] ?? '';
    // "Doe, Jane" is the directory form; "Jane Doe, PhD" carries a suffix after the comma.
    if (after !== '' && !before.includes(' ') && !SUFFIXES.has(bareWord(afterFirst))) rest = after;
    else rest = before;
  }
  const words = rest.split(/\s+/).filter((word) => word !== '');
  while (words.length > 1 && HONORIFICS.has(bareWord(words[0] ?? ''))) words.shift();
  const first = (words[0] ?? '').replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}.'’-]+$/gu, '');
  return first.includes('@') ? '' : cleanLine(first, 60);
}
