import type { Contact } from '../vocabulary/contact.ts';
import { platformLabelOf } from '../detect/platform.ts';
import { cleanLine } from '../detect/text.ts';
import { localTime, zonedTime } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';

/**
 * The digest: one mail to the user's own address with what needs them (people to send the script
 * to on a platform, answers to decide, scripts to approve). Pure: when one is due, and what it
 * says; src/workers/digest.ts reads the people and sends it. Nothing in it changes anything: every
 * item is a link to its page on the dashboard, behind the login, where the buttons are.
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

export interface DigestInput {
  /** Waiting for the user to send the script on the platform. */
  toSend: DigestPerson[];
  toDecide: DigestPerson[];
  toApprove: DigestPerson[];
  /** How many there are of each in all (the lists may be cut). */
  totals: { toSend: number; toDecide: number; toApprove: number };
  /** Changes after this time are new; null for the first digest. */
  since: number | null;
  dashboardUrl: string;
  /** The local day it belongs to, YYYY-MM-DD, for the subject. */
  day: string;
}

export interface DigestMail {
  subject: string;
  text: string;
  html: string;
  /** Items changed since the last digest. */
  fresh: number;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

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

/** The digest, or null when nothing in it is new since the last one. */
export function buildDigest(input: DigestInput): DigestMail | null {
  const isNew = (person: DigestPerson) => input.since === null || person.contact.updatedAt > input.since;
  const all = [...input.toSend, ...input.toDecide, ...input.toApprove];
  const fresh = all.filter(isNew).length;
  if (fresh === 0) return null;
  const url = (path: string) => `${input.dashboardUrl}${path}`;
  const person = (contact: Contact) => url(`/contacts/${encodeURIComponent(contact.id)}`);
  const { totals } = input;

  const parts = [
    totals.toSend > 0 && plural(totals.toSend, 'to send on a platform', 'to send on a platform'),
    totals.toDecide > 0 && plural(totals.toDecide, 'answer to decide', 'answers to decide'),
    totals.toApprove > 0 && plural(totals.toApprove, 'to approve', 'to approve'),
  ].filter((part): part is string => Boolean(part));
  const subject = `Winnow: ${parts.join(', ')} (${input.day})`;

  const text: string[] = [`What needs you in Winnow (${plural(fresh, 'new since the last digest', 'new since the last digest')}). Nothing here changes anything: open the links to act.`, ''];
  const html: string[] = [
    `<!doctype html><html><body style="font-family:sans-serif;max-width:40em;margin:auto;padding:0 1em;line-height:1.4">`,
    `<p>What needs you in Winnow (${escape(plural(fresh, 'new since the last digest', 'new since the last digest'))}). Nothing here changes anything: open the links to act.</p>`,
  ];
  const mark = (entry: DigestPerson) => (isNew(entry) ? ' [new]' : '');
  const more = (shown: number, total: number, path: string) => {
    if (total <= shown) return;
    text.push(`… and ${total - shown} more: ${url(path)}`, '');
    html.push(`<p><a href="${escape(url(path))}">… and ${total - shown} more</a></p>`);
  };

  if (input.toSend.length > 0) {
    text.push(`TO SEND ON THE PLATFORM (${totals.toSend})`, '');
    html.push(`<h2 style="font-size:1.1em">To send on the platform (${totals.toSend})</h2>`);
    for (const entry of input.toSend) {
      const { contact } = entry;
      const platform = platformLabelOf(contact.platform) ?? contact.platform;
      const name = line(contact.name) || '(no name)';
      const headline = line(contact.headline);
      text.push(`${name}${mark(entry)}, ${platform}${headline ? `: ${headline}` : ''}`);
      if (contact.profileUrl) text.push(`Profile: ${contact.profileUrl}`);
      text.push(`Say you sent it: ${person(contact)}`);
      if (entry.script) text.push('Script to copy:', '', entry.script.text.trim(), '');
      text.push('');
      html.push(
        `<div style="border-top:1px solid #ccc;padding:.5em 0"><p><strong>${escape(name)}</strong>${escape(mark(entry))}, ${escape(platform)}${headline ? `: ${escape(headline)}` : ''}</p>`,
        `<p>${contact.profileUrl && /^https?:\/\//i.test(contact.profileUrl) ? `<a href="${escape(contact.profileUrl)}">Profile on ${escape(platform)}</a> · ` : ''}<a href="${escape(person(contact))}">Say you sent it</a></p>`,
        entry.script ? `<pre style="white-space:pre-wrap;background:#f4f4f4;padding:.5em">${escape(entry.script.text.trim())}</pre>` : '',
        '</div>',
      );
    }
    more(input.toSend.length, totals.toSend, '/awaiting');
  }
  if (input.toDecide.length > 0) {
    text.push(`ANSWERS TO DECIDE (${totals.toDecide})`, '');
    html.push(`<h2 style="font-size:1.1em">Answers to decide (${totals.toDecide})</h2>`);
    for (const entry of input.toDecide) {
      const { contact } = entry;
      const name = line(contact.name) || '(no name)';
      const answer = (contact.answerText ?? '').split('\n').map((each) => line(each, 300)).filter((each) => each !== '').slice(0, ANSWER_LINES);
      const flags = contact.flags.length > 0 ? `; flags: ${contact.flags.join(', ').replace(/_/g, ' ')}` : '';
      const status = contact.status === 'declined' ? 'declined' : 'answered';
      text.push(`${name}${mark(entry)} (${status}; ${scoreWords(contact)}${flags})`, ...answer.map((each) => `> ${each}`), `Decide: ${person(contact)}`, '');
      html.push(
        `<div style="border-top:1px solid #ccc;padding:.5em 0"><p><strong>${escape(name)}</strong>${escape(mark(entry))} (${escape(status)}; ${escape(scoreWords(contact))}${escape(flags)})</p>`,
        answer.length > 0 ? `<blockquote style="margin:0 0 .5em 1em;color:#333">${answer.map(escape).join('<br>')}</blockquote>` : '',
        `<p><a href="${escape(person(contact))}">Decide</a></p></div>`,
      );
    }
    more(input.toDecide.length, totals.toDecide, '/people?status=answered');
  }
  if (input.toApprove.length > 0) {
    text.push(`SCRIPTS TO APPROVE (${totals.toApprove})`, '');
    html.push(`<h2 style="font-size:1.1em">Scripts to approve (${totals.toApprove})</h2>`);
    for (const entry of input.toApprove) {
      const { contact } = entry;
      const name = line(contact.name) || '(no name)';
      const why = line(contact.reason, 200);
      text.push(`${name}${mark(entry)}${contact.email ? ` <${line(contact.email)}>` : ''}${why ? `: ${why}` : ''}`, `Approve or not: ${person(contact)}`, '');
      html.push(`<div style="border-top:1px solid #ccc;padding:.5em 0"><p><strong>${escape(name)}</strong>${escape(mark(entry))}${why ? `: ${escape(why)}` : ''}</p><p><a href="${escape(person(contact))}">Approve or not</a></p></div>`);
    }
    more(input.toApprove.length, totals.toApprove, '/people?status=awaiting_approval');
  }
  text.push('--', `Winnow, ${input.dashboardUrl}. Change or turn off the digest in Settings: ${url('/settings')}`);
  html.push(`<p style="color:#666;font-size:.9em">Winnow · <a href="${escape(url('/settings'))}">Change or turn off the digest in Settings</a></p></body></html>`);
  return { subject, text: text.join('\n'), html: html.filter((part) => part !== '').join('\n'), fresh };
}
