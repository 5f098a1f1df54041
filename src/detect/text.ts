import { decodeEntities } from '../text/html.ts';
import { alternation } from '../text/regex.ts';
import { ALL_PHRASES, fold, wordsOf } from './phrases/index.ts';

/**
 * Text helpers shared by the detectors: turning a body into plain text, cutting quoted text and
 * signatures, finding links. (Folding, escaping, entity decoding, name and subject rules are the
 * shared vocabulary in src/text/.) Every input here comes from a stranger's mail, so every
 * pattern is linear and every output capped.
 *
 * Quote stripping is written here rather than taken from a library: the maintained one on npm
 * (email-reply-parser 2.x) asks for Node 22, and its quote-header patterns run in quadratic time
 * on a long line (about 1.8 s for one crafted 100 kB reply), which a stranger's mail must not cost.
 */

/** Longest HTML body converted to text; a body beyond this is cut before conversion. */
const MAX_HTML_CHARS = 512 * 1024;

/** The body as plain text: the text part, or the HTML part converted when there is no text part. */
export function bodyText(message: { text: string; html: string }): string {
  if (message.text.trim() !== '') return normaliseNewlines(message.text);
  if (message.html.trim() !== '') return htmlToText(message.html);
  return '';
}

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
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
  // Soft hyphens and zero-width joiners ("inter&shy;ested") would split a word a phrase must find.
  text = decodeEntities(text).replace(/\u00a0/g, ' ').replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, '');
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

/** Most lines read when looking for the start of quoted text. */
const MAX_LINES = 5000;

/** An alternation of folded words in which a space stands for any run of whitespace. */
function spacedAlternation(words: readonly string[]): string {
  return alternation(words).replace(/ /g, '\\s+');
}

/** Patterns built once from every language's quote words (all folded). */
const QUOTES = (() => {
  const all = ALL_PHRASES.map((phrases) => phrases.quotes);
  const starts = spacedAlternation([...all.flatMap((quotes) => quotes.attributionStart), 'den', 'w dniu', 'dnia', 'pe']);
  const verbs = spacedAlternation([...all.flatMap((quotes) => quotes.attributionVerb), 'skrev', 'napisal', 'pisze', 'kirjoitti']);
  const separators = spacedAlternation(all.flatMap((quotes) => quotes.originalMessage));
  return {
    // "On Tue, 5 Mar 2024 at 10:00, Jane <jane@example.org> wrote:", "Am ... schrieb Jane <...>:", "Le ... a écrit :"
    attributionStart: new RegExp(`^(?:${starts})\\s`),
    attributionEnd: new RegExp(`(?:^|\\s)(?:${verbs})(?:\\s[^:]{0,200})?\\s?:$`),
    // "2024-03-05 10:00 GMT+01:00 Jane Doe <jane@example.org>:" (older Gmail)
    datedAddress: /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\s.{0,200}(?:<[^<>]{1,200}>|\S@\S{1,200})\s?:$/,
    separator: new RegExp(`^(?:-{2,}|_{2,}|={2,})?\\s*(?:${separators})\\s*(?:-{2,}|_{2,}|={2,}|:)?$`),
    headerFrom: new RegExp(`^\\*?(?:${spacedAlternation(all.flatMap((quotes) => quotes.headerFrom))})\\s*:\\*?\\s+\\S`),
    headerField: new RegExp(`^\\*?(?:${spacedAlternation(all.flatMap((quotes) => quotes.headerFields))})\\s*:\\*?(?:\\s|$)`),
    sentFrom: all.flatMap((quotes) => quotes.sentFrom),
    valedictions: all.flatMap((quotes) => quotes.valedictions),
  };
})();

/**
 * The new part of a reply: everything from the first quote header ("On ... wrote:" and its
 * translations, "-----Original Message-----", an Outlook "From: ... Sent: ..." block, a forwarded-
 * message marker) or signature ("-- ", "Sent from my iPhone" and kin) on is cut, "> " lines are
 * dropped, and a signature block under a closing ("Best regards,\nJane\n...") is cut below the name.
 */
