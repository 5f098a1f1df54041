import { type Channel, type Flag, sentAuthenticated } from '../vocabulary/contact.ts';
import { platformLabel } from '../vocabulary/platforms.ts';
import { withoutReplyPrefixes } from '../text/subject.ts';
import { cut, MAX_VARIABLE_LENGTH, type ScriptVariables } from './template.ts';

/** What the script is rendered from; every field but userName comes from received mail. */
export interface ScriptInput {
  name: string;
  firstName: string;
  /** A platform id such as 'linkedin' or 'email'. */
  platform: string;
  /** The user's display name, from MAIL_FROM. */
  userName: string;
  /** Subject of the mail being answered; '' when there is none. */
  originalSubject: string;
  /** Whether that mail was authenticated: only then is its subject echoed. */
  authenticated: boolean;
  /** The user pastes the script into the platform's message box, rather than Winnow mailing it. */
  onPlatform?: boolean;
}

/** What a script is rendered for: a person as the store keeps them, or the sample person. */
export interface ScriptPerson {
  name: string;
  firstName: string;
  platform: string;
  /** Subject of their request mail. */
  subject: string;
  /** Flags of their request; `unverified` keeps their subject out of the script (see sentAuthenticated). */
  flags: readonly Flag[];
  /** Their address; null while they have none (then the script is for the platform's message box). */
  email?: string | null;
  /** Where they were asked: on the platform, by the user, or by mail. */
  channel?: Channel;
}

/** A made-up requester for previews and test sends, when no real person is chosen. */
export const SAMPLE_PERSON: Readonly<ScriptPerson> = Object.freeze({
  name: 'Sam Sample',
  firstName: 'Sam',
  platform: 'linkedin',
  subject: 'Invitation to connect on LinkedIn',
  flags: [],
});

/** The variables of a script (or reminder) for one person, written by the user `userName`. */
export function personVariables(person: ScriptPerson, userName: string): ScriptVariables {
  return scriptVariables({
    name: person.name,
    firstName: person.firstName,
    platform: person.platform,
    userName,
    originalSubject: person.subject,
    authenticated: sentAuthenticated(person),
    onPlatform: scriptOnPlatform(person),
  });
}

/**
 * Whether this person's script is pasted into the platform's message box by the user (they came
 * through a platform and have no address, or were asked there) rather than mailed by Winnow, so
 * the script can say "a reply here" instead of "a reply to this email".
 */
export function scriptOnPlatform(person: Pick<ScriptPerson, 'platform' | 'email' | 'channel'>): boolean {
  return person.platform !== 'email' && (person.channel === 'platform' || person.email === null);
}

/**
 * The variables a script template sees: each one a single line of plain text, without control
 * characters, trimmed and at most 200 characters, so a hostile name cannot break the layout of a
 * header or a text part. HTML escaping is the template engine's job, not this one's.
 *
 * The script goes to whatever address the request named, so everything the sender wrote is a
 * message they could make Winnow deliver, from the user's account, to someone else. Hence: a name
 * that is not name-like (a link, an address, a phone number) is left out, and the template's
 * neutral greeting is used; the subject is echoed only when the request was authenticated, only
 * without links, and cut short.
 *
 * replyWhere ("to this email", or "here on LinkedIn" when the user pastes the script into the
 * platform's message box) is to the channel what greeting is to the first name: the default
 * script says where to answer without an {{#if}}; onPlatform is there for one in other words.
 */
export function scriptVariables(input: ScriptInput): ScriptVariables {
  const firstName = nameLike(clean(input.firstName), MAX_FIRST_NAME_LENGTH, 3);
  return {
    name: nameLike(clean(input.name), MAX_NAME_LENGTH, 6),
    firstName,
    platform: platformLabel(input.platform),
    userName: clean(input.userName),
    originalSubject: input.authenticated ? echoedSubject(input.originalSubject) : '',
    greeting: greeting(firstName),
    onPlatform: input.onPlatform === true ? platformLabel(input.platform) : '',
    replyWhere: input.onPlatform === true ? `here on ${platformLabel(input.platform)}` : 'to this email',
  };
}

/**
 * "Hi Ada," or, when the request does not tell a first name (or not one that reads as a name),
 * "Hi there,": the conditional every script starts with, as one variable, so a template needs no
 * {{#if}} for it. Someone writing in another language uses {{#if firstName}}…{{else}}…{{/if}} with
 * their own words (the editor inserts it).
 */
export function greeting(firstName: string): string {
  return firstName === '' ? 'Hi there,' : `Hi ${firstName},`;
}

/** Longest first name echoed; longer ones read as a message rather than a name. */
export const MAX_FIRST_NAME_LENGTH = 40;
/** Longest full name echoed. */
export const MAX_NAME_LENGTH = 80;
/** Longest subject echoed after "Re: ", in characters: about a subject line's visible width. */
export const MAX_ECHOED_SUBJECT_LENGTH = 78;

/**
 * The value when it reads as a person's name, else ''. Letters of any script, with the marks,
 * spaces, hyphens, apostrophes and dots that names carry ("Jean-Luc", "O'Brien", "J. R."), in at
 * most `maxWords` words; no digits (phone numbers), no "@", "/" or ":" (addresses, links), and no
 * dot directly followed by letters ("evil.example"), so a host name cannot pass for a name.
 */
export function nameLike(value: string, max: number, maxWords: number): string {
  if (value === '' || value.length > max || value.split(' ').length > maxWords) return '';
  if (!/^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u.test(value)) return '';
  if (/\.\p{L}{2}/u.test(value)) return '';
  return value;
}

/**
 * Anything a mail client could turn into a link: a scheme ("https://", "mailto:"), "www.", an
 * address, or a host name ("evil.example", also with full-width or ideographic dots).
 */
const LINK_LIKE = /[a-z][a-z0-9+.-]*:\/\/|\b(?:mailto|tel|sms|callto|javascript|data):|www[.。．｡]|@|[\p{L}\p{N}-]+[.。．｡][\p{L}\p{N}-]*\p{L}{2}/iu;

/** The subject as echoed: reply prefixes off, '' when it holds anything link-like, cut at a word. */
export function echoedSubject(subject: string): string {
  // The template adds its own "Re: "; a doubled prefix ("Re: AW: Invitation") looks automated.
  const text = clean(withoutReplyPrefixes(clean(subject)));
  if (LINK_LIKE.test(text)) return '';
  if (text.length <= MAX_ECHOED_SUBJECT_LENGTH) return text;
  const cutAt = text.lastIndexOf(' ', MAX_ECHOED_SUBJECT_LENGTH - 1);
  return `${cut(text, cutAt > MAX_ECHOED_SUBJECT_LENGTH / 2 ? cutAt : MAX_ECHOED_SUBJECT_LENGTH - 1).trimEnd()}…`;
}

function clean(value: unknown): string {
  if (typeof value !== 'string') return '';
  const flat = value
    // Line breaks (including Unicode's), tabs and other C0/C1 controls become one space.
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    // Invisible direction overrides could make the text read differently from what it is, and
    // zero-width characters could hide a link ("evil\u200b.example") from the checks below.
    .replace(/[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cut(flat, MAX_VARIABLE_LENGTH).trimEnd();
}
