import type { Language } from '../../vocabulary/contact.ts';
import type { Platform } from '../../vocabulary/platforms.ts';

/**
 * The shape of one platform's rules. A platform is described by data only: which domains send its
 * mail, which headers and phrases mark a request and which mark its look-alikes, and where the
 * requester's details are. src/detect/platform.ts reads these; adding a platform is adding one file
 * next to this one and listing it in index.ts, adding a language is adding entries under its code.
 *
 * Patterns run on the mail as the platform wrote it (platforms spell their own templates
 * correctly), whitespace collapsed and curly quotes straightened, case-insensitively. Named groups
 * carry what a pattern extracts: `name`, `handle` (user name on the platform), `count`. Every
 * pattern must stay linear on hostile input: bounded repetitions, no nested quantifiers.
 */

/** Patterns by language; `any` holds patterns that do not belong to one language. */
export type Phrases = Partial<Record<Language | 'any', readonly RegExp[]>>;

export interface HeaderPattern {
  /** Header name, lower-case. */
  header: string;
  pattern: RegExp;
}

/**
 * One recognisable kind of mail. Every part given must match (within a part, any entry may):
 * a signal with `fromLocal` and `text` needs both the sender and a phrase.
 */
export interface Signal {
  /** Rule name shown by `winnow scan --explain`, such as "linkedin.invite-template". */
  rule: string;
  /**
   * What the mail is, in the user's words; becomes the reason. "{sender}" is replaced by how the
   * mail reached the user (from the person's own address, or sent through the platform).
   */
  what: string;
  headers?: readonly HeaderPattern[];
  /** Headers that must be absent for the signal to count (lower-case names). */
  absentHeaders?: readonly string[];
  /** Local part of the From address ("invitations" of invitations@linkedin.com). */
  fromLocal?: RegExp;
  /** Phrases searched in the subject and the body. */
  text?: Phrases;
  /** Phrases searched in the subject only. */
  subject?: Phrases;
  /** Pattern on the path and query of the platform's own links ("/people/invite-accept"). */
  links?: readonly RegExp[];
}

/** Where a profile link is, and the clean URL to keep (tracking parameters dropped). */
export interface ProfileRule {
  /** Pattern on the link's path; group `key` identifies the person (a slug or an id). */
  path: RegExp;
  /** Instead of the path, a query parameter holding the key ("id" of /profile/view?id=...). */
  param?: string;
  /** The clean URL, "{key}" replaced by the key. */
  url: string;
  /** Query parameters worth keeping (they open the profile, they do not track). */
  keep?: readonly string[];
}

export interface Extraction {
  /** Headers holding the requester's display name, tried first ("x-twittersendername"). */
  nameHeaders?: readonly string[];
  /** Headers holding the requester's user name on the platform. */
  handleHeaders?: readonly string[];
  /** The From display name is the requester's unless it matches one of these (the platform's own name). */
  notPersonName: readonly RegExp[];
  /** Removed from a From display name ("Jane Doe via LinkedIn" → "Jane Doe"). */
  displaySuffix?: RegExp;
  /** Subject patterns with a `name` and/or `handle` group ("(?<name>.+) wants to be friends"). */
  subjectName?: Phrases;
  /** Body patterns (line by line, multiline) with a `name` and/or `handle` group. */
  bodyName?: Phrases;
  /**
   * When no pattern names the requester (a language without phrases), the capitalised words that
   * open the subject are the name: "Anna Kowalska chce dołączyć …" → "Anna Kowalska".
   */
  nameLeadsSubject?: boolean;
  /** Hosts of the platform's web links, exact or a subdomain ("linkedin.com"). */
  webHosts: readonly string[];
  /** Links that point at someone else (the recipient's own profile in the header), matched on the whole URL. */
  notRequesterLink?: readonly RegExp[];
  profiles: readonly ProfileRule[];
  /** A clean profile URL from the handle, "{handle}" replaced. */
  profileFromHandle?: string;
  /** Where the id of this request is: query parameters and path patterns (group `id`) of links, or a header. */
  requestId?: {
    params?: readonly string[];
    paths?: readonly RegExp[];
    header?: HeaderPattern;
  };
  /** Links (path and query) that accept the request on the platform; the first is kept whole, for the user to open. */
  acceptLinks?: readonly RegExp[];
  /** A profile id in a header ("from=1659283218" of X-Facebook-Notify), group `id`, made into a URL. */
  profileFromHeader?: { header: string; pattern: RegExp; url: string };
  /** The line under the requester's name is their headline (job title) when it looks like one. */
  headlineAfterName?: boolean;
  /** Lines under the name that are never a headline (buttons, counts, footers). */
  notHeadline?: readonly RegExp[];
  /** A line under the headline that has this shape is a location ("Boston, Massachusetts Area"). */
  location?: readonly RegExp[];
  /** Mutual connections, group `count` ("12 mutual connections"). */
  mutualConnections?: Phrases;
  /** The requester's own number of connections or followers, group `count` ("500+ connections"). */
  connectionCount?: Phrases;
  /** Images of the requester: a real photo, or the platform's placeholder for "no photo". */
  photo?: { real: readonly RegExp[]; placeholder: readonly RegExp[] };
  /** Lines that end the part of the body where a personal note can be ("Accept", "View profile"). */
  noteEnds?: Phrases;
  /** Lines that are the platform's own words, never the requester's note. */
  boilerplate?: Phrases;
}

