import type { AnswerScore, Flag, Language, Platform, Requester } from '../detect/types.ts';

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

/**
 * Where the person was asked: by mail (Winnow sent the script), or on the platform (the user sent
 * it there and said so; the platform's message notice brings the answer).
 */
export const CHANNELS = ['email', 'platform'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A person who asked to connect (what the request told of them), and where their screening stands. */
export interface Contact extends Requester {
  id: string;
  mailbox: string;
  status: Status;
  platform: Platform;
  /** Subject of the request mail. */
  subject: string;
  /** Message-ID of the request mail, for In-Reply-To. */
  requestMessageId: string | null;
  /** Message-ID of the script we sent, to match answers. */
  scriptMessageId: string | null;
  /** The answer as shown: quoted text and signature stripped. */
  answerText: string | null;
  /** The answer as it arrived (text part, capped), for "show the full text". */
  answerFullText: string | null;
  /** What the answer says of why, business and benefit; null until there is an answer. */
  score: AnswerScore | null;
  /** Flags from the request and from the answer, shown beside the person. */
  flags: Flag[];
  language: Language | null;
  /** Where the person was asked: by mail, or on the platform by the user. */
  channel: Channel;
  /** The link to the conversation on the platform, from the message notice that brought the answer. */
  conversationUrl: string | null;
  /** A platform relay that forwards mail to the person (InMail's …@reply.linkedin.com); not their own address. */
  relayAddress: string | null;
  /** How many scripts were sent to this person (a "send again" adds one); 0 before the first. */
  attempts: number;
  /** While an out-of-office says the person is away, the deadline waits until this time. */
  pausedUntil: number | null;
  /** How often the person's request came again after the first (one counter, not a timeline entry each). */
  repeats: number;
  /** When it last came again; null when it never did. */
  lastRepeatAt: number | null;
  /** When the user accepted, rejected or marked the person handled. */
  decidedAt: number | null;
  /** Why the contact was skipped or failed, in words. */
  reason: string | null;
  requestedAt: number;
  askedAt: number | null;
  deadlineAt: number | null;
  answeredAt: number | null;
  updatedAt: number;
}

export type EventType =
  | 'requested'
  | 'requested_again'
  | 'awaiting_address'
  | 'skipped'
  | 'queued'
  | 'asked'
  | 'answered'
  | 'declined'
  | 'auto_reply'
  | 'bounced'
  | 'no_response'
  | 'failed'
  | 'accepted'
  | 'rejected'
  | 'handled'
  | 'awaiting_approval'
  | 'approved'
  | 'address_set'
  | 'reminded'
  | 'paused'
  | 'sent_again'
  | 'sent_on_platform'
  | 'platform_message'
  | 'exported'
  /** Mail in the person's name that may not change their record (not authenticated, not a reply to their script): kept as a note. */
  | 'not_taken';

/** One entry on a person's timeline: what happened, when, and why. */
export interface ContactEvent {
  at: number;
  type: EventType;
  /** The cause in words (rule that matched, SMTP reply, deadline passed). */
  detail: string;
  /** Message-ID of the mail that caused it, where one did (the latest, for a repeated entry). */
  messageId?: string;
  /** The same thing happened this many times in a row (a request sent again and again): one entry, counted. */
  repeats?: number;
  /** When it last happened, for a repeated entry. */
  lastAt?: number;
}

/** The fields of a new person that nothing has told yet: no answer, no decision, nothing sent. */
export const NO_DETAILS = {
  location: null,
  note: null,
  mutualConnections: null,
  connectionCount: null,
  hasPhoto: null,
  answerFullText: null,
  score: null,
  flags: [],
  language: null,
  channel: 'email',
  acceptUrl: null,
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
 * may be echoed back in the script. The one place that decides it: today the classifier flags
 * mail no Authentication-Results of the user's server vouches for as `unverified`.
 */
export function sentAuthenticated(person: { flags: readonly Flag[] }): boolean {
  return !person.flags.includes('unverified');
}
