import type { Address } from '../mail/message.ts';

export type Verdict = 'connection_request' | 'answer' | 'auto_reply' | 'bounce' | 'ignored';

export type Platform = 'linkedin' | 'email';

/** What a connection request tells about the person who sent it. */
export interface Requester {
  name: string;
  firstName: string;
  email: string | null;
  profileUrl: string | null;
  headline: string | null;
  invitationId: string | null;
}

/** The outcome of reading one message. Pure data: the same message always gives the same classification. */
export interface Classification {
  verdict: Verdict;
  platform: Platform | null;
  requester: Requester | null;
  /** The address the script would go to, or null when there is none we may write to. */
  replyTo: string | null;
  /** Why this verdict, in words a user can read on the timeline. */
  reason: string;
  /** For answers: our Message-ID that the mail refers to, when it refers to one. */
  answersMessageId: string | null;
  /** For bounces: the recipient whose delivery failed, when the report names one. */
  bouncedRecipient: string | null;
}

/** What the classifier must know about the user. */
export interface ClassifyContext {
  /** The user's own addresses, lower-cased: never a recipient, never a requester. */
  ownAddresses: string[];
  /** Domain part of the Message-IDs Winnow gives its scripts, to recognise answers. */
  messageIdDomain: string;
}

export type { Address };
