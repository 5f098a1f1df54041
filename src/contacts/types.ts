import type { Platform, Requester } from '../detect/types.ts';

export const STATUSES = [
  'detected',
  'awaiting_address',
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
] as const;

export type Status = (typeof STATUSES)[number];

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
  | 'rejected';

/** One entry on a person's timeline: what happened, when, and why. */
export interface ContactEvent {
  at: number;
  type: EventType;
  /** The cause in words (rule that matched, SMTP reply, deadline passed). */
  detail: string;
  /** Message-ID of the mail that caused it, where one did. */
  messageId?: string;
}