export function stripQuoted(text: string): string {
  const lines = normaliseNewlines(text).split('\n').slice(0, MAX_LINES);
  const folded = lines.map((line) => (line.length > 2000 ? '' : fold(line)));
  let end = lines.length;
  for (let index = 0; index < lines.length; index += 1) {
    if ((folded[index] ?? '') === '' && !/^-- ?$/.test(lines[index] ?? '')) continue;
    if (cutsHere(lines, folded, index)) {
      end = index;
      break;
    }
  }
  end = signatureEnd(folded, end);
  const kept = lines.slice(0, end).filter((line) => !/^\s*>/.test(line));
  return collapseBlankLines(kept.map((line) => line.trimEnd()).join('\n')).trim();
}

function nextNonEmpty(folded: string[], from: number, within: number): number | null {
  for (let index = from; index < folded.length && index < from + within; index += 1) {
    if ((folded[index] ?? '') !== '') return index;
  }
  return null;
}

function cutsHere(lines: string[], folded: string[], index: number): boolean {
  const line = lines[index] ?? '';
  const here = folded[index] ?? '';
  if (/^-- ?$/.test(line)) return true;
  if (QUOTES.separator.test(here)) return true;
  if (QUOTES.sentFrom.some((pattern) => pattern.test(here))) return true;
  // Attributions carry a date; mail clients wrap long ones over up to three lines.
  if (/\d/.test(here) && (QUOTES.attributionStart.test(here) || QUOTES.datedAddress.test(here) || here.includes('@'))) {
    let joined = here;
    for (let ahead = index; ahead <= index + 2 && ahead < lines.length; ahead += 1) {
      if (ahead > index) {
        const next = folded[ahead] ?? '';
        if (next === '' || /^\s*>/.test(lines[ahead] ?? '')) break;
        joined = `${joined} ${next}`;
      }
      if (joined.length > 900) break;
      if (QUOTES.datedAddress.test(joined)) return true;
      if ((QUOTES.attributionStart.test(joined) || joined.includes('@')) && QUOTES.attributionEnd.test(joined)) return true;
    }
  }
  // A rule of underscores above a quoted mail's "From:".
  if (/^_{10,}$/.test(here)) {
    const next = nextNonEmpty(folded, index + 1, 3);
    if (next !== null && QUOTES.headerFrom.test(folded[next] ?? '')) return true;
  }
  // Outlook's header block of the quoted mail: "From: X" then "Sent: ..." (or its translations).
  if (QUOTES.headerFrom.test(here)) {
    const next = nextNonEmpty(folded, index + 1, 2);
    if (next !== null && QUOTES.headerField.test(folded[next] ?? '')) return true;
  }
  return false;
}

/**
 * Where the answer ends if it closes with a valediction and a signature block: the closing and the
 * name under it stay, the title, phone and links below go. Only when the closing is near the end,
 * something stands above it, the next line looks like a name and what follows is short.
 */
function signatureEnd(folded: string[], end: number): number {
  const nonEmpty: number[] = [];
  for (let index = 0; index < end; index += 1) if ((folded[index] ?? '') !== '') nonEmpty.push(index);
  const lastLines = nonEmpty.slice(-9);
  for (const index of lastLines) {
    if (index === nonEmpty[0]) continue;
    const line = folded[index] ?? '';
    if (!QUOTES.valedictions.some((pattern) => pattern.test(line))) continue;
    const after = nonEmpty.filter((other) => other > index);
    if (after.length === 0) return end;
    const name = folded[after[0] ?? index] ?? '';
    if (wordsOf(name).length > 5 || name.length > 60) continue;
    if (after.slice(1).some((other) => (folded[other] ?? '').length > 120)) continue;
    return (after[0] ?? index) + 1;
  }
  return end;
}

/** Curly apostrophes and quotes as straight ones, so "I’d" and "I'd" match the same pattern. */
export function straightenQuotes(text: string): string {
  return text.replace(/[‘’ʼ′]/g, "'").replace(/[“”„″]/g, '"');
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
