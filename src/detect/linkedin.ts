import { header, headerValues, type Message } from '../mail/message.ts';
import { inDomain, localPart, platformDomainOf, refusalFor } from './address.ts';
import { authenticatedFor, senderAuthentication } from './authentication.ts';
import { bodyText, cleanLine, extractUrls, firstNameOf, isReplyOrForwardSubject, parseUrl, straightenQuotes, stripQuoted } from './text.ts';
import { UNKNOWN_DETAILS, type ClassifyContext, type Requester } from './types.ts';

/**
 * LinkedIn invitations in the two shapes seen in real mail (see design.md, "What the mail looks
 * like"), and everything else LinkedIn sends, which is never a request:
 * - 2011–2013: subject "Invitation to connect on LinkedIn", body "I'd like to add you to my
 *   professional network on LinkedIn"; From the inviter's own mailbox (Sender at linkedin.com),
 *   later "Name via LinkedIn <member@linkedin.com>".
 * - 2016 on: From "Name <invitations@linkedin.com>", X-LinkedIn-Template `email_m2m_invite_*`,
 *   "View profile:" and "Accept:" links, the Accept link carrying `invitationId`. No address of
 *   the person: a reply goes to LinkedIn.
 */
export type LinkedInReading =
  | { kind: 'invitation'; format: '2016' | '2011'; requester: Requester; replyTo: string | null; reason: string }
  | { kind: 'not-invitation'; reason: string };

const LINKEDIN = 'linkedin.com';

