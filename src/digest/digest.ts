import type { Contact } from '../vocabulary/contact.ts';
import { platformLabelOf } from '../detect/platform.ts';
import { cleanLine } from '../text/line.ts';
import { localTime, zonedTime } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';
import type { CompiledTemplate, TemplateValues, TemplateVocabulary } from '../script/template.ts';

/**
 * The digest: one mail to the user's own address with what needs them (people to send the script
 * to on a platform, people asked by mail who need an address, answers to decide, scripts to
 * approve). Pure: when one is due, and what it says, laid out by the digest template
 * (templates/digest); src/digest/gather.ts reads the people and the template, src/workers/digest.ts
 * sends it. Nothing in it changes anything: every item is a link to its page on the dashboard,
 * behind the login, where the buttons are.
 */

const HOUR = 3_600_000;
/** Items shown per section; the rest are counted, with a link to the whole list. */
export const MAX_ITEMS = 20;
/** Lines of an answer shown. */
const ANSWER_LINES = 3;

/** The latest time a digest was due at or before `now`, or null when the digest is off. */
export function latestSlot(now: number, digest: Settings['digest'], timeZone: string): number | null {
  if (digest.every === 'off') return null;
  const today = localTime(now, timeZone);
  if (digest.every === 'day') {
    const at = zonedTime(today.year, today.month, today.day, digest.hour, 0, timeZone);
    return at <= now ? at : zonedTime(today.year, today.month, today.day - 1, digest.hour, 0, timeZone);
  }
  // Every N hours, counted from local midnight, so the times are the same every day.
  const midnight = zonedTime(today.year, today.month, today.day, 0, 0, timeZone);
  return midnight + Math.floor((now - midnight) / (digest.hours * HOUR)) * digest.hours * HOUR;
}

export interface DigestPerson {
  contact: Contact;
  /** The script as the template in force renders it for them (to send on the platform). */
  script?: { subject: string; text: string };
}

/** The digest's sections, in the order it lists them. */
export const DIGEST_SECTIONS = ['toSend', 'needAddress', 'toDecide', 'toApprove'] as const;
export type DigestSection = (typeof DIGEST_SECTIONS)[number];

export interface DigestInput {
  /** Waiting for the user to send the script on the platform. */
  toSend: DigestPerson[];
  /** Asked by personal mail, with no address Winnow may write to: the user gives one. */
  needAddress: DigestPerson[];
  toDecide: DigestPerson[];
  toApprove: DigestPerson[];
  /** How many there are of each in all (the lists may be cut). */
  totals: Record<DigestSection, number>;
  /** Changes after this time are new; null for the first digest. */
  since: number | null;
  dashboardUrl: string;
  /** The local day it belongs to, YYYY-MM-DD, for the subject. */
  day: string;
  /** Mailboxes whose provider refused their sign-in: one line each, until the user signs in again. */
  signInNeeded?: readonly DigestMailboxNeedingSignIn[];
}

export interface DigestMailboxNeedingSignIn {
  name: string;
  address: string;
  reason: string;
}

export interface DigestMail {
  subject: string;
  text: string;
  html: string;
  /** Items changed since the last digest. */
  fresh: number;
}

const PERSON = ['name', 'isNew', 'personUrl'] as const;

/**
 * What the digest template (templates/digest) may name. Every value is prepared here: names and
 * headlines on one line, links of the dashboard or http(s) profile links only, counts in words;
 * the template lays them out, through the same locked-down engine as the script (src/script/template.ts).
 */
export const DIGEST_VOCABULARY: TemplateVocabulary = Object.freeze({
  variables: ['summary', 'day', 'newSince', 'dashboardUrl', 'settingsUrl', ...DIGEST_SECTIONS.flatMap((section) => [`${section}Count`, `${section}More`, `${section}Url`])],
  lists: {
    toSend: { variables: [...PERSON, 'platform', 'headline', 'profileUrl', 'script'] },
    needAddress: { variables: [...PERSON, 'reason'] },
    toDecide: { variables: [...PERSON, 'status', 'score', 'flags'], lists: { answerLines: { variables: ['line'] } } },
    toApprove: { variables: [...PERSON, 'email', 'reason'] },
    signInNeeded: { variables: ['name', 'address', 'reason'] },
  },
});

/** Longest value the digest shows (the script to copy is the longest). */
export const MAX_DIGEST_VALUE = 5000;

export type DigestTemplate = CompiledTemplate<TemplateValues>;

/** Where each section's whole list is on the dashboard. */
const SECTION_PAGES: Record<DigestSection, string> = {
  toSend: '/awaiting',
  needAddress: '/people?status=awaiting_address',
  toDecide: '/people?status=answered',
  toApprove: '/people?status=awaiting_approval',
};

