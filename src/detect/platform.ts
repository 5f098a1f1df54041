import { headerValues, type Message } from '../mail/message.ts';
import { imitatedDomain, inDomain, localPart, mayWriteTo } from './address.ts';
import { platformAuthentication, type PlatformAuthentication } from './authentication.ts';
import { personalAddress } from './personal.ts';
import { PLATFORM_RULES } from './platforms/index.ts';
import { detectLanguage, fold } from './phrases/index.ts';
import { GREETINGS } from './platforms/languages.ts';
import type { HeaderPattern, MessageRules, Phrases, PlatformRules, ProfileRule, Signal } from './platforms/rules.ts';
import { decodeEntities } from '../text/html.ts';
import { cleanLine } from '../text/line.ts';
import { decodeEncodedWords } from '../text/mime.ts';
import { firstNameOf } from '../text/names.ts';
import { escapeRegExp } from '../text/regex.ts';
import { isReplyOrForwardSubject } from '../text/subject.ts';
import { bodyText, extractUrls, parseUrl, straightenQuotes } from './text.ts';
import { LANGUAGES, type Language, type Requester } from '../vocabulary/contact.ts';
import type { ClassifyContext, Explanation, PlatformMessage, RequestAuthentication } from './types.ts';
import { PLATFORM_LABELS, type Platform } from '../vocabulary/platforms.ts';

/**
 * The engine that reads platform rules (src/detect/platforms/*.ts) against one message. It knows
 * no platform by name: which mail is a platform's, which is a request, who sent it and where the
 * details are all comes from the rules. Pure: no I/O, the same message always reads the same.
 */

export type PlatformReading =
  | {
      kind: 'request';
      platform: Platform;
      requester: Requester;
      /** An address of the person the platform's mail carries (rare), or null. */
      replyTo: string | null;
      reason: string;
      language: Language | null;
      /** Whether the mail is authenticated (the platform's domain, and for a personal From, that address too), in words. */
      authentication: RequestAuthentication;
      explanation: Explanation[];
    }
  | { kind: 'not-request'; platform: Platform; reason: string; explanation: Explanation[] }
  /** A notice of a message from a person: never a request; maybe the answer of someone asked there. */
  | { kind: 'message'; message: PlatformMessage; reason: string; explanation: Explanation[] };

/** Longest stretch of a notification searched; platforms say what matters at the top. */
const MAX_TEXT_CHARS = 60_000;
/** Longest HTML read for links and images. */
const MAX_HTML_CHARS = 512 * 1024;
/** Lines after the name searched for a headline, and after the headline for a location. */
const HEADLINE_REACH = 4;
const LOCATION_REACH = 2;
/** Longest personal note kept with the person. */
const MAX_NOTE_CHARS = 1000;

interface Mail {
  message: Message;
  /** Subject with straight quotes and single spaces. */
  subject: string;
  /** Body as plain text, line breaks kept, link marks of converted HTML removed. */
  text: string;
  /** Body on one line, for phrases. */
  flat: string;
  /** The platform's links: those of the text part first, then those of the HTML part. */
  textLinks: URL[];
  htmlLinks: URL[];
  html: string;
}

// ---------------------------------------------------------------------------------------------
// Patterns

const compiled = new WeakMap<RegExp, Map<string, RegExp>>();

// JavaScript's \b knows only ASCII letters: "com você\b" would never match before a full stop.
// Where a rule puts \b beside a letter outside ASCII, the engine reads it as a boundary between
// letters of the Latin scripts and the rest. Elsewhere \b stays: the u flag that \p{L} would need
// makes case-insensitive matching an order of magnitude slower.
const LETTER = String.raw`A-Za-z0-9_\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff`;
const LATIN_BOUNDARY = `(?:(?<=[${LETTER}])(?![${LETTER}])|(?<![${LETTER}])(?=[${LETTER}]))`;

function latinBoundaries(source: string): string {
  return source.replace(/(?<!\\)\\b/g, (match, offset: number) => {
    const before = source[offset - 1] ?? '';
    const after = source[offset + 2] ?? '';
    return /[^ -~]/.test(before + after) ? LATIN_BOUNDARY : match;
  });
}

/** The pattern with the flags the engine needs (case-insensitive, multiline for lines), never global. */
export function withFlags(pattern: RegExp, extra: string): RegExp {
  let byFlags = compiled.get(pattern);
  if (!byFlags) {
    byFlags = new Map();
    compiled.set(pattern, byFlags);
  }
  let regex = byFlags.get(extra);
  if (!regex) {
    const flags = [...new Set(`${pattern.flags.replace(/[gy]/g, '')}i${extra}`)].join('');
    regex = new RegExp(latinBoundaries(pattern.source), flags);
    byFlags.set(extra, regex);
  }
  return regex;
}

interface PhraseHit {
  language: Language | null;
  found: RegExpExecArray;
  where: string;
}

function phraseEntries(phrases: Phrases | undefined): Array<[Language | null, readonly RegExp[]]> {
  if (!phrases) return [];
  const entries: Array<[Language | null, readonly RegExp[]]> = [];
  if (phrases.any) entries.push([null, phrases.any]);
  for (const language of LANGUAGES) {
    const list = phrases[language];
    if (list) entries.push([language, list]);
  }
  return entries;
}