const OLD_SUBJECT = /^\s*(?:\[[^\]]{0,80}\]\s*)?(?:invitation to connect on linkedin|join my network on linkedin)\s*(?:[.!]\s*)?$/i;
const OLD_PHRASE = /\badd you to my professional network on linkedin\b/i;
const NEW_SUBJECT = /\bplease add me to your linkedin network\b|^\s*i want to connect\s*$|^\s*you have an invitation\s*$|\bwants to connect\b/i;
const NEW_PHRASE = /\bi'?d like to join your linkedin network\b|\binvited you to connect\b|\bwants to connect\b/i;
// Member-to-member connection invitations ("email_m2m_invite_single_01"); LinkedIn also sends
// invitations to events, groups, pages and newsletters, which are not requests to connect.
const INVITE_TEMPLATE = /m2m_?invit|invit\w*connect|connect\w*invit/;
const INVITE_CLASS = /^(?:INVITE|INVITATION|INVITATIONS)(?:-(?:MBR|MEMBER|GUEST))?$/;
const ACCEPTED =
  /\baccepted your invitation\b|\baccepted your connection request\b|\byou(?:'re| are) now connected\b|\bis now a connection\b|\bstart a conversation with your new connection\b/i;

function isLinkedInAddress(address: string | null | undefined): boolean {
  return typeof address === 'string' && address !== '' && inDomain(address, LINKEDIN);
}

function isLinkedInUrl(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host === LINKEDIN || host.endsWith(`.${LINKEDIN}`);
}

function hasLinkedInHeaders(message: Message): boolean {
  for (const key of message.headers.keys()) if (key.startsWith('x-linkedin-')) return true;
  return false;
}

function linkedInUrls(urls: string[]): URL[] {
  return urls.map(parseUrl).filter((url): url is URL => url !== null && isLinkedInUrl(url));
}

function invitationIdsIn(urls: URL[]): string[] {
  const ids = new Set<string>();
  for (const url of urls) {
    for (const [key, value] of url.searchParams) {
      if (key.toLowerCase() === 'invitationid' && /^[A-Za-z0-9:_.-]{1,120}$/.test(value)) ids.add(value);
    }
  }
  return [...ids];
}

/**
 * The inviter's profile without tracking parameters. LinkedIn's header links point at the
 * recipient's own profile (trk "...-header-..."), so those are skipped.
 */
function profileUrlIn(urls: URL[]): string | null {
  const candidates = urls.filter((url) => !/-header-/.test(url.searchParams.get('trk') ?? ''));
  for (const url of candidates) {
    const slug = /^\/(?:comm\/)?in\/([^/?#]{1,100})\/?$/.exec(url.pathname)?.[1];
    if (slug && /^[\p{L}\p{N}%_-]+$/u.test(slug)) return `https://www.linkedin.com/in/${slug}`;
  }
  for (const url of candidates) {
    const id = url.searchParams.get('id');
    if (/^\/(?:comm\/)?profile\/view\/?$/.test(url.pathname) && id && /^[A-Za-z0-9_-]{1,120}$/.test(id)) {
      // authType/authToken open the profile to someone outside the inviter's network; they are not tracking.
      const clean = new URL('https://www.linkedin.com/profile/view');
      clean.searchParams.set('id', id);
      for (const key of ['authType', 'authToken']) {
        const value = url.searchParams.get(key);
        if (value && /^[A-Za-z0-9_-]{1,60}$/.test(value)) clean.searchParams.set(key, value);
      }
      return clean.toString();
    }
  }
  return null;
}

const BODY_NAME_PATTERNS = [
  /^[ \t]*(\S.{0,80}?) requested to add you as a connection on LinkedIn/im,
  /^[ \t]*(\S.{0,80}?) (?:wants|would like) to connect(?: with you)? on LinkedIn/im,
  /^[ \t]*Accept invitation from (\S.{0,80}?)[ \t]*$/im,
  /^[ \t]*Confirm that you know (\S.{0,80}?):?[ \t]*$/im,
  /^[ \t]*View (\S.{0,80}?)'s profile\b/im,
  /join your LinkedIn network\.?[ \t]*\n(?:[ \t]*\n)*[ \t]*(\S[^\n]{0,80})\n/i,
];

/** mailparser writes an HTML-only body as text with each link as " [url]" after its words. */
function withoutLinkMarks(line: string): string {
  return line.replace(/\s*\[(?:https?:|mailto:)[^\]]*\]/gi, '');
}

function requesterName(message: Message, text: string): string {
  const display = cleanLine((message.from?.name ?? '').replace(/\s+via\s+linkedin\s*$/i, ''), 120);
  if (display !== '' && !/^linkedin(?:\s+invitations?)?$/i.test(display) && !display.includes('@')) return display;
  for (const pattern of BODY_NAME_PATTERNS) {
    const found = pattern.exec(text)?.[1];
    if (found) {
      const name = cleanLine(withoutLinkMarks(found), 120);
      if (name !== '' && !/https?:|www\./i.test(name)) return name;
    }
  }
  return '';
}

const NOT_HEADLINE = /^(?:accept|view|confirm|ignore|reply|respond|unsubscribe|help|learn why|you are receiving|this email was intended|[-–—.•*_=]|\d+ (?:mutual|shared|connections?))/i;

/** The line under the inviter's name in the body is their headline, when it looks like one. */
function headlineAfter(text: string, name: string): string | null {
  if (name === '') return null;
  const lines = text.split('\n').map((line) => withoutLinkMarks(line).trim());
  const wanted = name.toLowerCase();
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').toLowerCase();
    if (line !== wanted && line !== `from ${wanted}`) continue;
    for (let next = index + 1; next < lines.length && next <= index + 4; next += 1) {
      const candidate = lines[next] ?? '';
      if (candidate === '') continue;
      if (NOT_HEADLINE.test(candidate) || /https?:|www\./i.test(candidate) || candidate.toLowerCase() === wanted) break;
      if (OLD_PHRASE.test(candidate) || NEW_PHRASE.test(candidate) || candidate.length > 200) break;
      return cleanLine(candidate, 200);
    }
  }
  return null;
}

function notInvitation(detail: string): LinkedInReading {
  return { kind: 'not-invitation', reason: `suppressed: ${cleanLine(detail, 160)}` };
}

/** Reads LinkedIn mail; null when the mail is not from LinkedIn at all. */
export function readLinkedIn(message: Message, context: ClassifyContext): LinkedInReading | null {
  const fromLinkedIn = isLinkedInAddress(message.from?.address);
  const throughLinkedIn =
    fromLinkedIn || isLinkedInAddress(message.sender?.address) || isLinkedInAddress(message.returnPath) || hasLinkedInHeaders(message);
  const subject = straightenQuotes(message.subject).replace(/\s+/g, ' ');
  const reply = isReplyOrForwardSubject(subject);
  // Most mail has nothing to do with LinkedIn: leave before reading the body.
  if (!throughLinkedIn && (reply || !/linkedin/i.test(subject + message.text))) return null;
  // LinkedIn's own text is read whole; anything a person may have written is read without quotes,
  // so a person quoting an invitation does not become one.
  const text = straightenQuotes(fromLinkedIn ? bodyText(message) : stripQuoted(bodyText(message)));
  const textUrls = linkedInUrls(extractUrls(text));
  const urls = fromLinkedIn ? [...textUrls, ...linkedInUrls(extractUrls('', message.html))] : textUrls;
  const oldSubject = !reply && OLD_SUBJECT.test(subject);
  const oldPhrase = OLD_PHRASE.test(text);

  // An old invitation that lost its LinkedIn headers on the way (forwarded by a server, say).
  if (!throughLinkedIn && (!(oldSubject || oldPhrase) || textUrls.length === 0)) return null;
  if (reply) return notInvitation('LinkedIn message (a reply), not an invitation');

  const linkedInClass = (header(message, 'x-linkedin-class') ?? '').trim().toUpperCase();
  const template = (header(message, 'x-linkedin-template') ?? '').trim().toLowerCase();
  if (linkedInClass === 'INMAIL' || template.includes('inmail')) return notInvitation('LinkedIn InMail (X-LinkedIn-Class: INMAIL), not an invitation');
  if (ACCEPTED.test(subject) || ACCEPTED.test(text.slice(0, 4000))) return notInvitation('LinkedIn notice that an invitation was accepted');

  const templateSaysInvite = INVITE_TEMPLATE.test(template) && !/accept/.test(template);
  const classSaysInvite = INVITE_CLASS.test(linkedInClass);
  if (template !== '' && !templateSaysInvite) return notInvitation(`LinkedIn mail that is not an invitation (${template})`);
  if (template === '' && linkedInClass !== '' && !classSaysInvite) return notInvitation(`LinkedIn mail that is not an invitation (X-LinkedIn-Class: ${linkedInClass})`);

  // The text part is preferred: an HTML part repeats the same links, sometimes with other ids.
  const textIds = invitationIdsIn(textUrls);
  const invitationIds = textIds.length > 0 ? textIds : invitationIdsIn(urls);
  if (invitationIds.length > 1) return notInvitation(`LinkedIn digest of ${invitationIds.length} invitations, not a single request`);

  const acceptLink = invitationIds.length > 0 || urls.some((url) => /\/people\/invite-accept\b/i.test(url.pathname));
  const invitationsSender = fromLinkedIn && localPart(message.from?.address ?? '') === 'invitations';
  const newPhrase = NEW_SUBJECT.test(subject) || NEW_PHRASE.test(text);
  let format: '2016' | '2011';
  if (oldSubject || (oldPhrase && !invitationsSender)) format = '2011';
  else if (acceptLink || templateSaysInvite || classSaysInvite || (invitationsSender && newPhrase)) format = '2016';
  else return notInvitation(fromLinkedIn ? `LinkedIn mail that is not an invitation (from ${message.from?.address ?? ''})` : 'LinkedIn message, not an invitation');

  const listHeader = ['List-Id', 'List-Post'].find((name) => headerValues(message, name).length > 0);
  if (listHeader) return notInvitation(`LinkedIn invitation delivered through a mailing list (${listHeader} present)`);

  const name = requesterName(message, text);
  const requester: Requester = {
    name,
    firstName: firstNameOf(name),
    email: null,
    profileUrl: profileUrlIn(urls),
    headline: headlineAfter(text, name),
    invitationId: invitationIds[0] ?? null,
    ...UNKNOWN_DETAILS,
  };

  if (format === '2016') return { kind: 'invitation', format, requester, replyTo: null, reason: 'LinkedIn invitation (2016 format)' };

  // 2011–2013: the inviter's own From reached the person; "via LinkedIn" mail only a Reply-To could.
  const from = message.from?.address ?? '';
  let reason: string;
  let candidate: string | null = null;
  if (from !== '' && !fromLinkedIn) {
    reason = "LinkedIn invitation (2011–2013 format, from the inviter's own address)";
    candidate = from;
  } else {
    reason = 'LinkedIn invitation (2011–2013 format, sent through LinkedIn)';
    const personal = message.replyTo.find((entry) => entry.address !== '' && platformDomainOf(entry.address) === null);
    // A Reply-To on mail claiming LinkedIn's domain is used only when LinkedIn really sent it.
    if (personal && authenticatedFor(message, LINKEDIN)) candidate = personal.address;
  }
  let replyTo: string | null = null;
  if (candidate !== null) {
    const refusal = refusalFor(candidate, context);
    if (refusal) reason += `; no reply address: ${refusal}`;
    else if (senderAuthentication(message) === 'fail') reason += '; no reply address: sender authentication failed';
    else replyTo = candidate;
  }
  return { kind: 'invitation', format, requester: { ...requester, email: replyTo }, replyTo, reason };
}