/** One line of a name or headline taken from mail: the detectors' cleaner (no control or bidi characters, no breaks). */
function line(text: string | null | undefined, max = 200): string {
  return cleanLine(text ?? '', max);
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function scoreWords(contact: Contact): string {
  if (!contact.score) return 'not scored';
  const said = [contact.score.why && 'why', contact.score.business && 'business', contact.score.benefit && 'benefit'].filter(Boolean);
  return said.length === 0 ? 'says neither why, business nor benefit' : `says ${said.join(', ')}`;
}

/** A link from mail is shown only when it is a web address: a javascript: or data: link is no profile. */
function webLink(url: string | null): string {
  return url && /^https?:\/\//i.test(url) ? url : '';
}

/** The values the digest template renders, or null when nothing in them is new since the last digest. */
export function digestValues(input: DigestInput): { values: TemplateValues; fresh: number } | null {
  const isNew = (person: DigestPerson) => input.since === null || person.contact.updatedAt > input.since;
  const signInNeeded = input.signInNeeded ?? [];
  // A mailbox that needs sign-in is news every day until it is signed in again: nothing is read from it meanwhile.
  const fresh = DIGEST_SECTIONS.flatMap((section) => input[section]).filter(isNew).length + signInNeeded.length;
  if (fresh === 0) return null;
  const url = (path: string) => `${input.dashboardUrl}${path}`;
  const person = (entry: DigestPerson) => ({
    name: line(entry.contact.name) || '(no name)',
    isNew: isNew(entry) ? 'new' : '',
    personUrl: url(`/contacts/${encodeURIComponent(entry.contact.id)}`),
  });
  const { totals } = input;
  const summary = [
    totals.toSend > 0 && plural(totals.toSend, 'to send on a platform', 'to send on a platform'),
    totals.needAddress > 0 && plural(totals.needAddress, 'waiting for an address', 'waiting for an address'),
    totals.toDecide > 0 && plural(totals.toDecide, 'answer to decide', 'answers to decide'),
    totals.toApprove > 0 && plural(totals.toApprove, 'to approve', 'to approve'),
    signInNeeded.length > 0 && plural(signInNeeded.length, 'mailbox needs sign-in', 'mailboxes need sign-in'),
  ].filter((part): part is string => Boolean(part));

  const values: TemplateValues = {
    summary: summary.join(', '),
    day: input.day,
    newSince: plural(fresh, 'new since the last digest', 'new since the last digest'),
    dashboardUrl: input.dashboardUrl,
    settingsUrl: url('/settings'),
    toSend: input.toSend.map((entry) => {
      const platform = platformLabelOf(entry.contact.platform) ?? entry.contact.platform;
      return { ...person(entry), platform, headline: line(entry.contact.headline), profileUrl: webLink(entry.contact.profileUrl), script: entry.script?.text.trim() ?? '' };
    }),
    needAddress: input.needAddress.map((entry) => ({ ...person(entry), reason: line(entry.contact.reason) })),
    toDecide: input.toDecide.map((entry) => {
      const { contact } = entry;
      const answer = (contact.answerText ?? '').split('\n').map((each) => line(each, 300)).filter((each) => each !== '').slice(0, ANSWER_LINES);
      return {
        ...person(entry),
        status: contact.status === 'declined' ? 'declined' : 'answered',
        score: scoreWords(contact),
        flags: contact.flags.join(', ').replace(/_/g, ' '),
        answerLines: answer.map((each) => ({ line: each })),
      };
    }),
    toApprove: input.toApprove.map((entry) => ({ ...person(entry), email: line(entry.contact.email), reason: line(entry.contact.reason) })),
    signInNeeded: signInNeeded.map((mailbox) => ({ name: line(mailbox.name), address: line(mailbox.address), reason: line(mailbox.reason) })),
  };
  for (const section of DIGEST_SECTIONS) {
    const shown = input[section].length;
    values[`${section}Count`] = String(totals[section]);
    values[`${section}More`] = totals[section] > shown ? String(totals[section] - shown) : '';
    values[`${section}Url`] = url(SECTION_PAGES[section]);
  }
  return { values, fresh };
}

/** The digest as the template renders it, or null when nothing in it is new since the last one. */
export function buildDigest(input: DigestInput, template: DigestTemplate): DigestMail | null {
  const prepared = digestValues(input);
  if (!prepared) return null;
  const mail = template.render(prepared.values);
  return { subject: mail.subject, text: mail.text, html: mail.html, fresh: prepared.fresh };
}