function findPhrase(phrases: Phrases | undefined, places: Array<[string, string]>, extraFlags = ''): PhraseHit | null {
  for (const [language, patterns] of phraseEntries(phrases)) {
    for (const pattern of patterns) {
      for (const [where, text] of places) {
        const found = withFlags(pattern, extraFlags).exec(text);
        if (found) return { language, found, where };
      }
    }
  }
  return null;
}

function anyPhrase(phrases: Phrases | undefined, text: string): boolean {
  return findPhrase(phrases, [['line', text]]) !== null;
}

/** Header values, RFC 2047 encoded words decoded (X-Twittersendername may carry any script). */
function decodedHeader(message: Message, name: string): string[] {
  return headerValues(message, name).map((value) => decodeEncodedWords(value));
}

/** "x-linkedin-template" as people write it: "X-LinkedIn-Template". */
function headerName(name: string): string {
  return name
    .split('-')
    .map((part) => (part === 'linkedin' ? 'LinkedIn' : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('-');
}

function firstHeader(message: Message, patterns: readonly HeaderPattern[]): { name: string; value: string } | null {
  for (const { header, pattern } of patterns) {
    for (const value of headerValues(message, header)) {
      if (withFlags(pattern, '').test(value)) return { name: header, value };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Which platform

function rulesOf(platform: Platform): PlatformRules | null {
  return PLATFORM_RULES.find((rules) => rules.platform === platform) ?? null;
}

/** The platform's name as users know it ("LinkedIn"), or null for a request that came by mail. */
export function platformLabelOf(platform: Platform): string | null {
  return platform === 'email' ? null : PLATFORM_LABELS[platform];
}

/** The platform's messaging page and its page of pending requests, where known. */
export function platformPages(platform: Platform): { messaging: string | null; invitations: string | null } {
  const pages = rulesOf(platform)?.pages;
  return { messaging: pages?.messaging ?? null, invitations: pages?.invitations ?? null };
}

function claimOf(message: Message): { rules: PlatformRules; how: string } | null {
  const from = message.from?.address ?? '';
  const fromPlatform = PLATFORM_RULES.find((rules) => from !== '' && rules.domains.some((domain) => inDomain(from, domain)));
  if (fromPlatform) return { rules: fromPlatform, how: `From ${from}` };
  const envelope: Array<[string, string]> = [
    ['Sender', message.sender?.address ?? ''],
    ['Return-Path', message.returnPath ?? ''],
  ];
  for (const [field, address] of envelope) {
    if (address === '') continue;
    const rules = PLATFORM_RULES.find((candidate) => candidate.domains.some((domain) => inDomain(address, domain)));
    if (rules) return { rules, how: `${field} ${address}` };
  }
  for (const name of message.headers.keys()) {
    const rules = PLATFORM_RULES.find((candidate) => candidate.headerPrefixes.some((prefix) => name.startsWith(prefix)));
    if (rules) return { rules, how: `header ${name}` };
  }
  return null;
}

/** The platform whose mail this claims to be (by sender, envelope or platform header), from the headers alone. */
export function claimedPlatform(message: Message): Platform | null {
  return claimOf(message)?.rules.platform ?? null;
}

/**
 * A sender, Reply-To or envelope address that imitates a platform's domain ("linkedln.com",
 * "linkedin.com.evil.example"): such mail is never a request and never gets a script.
 */
export function imitation(message: Message): { field: string; address: string; domain: string } | null {
  const fields: Array<[string, string]> = [
    ['From', message.from?.address ?? ''],
    ['Sender', message.sender?.address ?? ''],
    ...message.replyTo.map((entry): [string, string] => ['Reply-To', entry.address]),
    ['Return-Path', message.returnPath ?? ''],
  ];
  for (const [field, address] of fields) {
    const at = address.lastIndexOf('@');
    if (at < 0) continue;
    const domain = imitatedDomain(address.slice(at + 1));
    if (domain) return { field, address, domain };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Reading the mail

function isPlatformLink(url: URL, rules: PlatformRules): boolean {
  const host = url.hostname.toLowerCase();
  return (url.protocol === 'https:' || url.protocol === 'http:') && rules.extract.webHosts.some((web) => host === web || host.endsWith(`.${web}`));
}

function platformLinks(urls: string[], rules: PlatformRules): URL[] {
  return urls.map(parseUrl).filter((url): url is URL => url !== null && isPlatformLink(url, rules));
}

/** Some HTML-to-text conversions write links as " [url]" after their words; names must not keep them. */
function withoutLinkMarks(line: string): string {
  // No leading \s*: on a long run of spaces it would rescan the run from every position.
  return line.replace(/\[(?:https?:|mailto:)[^\]\n]{0,2048}\]/gi, '').trimEnd();
}

function readMail(message: Message, rules: PlatformRules): Mail {
  const html = message.html.length > MAX_HTML_CHARS ? message.html.slice(0, MAX_HTML_CHARS) : message.html;
  const raw = straightenQuotes(bodyText(message)).slice(0, MAX_TEXT_CHARS);
  const text = raw
    .split('\n')
    .map((line) => withoutLinkMarks(line).replace(/[ \t\u00a0]+/g, ' ').trimEnd())
    .join('\n');
  return {
    message,
    subject: straightenQuotes(message.subject).replace(/\s+/g, ' ').trim(),
    text,
    flat: text.replace(/\s+/g, ' '),
    textLinks: platformLinks(extractUrls(raw), rules),
    htmlLinks: platformLinks(extractUrls('', html), rules),
    html,
  };
}

interface SignalHit {
  signal: Signal;
  detail: string;
  language: Language | null;
}

function matchSignal(signal: Signal, mail: Mail): SignalHit | null {
  const { message } = mail;
  const details: string[] = [];
  let language: Language | null = null;
  if (signal.absentHeaders?.some((name) => headerValues(message, name).length > 0)) return null;
  if (signal.headers) {
    const found = firstHeader(message, signal.headers);
    if (!found) return null;
    details.push(`${headerName(found.name)}: ${cleanLine(found.value, 80)}`);
  }
  if (signal.fromLocal) {
    const from = message.from?.address ?? '';
    if (!signal.fromLocal.test(localPart(from))) return null;
    details.push(`From ${from || '(none)'}`);
  }
  for (const [phrases, places] of [
    [signal.subject, [['subject', mail.subject]]],
    [signal.text, [['subject', mail.subject], ['body', mail.flat]]],
  ] as Array<[Phrases | undefined, Array<[string, string]>]>) {
    if (!phrases) continue;
    const hit = findPhrase(phrases, places);
    if (!hit) return null;
    language ??= hit.language;
    details.push(`${hit.where}${hit.language ? ` (${hit.language})` : ''}: "${cleanLine(hit.found[0], 80)}"`);
  }
  if (signal.links) {
    const link = [...mail.textLinks, ...mail.htmlLinks].find((url) => signal.links?.some((pattern) => pattern.test(url.pathname + url.search)));
    if (!link) return null;
    details.push(`link ${link.hostname}${link.pathname}`);
  }
  return { signal, detail: details.join('; '), language };
}

// ---------------------------------------------------------------------------------------------
// Extraction

/**
 * Longest stretch of a header or line read for a name. A name is short, and patterns such as
 * "\s+via\s+LinkedIn\s*$" rescan a long run of spaces from each of its positions.
 */
const MAX_NAME_SOURCE = 1000;

/** With single spaces and cut, so that the name patterns below run in linear time. */
function nameSource(value: string): string {
  return value.replace(/\s+/g, ' ').slice(0, MAX_NAME_SOURCE);
}

function cleanName(value: string): string {
  const name = cleanLine(withoutLinkMarks(nameSource(value)).replace(/^["'\s]+|["'\s]+$/g, ''), 120);
  return /https?:|www\.|[<>]/i.test(name) ? '' : name;
}

interface NameFound {
  name: string;
  handle: string | null;
  detail: string;
}

function requesterName(rules: PlatformRules, mail: Mail): NameFound {
  const extract = rules.extract;
  let handle: string | null = null;
  for (const header of extract.handleHeaders ?? []) {
    const value = cleanLine(decodedHeader(mail.message, header)[0] ?? '', 60).replace(/^@/, '');
    if (/^[\p{L}\p{N}._-]{1,60}$/u.test(value)) {
      handle = value;
      break;
    }
  }
  for (const header of extract.nameHeaders ?? []) {
    const name = cleanName(decodedHeader(mail.message, header)[0] ?? '');
    if (name !== '') return { name, handle, detail: `header ${header}` };
  }
  // "Jane Doe <invitations@linkedin.com>": platforms put the person's name on their own address.
  const viaPlatform = new RegExp(String.raw`\s+via\s+${escapeRegExp(PLATFORM_LABELS[rules.platform])}\s*$`, 'i');
  const display = cleanName(nameSource(mail.message.from?.name ?? '').replace(extract.displaySuffix ?? viaPlatform, '').replace(viaPlatform, ''));
  if (display !== '' && !display.includes('@') && !extract.notPersonName.some((pattern) => withFlags(pattern, '').test(display))) {
    return { name: display, handle, detail: 'display name of From' };
  }
  for (const [phrases, where, place, flags] of [
    [extract.subjectName, 'subject', mail.subject, ''],
    [extract.bodyName, 'body', mail.text, 'm'],
  ] as Array<[Phrases | undefined, string, string, string]>) {
    const hit = findPhrase(phrases, [[where, place]], flags);
    if (!hit) continue;
    const groups = hit.found.groups ?? {};
    const found = groups.handle?.replace(/^@/, '');
    if (found && /^[\p{L}\p{N}._-]{1,60}$/u.test(found)) handle ??= found;
    const name = cleanName(groups.name ?? '');
    if (name !== '') return { name, handle, detail: `${hit.where} pattern` };
  }
  if (extract.nameLeadsSubject && !handle) {
    // Two to four capitalised words, then a lower-case one: "Anna Kowalska chce …".
    const leading = /^((?:\p{Lu}[\p{L}'’.-]{0,30}\s+){1,3}\p{Lu}[\p{L}'’.-]{0,30})\s+\p{Ll}/u.exec(mail.subject)?.[1];
    const name = cleanName(leading ?? '');
    if (name !== '') return { name, handle, detail: 'the capitalised words that open the subject' };
  }
  // No display name anywhere: the user name is what the person is known by on the platform.
  return { name: handle ?? '', handle, detail: handle ? 'user name' : 'not found' };
}

const KEY = /^[\p{L}\p{N}%_.-]{1,120}$/u;

/** A profile link's key (slug or id) and clean URL, by the platform's profile rules. */
function profileOfLink(url: URL, profiles: readonly ProfileRule[]): { key: string; url: string } | null {
  for (const rule of profiles) {
    const found = rule.path.exec(url.pathname);
    if (!found) continue;
    const key = rule.param ? url.searchParams.get(rule.param) : found.groups?.key;
    if (!key || !KEY.test(key) || key === '.' || key === '..') continue;
    const clean = new URL(rule.url.replace('{key}', rule.param ? encodeURIComponent(key) : key));
    for (const name of rule.keep ?? []) {
      const value = url.searchParams.get(name);
      if (value && /^[A-Za-z0-9_-]{1,60}$/.test(value)) clean.searchParams.set(name, value);
    }
    return { key, url: clean.toString() };
  }
  return null;
}

function isRequesterLink(url: URL, rules: PlatformRules): boolean {
  return !(rules.extract.notRequesterLink ?? []).some((pattern) => pattern.test(url.href));
}

function profileOf(rules: PlatformRules, mail: Mail, handle: string | null): { url: string; key: string; detail: string } | null {
  const extract = rules.extract;
  if (extract.profileFromHeader) {
    const { header, pattern, url } = extract.profileFromHeader;
    for (const value of headerValues(mail.message, header)) {
      const id = pattern.exec(value)?.groups?.id;
      if (id) return { url: url.replace('{id}', id), key: id, detail: `header ${header}` };
    }
  }
  if (handle && extract.profileFromHandle) {
    return { url: extract.profileFromHandle.replace('{handle}', encodeURIComponent(handle)), key: handle, detail: `user name ${handle}` };
  }
  const candidates = [...mail.textLinks, ...mail.htmlLinks].filter((url) => isRequesterLink(url, rules));
  // Rules in order of preference (a vanity slug before an id), each over every link.
  for (const rule of extract.profiles) {
    for (const url of candidates) {
      const found = profileOfLink(url, [rule]);
      if (found) return { ...found, detail: `link ${url.hostname}${url.pathname}` };
    }
  }
  return null;
}

/** The platform's own link that accepts this request, whole (its keys are what make it work), or null. */
function acceptLinkOf(rules: PlatformRules, mail: Mail): string | null {
  const patterns = rules.extract.acceptLinks ?? [];
  const link = [...mail.textLinks, ...mail.htmlLinks].find((url) => url.protocol === 'https:' && patterns.some((pattern) => pattern.test(url.pathname + url.search)));
  return link && link.href.length <= 2048 ? link.href : null;
}

const REQUEST_ID = /^[A-Za-z0-9:_.-]{1,120}$/;

function requestIdsIn(urls: URL[], spec: NonNullable<PlatformRules['extract']['requestId']>): string[] {
  const ids = new Set<string>();
  for (const url of urls) {
    for (const [key, value] of url.searchParams) {
      if (spec.params?.some((param) => param.toLowerCase() === key.toLowerCase()) && REQUEST_ID.test(value)) ids.add(value);
    }
    for (const pattern of spec.paths ?? []) {
      const id = pattern.exec(url.pathname)?.groups?.id;
      if (id && REQUEST_ID.test(id)) ids.add(id);
    }
  }
  return [...ids];
}

/** The id of this request; several distinct ids mean a digest of several requests. */
function requestIds(rules: PlatformRules, mail: Mail): string[] {
  const spec = rules.extract.requestId;
  if (!spec) return [];
  if (spec.header) {
    for (const value of headerValues(mail.message, spec.header.header)) {
      const id = spec.header.pattern.exec(value)?.groups?.id;
      if (id && REQUEST_ID.test(id)) return [id];
    }
  }
  // The text part is preferred: an HTML part repeats the same links, sometimes with other ids.
  const fromText = requestIdsIn(mail.textLinks, spec);
  return fromText.length > 0 ? fromText : requestIdsIn(mail.htmlLinks, spec);
}

const GENERIC_NOT_HEADLINE = /^(?:[-–—.•*_=]|\d)|https?:|www\./i;
const NAME_PREFIX = /^(?:from|von|de|da|van)\s+/i;

interface Lines {
  lines: string[];
  nameAt: number;
  headlineAt: number;
  locationAt: number;
}

function isRequestPhrase(rules: PlatformRules, line: string): boolean {
  return rules.requests.some((signal) => anyPhrase(signal.text, line) || anyPhrase(signal.subject, line));
}

function findLines(rules: PlatformRules, text: string, name: string): Lines {
  const lines = text.split('\n').map((line) => line.trim());
  const result: Lines = { lines, nameAt: -1, headlineAt: -1, locationAt: -1 };
  if (name === '') return result;
  const wanted = name.toLowerCase();
  const notHeadline = (line: string) =>
    GENERIC_NOT_HEADLINE.test(line) ||
    (rules.extract.notHeadline ?? []).some((pattern) => withFlags(pattern, '').test(line)) ||
    line.length > 200 ||
    line.toLowerCase() === wanted ||
    isRequestPhrase(rules, line) ||
    anyPhrase(rules.extract.boilerplate, line);
  for (let index = 0; index < lines.length; index += 1) {
    if ((lines[index] ?? '').replace(NAME_PREFIX, '').toLowerCase() !== wanted) continue;
    result.nameAt = index;
    if (!rules.extract.headlineAfterName) return result;
    for (let next = index + 1; next < lines.length && next <= index + HEADLINE_REACH; next += 1) {
      const candidate = lines[next] ?? '';
      if (candidate === '') continue;
      if (notHeadline(candidate)) break;
      result.headlineAt = next;
      for (let after = next + 1; after < lines.length && after <= next + 1 + LOCATION_REACH; after += 1) {
        const place = lines[after] ?? '';
        if (place === '') continue;
        if (!notHeadline(place) && !/\d|\||\bat\b/.test(place) && (rules.extract.location ?? []).some((pattern) => pattern.test(place))) result.locationAt = after;
        break;
      }
      break;
    }
    return result;
  }
  return result;
}

const SIGNATURE = /^[-–—~]{1,2}\s*\S.{0,40}$/;

/**
 * The requester's own words in the notification: the lines between the greeting (or the line
 * that says what the mail is) and the platform's buttons, without the name, headline, location,
 * the platform's default sentence, and a "- Jane" sign-off.
 */
function noteOf(rules: PlatformRules, mail: Mail, found: Lines, name: string): string | null {
  const ends = rules.extract.noteEnds;
  if (!ends) return null;
  const { lines } = found;
  const recipients = new Set(mail.message.to.map((entry) => entry.name.trim().toLowerCase()).filter((entry) => entry !== ''));
  const isGreeting = (line: string) => LANGUAGES.some((language) => GREETINGS[language].test(line) && line.length <= 60);
  let start = 0;
  let end = lines.length;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (anyPhrase(ends, line)) {
      end = index;
      break;
    }
  }
  for (let index = 0; index < end; index += 1) {
    const line = lines[index] ?? '';
    if (isGreeting(line) || isRequestPhrase(rules, line) || index === found.nameAt) {
      start = index + 1;
      if (index !== found.nameAt) break;
    }
  }
  const kept: string[] = [];
  for (let index = start; index < end; index += 1) {
    const line = lines[index] ?? '';
    if (line === '' || index === found.nameAt || index === found.headlineAt || index === found.locationAt) continue;
    if (line.replace(NAME_PREFIX, '').toLowerCase() === name.toLowerCase() || recipients.has(line.toLowerCase())) continue;
    if (isGreeting(line) || SIGNATURE.test(line) || /https?:|www\./i.test(line) || /^\d/.test(line)) continue;
    if (isRequestPhrase(rules, line) || anyPhrase(rules.extract.boilerplate, line)) continue;
    kept.push(line);
  }
  const note = cleanLine(kept.join(' ').replace(/^["“„«]\s*|\s*["”“»]$/g, ''), MAX_NOTE_CHARS);
  return note.length >= 3 ? note : null;
}

/** A number the mail states ("12 mutual connections"), read in the mail's language when known. */
function countOf(phrases: Phrases | undefined, flat: string, language: Language | null): { count: number; text: string } | null {
  const own = language && phrases ? { any: phrases.any, [language]: phrases[language] } : phrases;
  const hit = findPhrase(own, [['body', flat]]);
  if (!hit) return null;
  const digits = hit.found.groups?.count?.replace(/[^\d]/g, '');
  const count = digits === undefined ? 1 : Number.parseInt(digits, 10);
  return Number.isSafeInteger(count) ? { count, text: cleanLine(hit.found[0], 60) } : null;
}

/**
 * Whether the notification shows the requester's photo: an image beside a link to their profile
 * (or carrying their name as alt text) that is a real photo (true) or the platform's placeholder
 * (false). null when no such image is found: the mail does not tell.
 */
function photoOf(rules: PlatformRules, mail: Mail, name: string, profileKey: string | null): { hasPhoto: boolean; src: string } | null {
  const photo = rules.extract.photo;
  if (!photo || mail.html === '') return null;
  let anchorKey: string | null = null;
  for (const tag of mail.html.matchAll(/<(\/?)(a|img)\b([^<>]{0,4096})>/gi)) {
    const closing = tag[1] === '/';
    const kind = (tag[2] ?? '').toLowerCase();
    const attributes = tag[3] ?? '';
    if (kind === 'a') {
      anchorKey = null;
      if (closing) continue;
      const href = /\bhref\s*=\s*(?:"([^"]{0,4096})"|'([^']{0,4096})')/i.exec(attributes);
      const url = parseUrl(decodeEntities(href?.[1] ?? href?.[2] ?? ''));
      if (url && isPlatformLink(url, rules) && isRequesterLink(url, rules)) anchorKey = profileOfLink(url, rules.extract.profiles)?.key ?? null;
      continue;
    }
    const src = /\bsrc\s*=\s*(?:"([^"]{0,4096})"|'([^']{0,4096})')/i.exec(attributes);
    const alt = /\balt\s*=\s*(?:"([^"]{0,300})"|'([^']{0,300})')/i.exec(attributes);
    const source = decodeEntities(src?.[1] ?? src?.[2] ?? '');
    const altText = decodeEntities(alt?.[1] ?? alt?.[2] ?? '').trim().toLowerCase();
    const theirs = (profileKey !== null && anchorKey === profileKey) || (name !== '' && altText === name.toLowerCase());
    if (!theirs || source === '') continue;
    if (photo.placeholder.some((pattern) => pattern.test(source))) return { hasPhoto: false, src: source };
    if (photo.real.some((pattern) => pattern.test(source))) return { hasPhoto: true, src: source };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The decision

function notRequest(rules: PlatformRules, reason: string, explanation: Explanation[]): PlatformReading {
  return { kind: 'not-request', platform: rules.platform, reason: `suppressed: ${cleanLine(reason, 200)}`, explanation };
}

function languageOf(rules: PlatformRules, mail: Mail, decided: Language | null): { language: Language | null; how: string } {
  if (decided) return { language: decided, how: 'the phrase that matched' };
  for (const signal of [...rules.requests, ...rules.notRequest]) {
    const hit = findPhrase(signal.text, [['subject', mail.subject], ['body', mail.flat]]) ?? findPhrase(signal.subject, [['subject', mail.subject]]);
    if (hit?.language) return { language: hit.language, how: `phrase of ${signal.rule}` };
  }
  const guessed = detectLanguage(fold(`${mail.subject}\n${mail.flat.slice(0, 4000)}`));
  return { language: guessed, how: guessed ? 'its most frequent words' : 'not recognised' };
}

function authenticationStep(rules: PlatformRules, authentication: PlatformAuthentication, context: ClassifyContext): { refuse: string | null } {
  switch (authentication.outcome) {
    case 'pass':
      return { refuse: null };
    case 'fail':
      // A failure with no pass from any source: mail forged in the platform's name.
      return { refuse: `${PLATFORM_LABELS[rules.platform]} mail that failed authentication (${authentication.detail}), not trusted` };
    case 'none':
    case 'unverified':
      // Not provably the platform's: a request all the same, which waits for the user (UNVERIFIED_MAIL).
      return context.unverifiedMail === 'ignore' ? { refuse: `${PLATFORM_LABELS[rules.platform]} mail that cannot be verified (${authentication.detail}); UNVERIFIED_MAIL=ignore leaves it alone` } : { refuse: null };
  }
}

// ---------------------------------------------------------------------------------------------
// Message notices

/** Longest message kept from a notice (the conversation itself stays on the platform). */
const MAX_MESSAGE_CHARS = 4000;

/** A profile link's identity on its platform: which profile rule read it and the key, or null. */
export function profileKeyOf(platform: Platform, url: string | null): string | null {
  const rules = rulesOf(platform);
  const parsed = url ? parseUrl(url) : null;
  if (!rules || !parsed) return null;
  for (const [index, rule] of rules.extract.profiles.entries()) {
    const found = profileOfLink(parsed, [rule]);
    if (found) return `${index}:${found.key}`;
  }
  return null;
}

function isMessagePhrase(spec: MessageRules, line: string): boolean {
  return spec.signals.some((signal) => anyPhrase(signal.text, line) || anyPhrase(signal.subject, line)) || anyPhrase(spec.subjectName, line);
}

/**
 * The sender's words in a message notice: the lines after the greeting, the sentence saying what
 * the mail is, and the sender's name and headline, up to the platform's buttons; without the
 * platform's own lines and bare links. Line breaks are kept: it is shown as the answer.
 */
function messageTextOf(rules: PlatformRules, spec: MessageRules, mail: Mail, found: Lines, name: string): string {
  const { lines } = found;
  const isGreeting = (line: string) => LANGUAGES.some((language) => GREETINGS[language].test(line) && line.length <= 60);
  const recipients = new Set(mail.message.to.map((entry) => entry.name.trim().toLowerCase()).filter((entry) => entry !== ''));
  const platformLine = (line: string) => /^\S*(?:https?:|www\.)\S*$/i.test(line) || anyPhrase(spec.boilerplate, line) || anyPhrase(rules.extract.boilerplate, line);
  let end = lines.length;
  let start = 0;
  // Whether the sender's own words have begun: a button line before them ("Reply" above an
  // InMail) is part of the platform's header, one after them ends the message.
  let begun = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    // A "headline" that ends a sentence is the message itself, right under the sender's name.
    const headline = index === found.headlineAt && !/[.!?]["')]?$/.test(line);
    const header = index === found.nameAt || headline || isMessagePhrase(spec, line) || (!begun && isGreeting(line));
    if (anyPhrase(spec.textEnds, line) && begun) {
      end = index;
      break;
    }
    if (header || anyPhrase(spec.textEnds, line)) {
      start = index + 1;
      begun = false;
    } else if (line !== '' && !platformLine(line)) {
      begun = true;
    }
  }
  const kept: string[] = [];
  for (let index = start; index < end; index += 1) {
    const line = lines[index] ?? '';
    if (line === '') {
      if (kept.length > 0 && kept.at(-1) !== '') kept.push('');
      continue;
    }
    if (line.toLowerCase() === name.toLowerCase() || recipients.has(line.toLowerCase())) continue;
    if (platformLine(line)) continue;
    kept.push(line);
  }
  while (kept.at(-1) === '') kept.pop();
  const text = kept.join('\n');
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS).trimEnd()}…` : text;
}

function conversationOf(spec: MessageRules, mail: Mail): string | null {
  for (const url of [...mail.textLinks, ...mail.htmlLinks]) {
    if (spec.conversationLinks?.some((pattern) => pattern.test(url.pathname + url.search))) return `${url.origin}${url.pathname}`;
  }
  return null;
}

/** A notice of a message from a person, or null when the mail is none. */
function readMessageNotice(rules: PlatformRules, mail: Mail, context: ClassifyContext, explanation: Explanation[]): PlatformReading | null {
  const spec = rules.messages;
  if (!spec) return null;
  let hit: SignalHit | null = null;
  for (const signal of spec.signals) {
    hit = matchSignal(signal, mail);
    if (hit) break;
  }
  if (!hit) return null;
  explanation.push({ rule: hit.signal.rule, detail: hit.detail });
  const { message } = mail;
  const authentication = platformAuthentication(message, rules.domains, context);
  explanation.push({ rule: 'authentication', detail: `${authentication.outcome}: ${authentication.detail}` });
  const named = requesterName({ ...rules, extract: { ...rules.extract, subjectName: spec.subjectName, bodyName: spec.bodyName } }, mail);
  explanation.push({ rule: 'extract.name', detail: named.name ? `"${named.name}" from ${named.detail}` : 'no name found' });
  const profile = profileOf(rules, mail, named.handle);
  if (profile) explanation.push({ rule: 'extract.profile', detail: `${profile.url} from ${profile.detail}` });
  const text = messageTextOf(rules, spec, mail, findLines(rules, mail.text, named.name), named.name);
  explanation.push({ rule: 'extract.message', detail: text ? `"${cleanLine(text, 80)}"` : 'the notice shows none of the message' });
  const conversationUrl = conversationOf(spec, mail);
  if (conversationUrl) explanation.push({ rule: 'extract.conversation', detail: conversationUrl });
  const relay = message.replyTo.find((entry) => spec.relayDomains?.some((domain) => inDomain(entry.address, domain)))?.address ?? null;
  if (relay) explanation.push({ rule: 'extract.relay', detail: `Reply-To ${relay} relays to the sender through ${PLATFORM_LABELS[rules.platform]}` });
  const from = named.name ? ` from ${named.name}` : '';
  return {
    kind: 'message',
    message: {
      platform: rules.platform,
      name: named.name,
      profileUrl: profile?.url ?? null,
      text,
      conversationUrl,
      relay: authentication.outcome === 'pass' ? relay : null,
      authentication: authentication.outcome,
      authenticationDetail: authentication.detail,
    },
    reason: `suppressed: ${cleanLine(`${hit.signal.what}${from}, not ${rules.request}`, 200)}`,
    explanation,
  };
}

/**
 * Whether a platform mail sent from the person's own mailbox (LinkedIn 2011–2013) carries a From
 * the platform vouches for: the platform's signature passed (it covers From, RFC 6376 §5.4) and
 * the platform names itself as the Sender that sent it on the person's behalf.
 */
function vouchedFrom(rules: PlatformRules, message: Message, authentication: PlatformAuthentication): boolean {
  const sender = message.sender?.address ?? '';
  return authentication.outcome === 'pass' && sender !== '' && rules.domains.some((domain) => inDomain(sender, domain));
}

/**
 * Reads a platform's mail: null when no platform sent it (nor claims to). A request comes back
 * with its requester; everything else the platform sends comes back as "not a request" with a
 * reason starting "suppressed: " (no person wrote it, so it is never taken for an answer).
 */
export function readPlatformMail(message: Message, context: ClassifyContext): PlatformReading | null {
  const claim = claimOf(message);
  if (!claim) return null;
  const { rules } = claim;
  const explanation: Explanation[] = [{ rule: `${rules.platform}.mail`, detail: `${PLATFORM_LABELS[rules.platform]} mail: ${claim.how}` }];
  const mail = readMail(message, rules);

  // Before the reply check: an InMail answer's subject is often "RE: …".
  const notice = readMessageNotice(rules, mail, context, explanation);
  if (notice) return notice;
  if (isReplyOrForwardSubject(mail.subject)) {
    explanation.push({ rule: `${rules.platform}.reply`, detail: `subject "${cleanLine(mail.subject, 60)}" is a reply or forward` });
    return notRequest(rules, `${PLATFORM_LABELS[rules.platform]} message (a reply), not ${rules.request}`, explanation);
  }
  for (const signal of rules.notRequest) {
    const hit = matchSignal(signal, mail);
    if (!hit) continue;
    explanation.push({ rule: signal.rule, detail: hit.detail });
    return notRequest(rules, `${signal.what} (${hit.detail})`, explanation);
  }
  let decided: SignalHit | null = null;
  for (const signal of rules.requests) {
    decided = matchSignal(signal, mail);
    if (decided) break;
  }
  const from = message.from?.address ?? '';
  if (!decided) {
    explanation.push({ rule: `${rules.platform}.no-request`, detail: 'no rule for a request matched' });
    return notRequest(rules, `${PLATFORM_LABELS[rules.platform]} mail that is not ${rules.request} (from ${from || 'no sender'})`, explanation);
  }
  explanation.push({ rule: decided.signal.rule, detail: decided.detail });

  const listHeader = ['List-Id', 'List-Post'].find((name) => headerValues(message, name).length > 0);
  if (listHeader) {
    explanation.push({ rule: `${rules.platform}.mailing-list`, detail: `${listHeader} present` });
    return notRequest(rules, `${PLATFORM_LABELS[rules.platform]} ${rules.request.replace(/^an? /, '')} delivered through a mailing list (${listHeader} present)`, explanation);
  }
  const ids = requestIds(rules, mail);
  if (ids.length > 1) {
    explanation.push({ rule: `${rules.platform}.digest`, detail: `${ids.length} request ids: ${ids.slice(0, 3).join(', ')}` });
    return notRequest(rules, `${PLATFORM_LABELS[rules.platform]} digest of ${ids.length} ${rules.request.replace(/^an? /, '')}s, not a single request`, explanation);
  }

  const authentication = platformAuthentication(message, rules.domains, context);
  explanation.push({ rule: 'authentication', detail: `${authentication.outcome}: ${authentication.detail}` });
  const step = authenticationStep(rules, authentication, context);
  if (step.refuse) return notRequest(rules, step.refuse, explanation);

  // Extraction.
  const fromIsPlatform = from !== '' && rules.domains.some((domain) => inDomain(from, domain));
  const named = requesterName(rules, mail);
  explanation.push({ rule: 'extract.name', detail: named.name ? `"${named.name}" from ${named.detail}` : 'no name found' });
  const profile = profileOf(rules, mail, named.handle);
  if (profile) explanation.push({ rule: 'extract.profile', detail: `${profile.url} from ${profile.detail}` });
  if (ids[0]) explanation.push({ rule: 'extract.request-id', detail: ids[0] });
  const lines = findLines(rules, mail.text, named.name);
  const headline = lines.headlineAt >= 0 ? cleanLine(lines.lines[lines.headlineAt] ?? '', 200) : null;
  const location = lines.locationAt >= 0 ? cleanLine(lines.lines[lines.locationAt] ?? '', 120) : null;
  const note = noteOf(rules, mail, lines, named.name);
  if (note) explanation.push({ rule: 'extract.note', detail: `"${cleanLine(note, 80)}"` });
  const { language, how } = languageOf(rules, mail, decided.language);
  explanation.push({ rule: 'language', detail: language ? `${language}, from ${how}` : how });
  const mutual = countOf(rules.extract.mutualConnections, mail.flat, language);
  if (mutual) explanation.push({ rule: 'extract.mutual-connections', detail: `"${mutual.text}"` });
  const connections = countOf(rules.extract.connectionCount, mail.flat, language);
  if (connections) explanation.push({ rule: 'extract.connection-count', detail: `"${connections.text}"` });
  const photo = photoOf(rules, mail, named.name, profile?.key ?? null);
  if (photo) explanation.push({ rule: 'extract.photo', detail: `${photo.hasPhoto ? 'a photo' : 'the placeholder image'}: ${cleanLine(photo.src, 100)}` });

  // Where a script could go: a personal From the platform wrote for the person (LinkedIn
  // 2011–2013), or a personal Reply-To, only when the platform's authentication passed.
  let replyTo: string | null = null;
  let reason = decided.signal.what;
  const platformPassed = authentication.outcome === 'pass';
  let verified: RequestAuthentication = platformPassed
    ? { verified: true, detail: `verified: ${authentication.detail}` }
    : { verified: false, detail: `${PLATFORM_LABELS[rules.platform]}'s authentication did not pass: ${authentication.detail}` };
  if (from !== '' && !fromIsPlatform) {
    reason = reason.replace('{sender}', `from the ${rules.person}'s own address`);
    const resolved = personalAddress(message, context);
    explanation.push(...resolved.explanation);
    replyTo = resolved.address;
    if (replyTo === null) reason += `; no reply address: ${resolved.refusal ?? 'none given'}`;
    if (vouchedFrom(rules, message, authentication)) {
      verified = { verified: true, detail: `verified: ${authentication.detail}, and ${PLATFORM_LABELS[rules.platform]} is the Sender (${message.sender?.address ?? ''}) of this From` };
    } else if (resolved.authentication.outcome === 'pass') {
      verified = { verified: true, detail: resolved.authentication.detail };
    } else {
      verified = { verified: false, detail: platformPassed ? `${PLATFORM_LABELS[rules.platform]}'s signature passed, but no Sender of ${PLATFORM_LABELS[rules.platform]} vouches for the From ${from}, and ${resolved.authentication.detail}` : verified.detail };
    }
  } else {
    reason = reason.replace('{sender}', `sent through ${PLATFORM_LABELS[rules.platform]}`);
    // The platform's own relay (reply.linkedin.com) and robots are no address of the person.
    const personal = message.replyTo.find((entry) => mayWriteTo(entry.address, context));
    if (personal && platformPassed) {
      replyTo = personal.address;
      explanation.push({ rule: 'address.reply-to', detail: `Reply-To ${personal.address} set by ${PLATFORM_LABELS[rules.platform]} (authenticated)` });
      // A Reply-To can be added to a genuine, signed mail when the signature does not cover it, and
      // nothing here checks that it does: the address is kept, and waits for the user's approval.
      verified = { verified: false, detail: `${PLATFORM_LABELS[rules.platform]}'s signature passed, but the Reply-To ${personal.address} may have been added to the signed mail (nothing checks that the signature covers it)` };
    } else if (personal) {
      explanation.push({ rule: 'address.reply-to', detail: `Reply-To ${personal.address} not used: ${PLATFORM_LABELS[rules.platform]}'s authentication did not pass` });
    } else {
      explanation.push({ rule: 'address.none', detail: `${PLATFORM_LABELS[rules.platform]} mail carries no address of the ${rules.person}` });
    }
  }

  const name = named.name;
  return {
    kind: 'request',
    platform: rules.platform,
    requester: {
      name,
      firstName: firstNameOf(name),
      email: replyTo,
      profileUrl: profile?.url ?? null,
      headline: headline === '' ? null : headline,
      invitationId: ids[0] ?? null,
      acceptUrl: acceptLinkOf(rules, mail),
      location: location === '' ? null : location,
      note,
      mutualConnections: mutual?.count ?? null,
      connectionCount: connections?.count ?? null,
      hasPhoto: photo?.hasPhoto ?? null,
    },
    replyTo,
    reason,
    language,
    authentication: verified,
    explanation,
  };
}
