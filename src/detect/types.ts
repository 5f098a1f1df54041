import type { Address } from '../mail/message.ts';
import type { OwnVerification } from '../mail/verify.ts';
import type { AnswerScore, Flag, Language, Requester } from '../vocabulary/contact.ts';
import type { Platform } from '../vocabulary/platforms.ts';

export type Verdict = 'connection_request' | 'answer' | 'auto_reply' | 'bounce' | 'ignored';

/** What an answer to the script says, after quoted text and signature are stripped. */
export interface AnswerReading {
  kind: 'answered' | 'declined';
  /** The answer as shown: quoted text and signature stripped. */
  text: string;
  /** The text part as it arrived (capped), for "show the full text". */
  fullText: string;
  score: AnswerScore;
  /** Flags from the answer: sales_pitch, link_heavy, hostile, very_short. */
  flags: Flag[];
  language: Language | null;
  /** Why declined, or what the score rests on, for the timeline and --explain. */
  reason: string;
}

/**
 * A platform's notice of a message from a person ("Jane Doe sent you a message", an InMail). Never
 * a request; the answer of the person the user sent the script to on that platform, if it is them.
 */
export interface PlatformMessage {
  platform: Platform;
  /** The sender as the notice names them. */
  name: string;
  /** Their profile link, when the notice carries one (or a member id it is made from). */
  profileUrl: string | null;
  /** The message as far as the notice shows it; '' when it shows none. */
  text: string;
  /** The link that opens the conversation on the platform. */
  conversationUrl: string | null;
  /** A Reply-To relay of the platform that forwards to the sender (never their own address). */
  relay: string | null;
  /** How the platform's authentication went at the user's server (pass, fail, none, unverified). */
  authentication: 'pass' | 'fail' | 'none' | 'unverified';
  /** The authentication in words, for the timeline. */
  authenticationDetail: string;
}

/** One rule that took part in a decision, for `winnow scan --explain`. */
export interface Explanation {
  rule: string;
  detail: string;
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
  /**
   * Mail that no person wrote (a robot, a list, a platform's notice, the user's own, a look-alike):
   * never taken for a person's answer. Its reason starts "suppressed: " for the user; code reads this.
   */
  suppressed: boolean;
  /** For answers: our Message-ID that the mail refers to, when it refers to one. */
  answersMessageId: string | null;
  /** For bounces: the recipient whose delivery failed, when the report names one. */
  bouncedRecipient: string | null;
  /** For bounces: the report's status (RFC 3463, such as 5.1.1) and whether it is permanent. */
  bounce: { status: string | null; permanent: boolean; diagnostic: string | null } | null;
  /** For automatic replies: whether it says the person is away (not, say, a ticket receipt). */
  outOfOffice: boolean;
  /** For out-of-office replies: the return date the mail states (ms since epoch), or null. */
  returnsAt: number | null;
  /** Flags known from the request itself. */
  flags: Flag[];
  /** The language the request or answer is written in, when recognised. */
  language: Language | null;
  /** The rules that were tried and matched, in order, for `--explain`. */
  explanation: Explanation[];
  /** For a platform's notice of a message from a person (verdict ignored): what it says. */
  platformMessage?: PlatformMessage | null;
  /**
   * Whether the mail is authenticated from its From address (answers: does it really come from
   * the person?), or for requests from the sender the script would go to (see RequestAuthentication).
   */
  authentication: RequestAuthentication;
}

/** Whether a request's sender is authenticated, so that a script may go to them without the user's approval. */
export interface RequestAuthentication {
  verified: boolean;
  /** In words: what passed ("verified: DMARC pass for example.org (Winnow's own check)"), or why nothing did. */
  detail: string;
}

/** What the classifier must know about the user. */
export interface ClassifyContext {
  /** The user's own addresses, lower-cased: never a recipient, never a requester. */
  ownAddresses: string[];
  /** Domain part of the Message-IDs Winnow gives its scripts, to recognise answers: the main mailbox's. */
  messageIdDomain: string;
  /**
   * The domains of the other mailboxes' From addresses: scripts sent from a mailbox carry its own
   * domain (so an answer from the work address does not show the personal one), and answers to
   * any of them are recognised.
   */
  otherMessageIdDomains?: string[];
  /**
   * The authserv-id of the user's own receiving server (RFC 8601). Only Authentication-Results
   * headers carrying it are believed; null believes none, so every platform mail is unverified.
   */
  authservId: string | null;
  /**
   * What becomes of requests whose sender could not be authenticated; classification only acts on
   * `ignore` (the mail is left alone), the inbound worker applies the others (UNVERIFIED_MAIL and
   * the settings page).
   */
  unverifiedMail: 'approve' | 'accept' | 'ignore';
  /**
   * Winnow's own check of this one message (DKIM signatures, SPF where the receiving server's
   * headers tell the sending host, DMARC), made by src/mail/verify.ts before classification.
   * Absent where nothing checked (winnow scan): then only the receiving server's verdict counts.
   */
  verification?: OwnVerification | null;
}

export type { Address };
