import { escapeHtml } from '../text/html.ts';

/**
 * One body for both parts of a script. The user writes the script once, as plain text with a few
 * light conventions, and the HTML part is made from it:
 * - a blank line starts a new paragraph; a single line break stays a line break;
 * - lines starting with "- " (or "* ") are a bulleted list, lines starting with "1. " (or "1) ") a
 *   numbered one; an indented line after an item continues it;
 * - a bare web address (https://…, http://…, www.…) becomes a link.
 *
 * The conversion works on the template, not on the mail: htmlFromBody turns the body template into
 * an HTML template, which is then compiled by the same locked-down Handlebars as a hand-written
 * HTML part (template.ts), so every rule that applies to one applies to the other. Two things follow:
 * - every variable's value is escaped by Handlebars in the HTML part, as in a hand-written one;
 * - paragraphs, lists and links are decided from the user's own words alone, before any value is
 *   known, so nothing in a value (a name that reads "- https://evil.example") can add a list item,
 *   a link or any markup.
 * The same function gives the starting point when the user chooses to edit the HTML part separately,
 * so what they start from is exactly what was being sent.
 *
 * The input is a template that compileScript has already checked, so it holds only text, comments,
 * known variables and if/unless blocks; a regular expression is enough to find the tags.
 */

type Tag = { kind: 'value' | 'open' | 'else' | 'close' | 'comment'; raw: string };
type Token = { kind: 'text'; text: string } | Tag;
type Line = Token[];

