import { z } from 'zod';
import { PLATFORMS } from './platforms.ts';

/**
 * The words every part of Winnow uses of a person: where their screening stands, the signs shown
 * beside them, what their request told and what their answer says. The Contact type is made from
 * its schema, so the type, the API's description of it and the checks agree by construction.
 */

export const STATUSES = [
  'detected',
  'awaiting_address',
  'awaiting_approval',
  'skipped',
  'queued',
  'asked',
  'answered',
  'declined',
  'bounced',
  'no_response',
  'failed',
  'accepted',
  'rejected',
  'handled',
] as const;
export type Status = (typeof STATUSES)[number];

/** 'no_response' → 'no response'. */
export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

/**
 * Where the person was asked: by mail (Winnow sent the script), or on the platform (the user sent
 * it there and said so; the platform's message notice brings the answer).
 */
export const CHANNELS = ['email', 'platform'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Languages whose requests, refusals and out-of-office notes are recognised. */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Signs shown beside a person. They inform the user; they never decide anything on their own.
 * From the request: few_connections (under 100), no_photo, open_networker ("LION"), unverified
 * (neither Winnow's own check nor the receiving server authenticated the sender). From the answer:
 * sales_pitch, link_heavy, hostile, very_short.
 */
export const FLAGS = ['sales_pitch', 'link_heavy', 'hostile', 'very_short', 'few_connections', 'no_photo', 'open_networker', 'unverified'] as const;
export type Flag = (typeof FLAGS)[number];

/** Each flag in words, as the dashboard and the digest show it. */
export const FLAG_LABELS: Readonly<Record<Flag, string>> = {
  sales_pitch: 'sales pitch',
  link_heavy: 'many links',
  hostile: 'hostile',
  very_short: 'very short answer',
  few_connections: 'few connections',
  no_photo: 'no photo',
  open_networker: 'open networker',
  unverified: 'unverified sender',
};

export function flagLabel(flag: string): string {
  return (FLAG_LABELS as Readonly<Record<string, string>>)[flag] ?? flag.replace(/_/g, ' ');
}

const text = z.string();
const time = z.number().describe('milliseconds since 1970-01-01 UTC');

/** How far an answer goes in saying what the script asked. */
export const answerScoreSchema = z.object({
  why: z.boolean().describe('says why they want to connect'),
  business: z.boolean().describe('says what business they are in'),
  benefit: z.boolean().describe('says how the connection would benefit both'),
});
export type AnswerScore = z.infer<typeof answerScoreSchema>;

/** What a connection request tells about the person who sent it. Unknown facts are null. */
export const requesterSchema = z.object({
  name: text.describe('the name the request gives'),
  firstName: text.describe('the first name, for the greeting'),
  email: text.nullable().describe('the address the script goes to, when the request gives one'),
  profileUrl: text.nullable().describe("the person's profile on the platform"),
  headline: text.nullable().describe('what the person says they do'),
  invitationId: text.nullable().describe("the platform's id of the invitation"),
  acceptUrl: text.nullable().describe('the platform\'s link that accepts this request (LinkedIn\'s "Accept"), for the user to open'),
  location: text.nullable(),
  note: text.nullable().describe('the personal note added to the invitation, or the body of a personal request'),
  mutualConnections: z.number().nullable(),
  connectionCount: z.number().nullable(),
  hasPhoto: z.boolean().nullable().describe('whether the notification shows a photo of the person; null when it cannot tell'),
});
export type Requester = z.infer<typeof requesterSchema>;

/** The details a request may not tell, for detectors to start from. */
export const UNKNOWN_DETAILS = {
  acceptUrl: null,
  location: null,
  note: null,
  mutualConnections: null,
  connectionCount: null,
  hasPhoto: null,
} as const satisfies Partial<Requester>;

/** A person who asked to connect (what the request told of them), and where their screening stands. */
export const contactSchema = requesterSchema.extend({
  id: text.describe("the person's id in Winnow"),
  mailbox: text.describe('the mailbox the request came to'),
  status: z.enum(STATUSES).describe('where the screening stands'),
  platform: z.enum(PLATFORMS).describe('where the request came from'),
  subject: text.describe('subject of the request mail'),
  requestMessageId: text.nullable().describe('Message-ID of the request mail, for In-Reply-To'),
  scriptMessageId: text.nullable().describe('Message-ID of the script Winnow sent, to match answers'),
  answerText: text.nullable().describe('the answer as shown: quoted text and signature stripped'),
  answerFullText: text.nullable().describe('the answer as it arrived (text part, capped)'),
  score: answerScoreSchema.nullable().describe('what the answer says of why, business and benefit; null until there is an answer'),
  flags: z.array(z.enum(FLAGS)).describe('signs from the request and from the answer'),
  language: z.enum(LANGUAGES).nullable(),
  channel: z.enum(CHANNELS).describe('where the person was asked: by mail, or on the platform by the user'),
  conversationUrl: text.nullable().describe('the conversation on the platform, from the message notice that brought the answer'),
  relayAddress: text.nullable().describe("a platform relay that forwards mail to the person (InMail's …@reply.linkedin.com); not their own address"),
  attempts: z.number().describe('how many scripts were sent to this person; 0 before the first'),
  pausedUntil: time.nullable().describe('while an out-of-office says the person is away, the deadline waits until this time'),
  repeats: z.number().describe('how often the request came again after the first'),
  lastRepeatAt: time.nullable().describe('when it last came again'),
  decidedAt: time.nullable().describe('when the user accepted, rejected or marked the person handled'),
  reason: text.nullable().describe('why the person was skipped or failed, in words'),
  requestedAt: time,
  askedAt: time.nullable(),
  deadlineAt: time.nullable(),
  answeredAt: time.nullable(),
  updatedAt: time,
});
export type Contact = z.infer<typeof contactSchema>;

export const EVENT_TYPES = [
  'requested',
  'requested_again',
  'awaiting_address',
  'skipped',
  'queued',
  'asked',
  'answered',
  'declined',
  'auto_reply',
  'bounced',
  'no_response',
  'failed',
  'accepted',
  'rejected',
  'handled',
  'awaiting_approval',
  'approved',
  'address_set',
  'reminded',
  'paused',
  'sent_again',
  'sent_on_platform',
  'platform_message',
  'exported',
  // Mail in the person's name that may not change their record (not authenticated, not a reply to their script): kept as a note.
  'not_taken',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One entry on a person's timeline: what happened, when, and why. */
export const contactEventSchema = z.object({
  at: time,
  type: z.enum(EVENT_TYPES),
  detail: text.describe('the cause in words (the rule that matched, the SMTP reply, the deadline passed)'),
  messageId: text.optional().describe('Message-ID of the mail that caused it, where one did (the latest, for a repeated entry)'),
  repeats: z.number().optional().describe('the same thing happened this many times in a row: one entry, counted'),
  lastAt: time.optional().describe('when it last happened, for a repeated entry'),
});
export type ContactEvent = z.infer<typeof contactEventSchema>;

/** The fields of a new person that nothing has told yet: no answer, no decision, nothing sent. */
export const NO_DETAILS = {
  ...UNKNOWN_DETAILS,
  answerFullText: null,
  score: null,
  flags: [],
  language: null,
  channel: 'email',
  conversationUrl: null,
  relayAddress: null,
  attempts: 0,
  pausedUntil: null,
  decidedAt: null,
  repeats: 0,
  lastRepeatAt: null,
} as const satisfies Partial<Contact>;

/**
 * Whether the person's request mail was authenticated, so that what they wrote (their subject)
 * may be echoed back in the script. The one place that decides it: the classifier flags mail no
 * Authentication-Results of the user's server vouches for as `unverified`.
 */
export function sentAuthenticated(person: { flags: readonly Flag[] }): boolean {
  return !person.flags.includes('unverified');
}