/**
 * The platform's notices of a message from a person ("Jane Doe sent you a message", InMail). They
 * are never requests; once the user has sent the script on the platform, the notice from that
 * person carries their answer: as much of the message as the notice shows, and a link to it.
 */
export interface MessageRules {
  /** Message notices: the first that matches makes the mail a message from a person. */
  signals: readonly Signal[];
  /** Subject patterns with a `name` and/or `handle` group naming the sender. */
  subjectName?: Phrases;
  /** Body patterns (line by line, multiline) naming the sender. */
  bodyName?: Phrases;
  /** Lines that end the message (buttons, footers): nothing from there on is the sender's. */
  textEnds?: Phrases;
  /** Lines around the message that are the platform's own words, never the sender's. */
  boilerplate?: Phrases;
  /** Links (path and query) that open the conversation on the platform. */
  conversationLinks?: readonly RegExp[];
  /** Domains of Reply-To relays that forward a reply to the sender ("reply.linkedin.com"). */
  relayDomains?: readonly string[];
}

export interface PlatformRules {
  platform: Platform;
  /** What a request is called, with its article: "an invitation", "a friend request", "a follow". */
  request: string;
  /** Who sends one: "inviter", "follower". */
  person: string;
  /** Languages this platform's notifications come in that the rules below cover. */
  languages: readonly Language[];
  /**
   * Domains that send the platform's mail. Mail from one of them (or a subdomain) is the
   * platform's; authentication must pass for one of them; no script ever goes to them.
   */
  domains: readonly string[];
  /** Other domains the platform owns (CDNs, short links): not look-alikes, never a recipient. */
  relatedDomains: readonly string[];
  /**
   * The brand as it appears in domain names, to recognise look-alikes ("linkedln.com",
   * "linkedin-mail.com"). `substring`: anywhere in a label; `token`: a whole word of a label.
   */
  brands: ReadonlyArray<{ word: string; match: 'substring' | 'token' }>;
  /** Header names (lower-case prefixes) only the platform's mail carries ("x-linkedin-"). */
  headerPrefixes: readonly string[];
  /**
   * Pages of the platform the dashboard links to, for the user to open in their browser (Winnow
   * never opens them): where the user writes messages, and where pending requests are accepted
   * or ignored.
   */
  pages?: { messaging?: string; invitations?: string };
  /** Look-alikes, checked first: the first that matches makes the mail not a request. */
  notRequest: readonly Signal[];
  /** Requests: the first that matches makes the mail a request. */
  requests: readonly Signal[];
  /** Notices of a message from a person, checked before everything else. */
  messages?: MessageRules;
  extract: Extraction;
}

/**
 * Phrases in every language from each language's sentences (regex sources), written once for
 * detection and for name extraction: `make` turns one sentence into its patterns
 * ("\\bsentence\\b", "^name sentence").
 */
/**
 * A platform's table of sentences per language, as its rules use it: the languages it covers, and
 * its sentences made into patterns (one sentence may give several, e.g. with a name or a handle).
 */
export function phraseBook<L extends Language>(sentences: Readonly<Record<L, readonly string[]>>): { languages: L[]; byLanguage: (make: (sentence: string) => RegExp[]) => Record<L, RegExp[]> } {
  return { languages: Object.keys(sentences) as L[], byLanguage: (make) => phrasesOf(sentences, make) };
}

export function phrasesOf<L extends Language>(sentences: Readonly<Record<L, readonly string[]>>, make: (sentence: string) => RegExp[]): Record<L, RegExp[]> {
  return Object.fromEntries((Object.keys(sentences) as L[]).map((language) => [language, sentences[language].flatMap(make)])) as Record<L, RegExp[]>;
}