/** Tags in a checked template: an escaped mustache (literal), comments, and every other {{…}}. */
const TAG = /\\\{\{|\{\{~?!--[\s\S]*?--~?\}\}|\{\{~?![\s\S]*?\}\}|\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}/g;
/** A bare web address; it ends at a space, a quote, an angle bracket or a tag. */
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`{}|\\^]+/gi;
const BULLET = /^\s*[-*•]\s+/;
const NUMBERED = /^\s*(\d{1,6})[.)]\s+/;

/** The HTML template made from a one-body template. */
export function htmlFromBody(body: string): string {
  const blocks = splitBlocks(tokenize(body.replace(/\r\n?/g, '\n')));
  const writer = new HtmlWriter();
  for (const block of blocks) writer.block(block);
  return writer.finish();
}

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of body.matchAll(TAG)) {
    // Inside an escaped mustache, read as text already.
    if (match.index < last) continue;
    if (match.index > last) tokens.push({ kind: 'text', text: body.slice(last, match.index) });
    let raw = match[0];
    if (raw === '\\{{') {
      // An escaped mustache is text up to its closing braces, as Handlebars reads it.
      const end = body.indexOf('}}', match.index + 3);
      raw = end === -1 ? body.slice(match.index) : body.slice(match.index, end + 2);
      tokens.push({ kind: 'text', text: raw });
      last = match.index + raw.length;
      continue;
    }
    tokens.push(tagOf(raw));
    last = match.index + raw.length;
  }
  if (last < body.length) tokens.push({ kind: 'text', text: body.slice(last) });
  return tokens;
}

function tagOf(raw: string): Tag {
  const inner = raw.replace(/^\{\{~?/, '');
  if (inner.startsWith('!')) return { kind: 'comment', raw };
  if (inner.startsWith('#')) return { kind: 'open', raw };
  if (inner.startsWith('/')) return { kind: 'close', raw };
  if (/^(?:else\b|\^\s*~?\}\})/.test(inner)) return { kind: 'else', raw };
  // {{{name}}} and {{&name}} leave a value unescaped, which the HTML part refuses: here it is escaped.
  const name = /^[{&]?\s*([A-Za-z_$][\w$]*)/.exec(inner)?.[1] ?? '';
  const strip = (side: RegExp) => (side.test(raw) ? '~' : '');
  return { kind: 'value', raw: `{{${strip(/^\{\{~/)}${name}${strip(/~\}?\}\}$/)}}}` };
}

/** Lines grouped into blocks; a line with nothing but white space separates blocks. */
function splitBlocks(tokens: Token[]): Line[][] {
  const lines: Line[] = [[]];
  for (const token of tokens) {
    if (token.kind !== 'text') {
      lines.at(-1)!.push(token);
      continue;
    }
    const pieces = token.text.split('\n');
    pieces.forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (piece !== '') lines.at(-1)!.push({ kind: 'text', text: piece });
    });
  }
  const blocks: Line[][] = [];
  let current: Line[] = [];
  for (const line of lines) {
    if (line.every((token) => token.kind === 'text' && token.text.trim() === '')) {
      if (current.length > 0) blocks.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

/** A line with only block tags and comments: Handlebars drops such a line from the text part. */
function isTagLine(line: Line): boolean {
  return line.every((token) => (token.kind === 'text' ? token.text.trim() === '' : token.kind !== 'value'));
}

type Segment = { type: 'p' } | { type: 'ul' } | { type: 'ol'; start: number };

/** What a content line is: a list item (with its marker removed) or a line of a paragraph. */
function lineKind(line: Line): { segment: Segment; item: boolean; continues: boolean; tokens: Line } {
  const first = line[0];
  const leading = first?.kind === 'text' ? first.text : '';
  const bullet = BULLET.exec(leading);
  const numbered = bullet ? null : NUMBERED.exec(leading);
  const marker = bullet ?? numbered;
  if (marker) {
    const rest = leading.slice(marker[0].length);
    const tokens: Line = rest === '' ? line.slice(1) : [{ kind: 'text', text: rest }, ...line.slice(1)];
    const segment: Segment = numbered ? { type: 'ol', start: Number(numbered[1]) } : { type: 'ul' };
    return { segment, item: true, continues: false, tokens };
  }
  return { segment: { type: 'p' }, item: false, continues: /^\s/.test(leading), tokens: line };
}

/**
 * Writes blocks as HTML. Containers nest: 0 is between paragraphs, 1 inside a <p> or a list, 2
 * inside a list item. An if/else/close tag is written at the depth where its block opened, so a
 * condition around whole lines or paragraphs wraps whole elements and the HTML stays well formed
 * whichever branch is taken ("{{#if firstName}}<p>Hi {{firstName}},</p>{{else}}<p>Hi there,</p>{{/if}}").
 */
class HtmlWriter {
  private out: string[] = [];
  private segment: Segment | null = null;
  private inItem = false;
  /** The depth at which each open if/unless started. */
  private frames: number[] = [];
  private pending: Tag[] = [];

  block(lines: Line[]): void {
    for (const line of lines) {
      if (isTagLine(line)) {
        for (const token of line) if (token.kind !== 'text') this.pending.push(token);
        continue;
      }
      this.content(line);
    }
    this.flush();
    this.closeTo(0);
  }

  finish(): string {
    this.flush();
    this.closeTo(0);
    return `${this.out.join('').trim()}\n`;
  }

  private get depth(): number {
    if (this.segment === null) return 0;
    return this.inItem ? 2 : 1;
  }

  private content(line: Line): void {
    const kind = lineKind(line);
    const current = this.segment;
    if (!kind.item && current !== null && (current.type === 'p' || (this.inItem && kind.continues))) {
      // The paragraph or list item goes on, on a new line, unless a block tag closes it first.
      this.flush();
      if (this.segment === current && (current.type === 'p' || this.inItem)) {
        this.out.push('<br>\n');
        this.inline(kind.tokens);
        return;
      }
    } else if (kind.item && current !== null && current.type === kind.segment.type) {
      this.closeTo(1);
      this.flush();
    } else {
      this.closeTo(0);
      this.flush();
    }
    // The line starts an element of its own: a paragraph, or an item of a list.
    if (this.segment !== null && (!kind.item || this.segment.type !== kind.segment.type)) this.closeTo(0);
    if (this.segment === null) this.open(kind.segment);
    if (kind.item) {
      this.out.push('<li>');
      this.inItem = true;
    }
    this.inline(kind.tokens);
  }

  private open(segment: Segment): void {
    this.segment = segment;
    this.inItem = false;
    if (segment.type === 'p') this.out.push('<p>');
    else if (segment.type === 'ol' && segment.start !== 1) this.out.push(`<ol start="${segment.start}">\n`);
    else this.out.push(`<${segment.type}>\n`);
  }

  /** Closes the open elements down to `depth`. */
  private closeTo(depth: number): void {
    if (this.depth > depth && this.inItem) {
      this.out.push('</li>\n');
      this.inItem = false;
    }
    if (this.depth > depth && this.segment !== null) {
      this.out.push(`</${this.segment.type}>\n`);
      this.segment = null;
    }
  }

  /** Writes the block tags waiting since the last line, each where its block belongs. */
  private flush(): void {
    for (const tag of this.pending.splice(0)) {
      if (tag.kind === 'open') {
        this.frames.push(this.depth);
      } else if (tag.kind === 'else' || tag.kind === 'close') {
        const depth = this.frames.at(-1) ?? 0;
        if (tag.kind === 'close') this.frames.pop();
        this.closeTo(depth);
      }
      this.out.push(tag.raw);
    }
  }

  private inline(tokens: Line): void {
    const last = tokens.length - 1;
    tokens.forEach((token, i) => {
      if (token.kind !== 'text') {
        if (token.kind === 'open') this.frames.push(this.depth);
        if (token.kind === 'close') this.frames.pop();
        this.out.push(token.raw);
        return;
      }
      let text = token.text;
      if (i === 0) text = text.trimStart();
      if (i === last) text = text.trimEnd();
      this.out.push(linkify(text));
    });
  }
}

/** Escapes text for HTML and makes its bare web addresses links. */
function linkify(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(URL)) {
    const url = trimUrl(match[0]);
    html += escapeHtml(text.slice(last, match.index));
    const href = /^www\./i.test(url) ? `https://${url}` : url;
    html += `<a href="${escapeHtml(href)}">${escapeHtml(url)}</a>`;
    last = match.index + url.length;
  }
  return html + escapeHtml(text.slice(last));
}

/** Punctuation after an address ends the sentence, not the address; a ")" closes one only if opened in it. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const char = url[end - 1];
    if (char !== undefined && '.,;:!?'.includes(char)) end -= 1;
    else if (char === ')' && (url.slice(0, end).match(/\(/g) ?? []).length < (url.slice(0, end).match(/\)/g) ?? []).length) end -= 1;
    else break;
  }
  return url.slice(0, end);
}
