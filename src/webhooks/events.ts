import { createHash } from 'node:crypto';
import type { Contact, Status } from '../vocabulary/contact.ts';

/**
 * What Winnow tells other systems, and in which words: one event per change of a person's status
 * that a CRM or a script would act on. Pure: the payload is made from the person as recorded.
 */

export const WEBHOOK_EVENT_TYPES = [
  'request.received',
  'script.sent',
  'contact.answered',
  'contact.declined',
  'contact.no_response',
  'contact.bounced',
  'contact.accepted',
  'contact.rejected',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * Sent only when the user asks for it ("send test event"), to one endpoint: it is no change of a
 * person and no endpoint's filter names it.
 */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
/** Every type a webhook may carry: the person events and the test. */
export type DeliveredEventType = WebhookEventType | typeof WEBHOOK_TEST_EVENT;

/** The body of a test event: no person in it, only which endpoint it was sent to and when. */
export function webhookTestEvent(endpointId: string, at: number): { type: typeof WEBHOOK_TEST_EVENT; timestamp: string; data: { endpointId: string; message: string } } {
  return { type: WEBHOOK_TEST_EVENT, timestamp: new Date(at).toISOString(), data: { endpointId, message: 'A test event sent from Winnow on request. If you can read this, the endpoint and its secret work.' } };
}

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** A person's status changed (`from` null: the person was just recorded from their request). */
export interface StatusChange {
  contactId: string;
  from: Status | null;
  to: Status;
  at: number;
}

/**
 * The event a change is told as, or null for steps inside Winnow (queued, awaiting approval,
 * failed, handled…) that no one outside needs. Every new person is a request received, whatever
 * status the request put them in.
 */
export function eventTypeOf(change: Pick<StatusChange, 'from' | 'to'>): WebhookEventType | null {
  if (change.from === null) return 'request.received';
  switch (change.to) {
    case 'asked':
      return 'script.sent';
    case 'answered':
    case 'declined':
    case 'no_response':
    case 'bounced':
    case 'accepted':
    case 'rejected':
      return `contact.${change.to}` as const;
    default:
      return null;
  }
}

/** The fields of a person an event carries. */
export type WebhookPerson = Pick<
  Contact,
  'id' | 'status' | 'platform' | 'name' | 'email' | 'profileUrl' | 'headline' | 'channel' | 'answerText' | 'score' | 'reason' | 'requestedAt' | 'askedAt' | 'deadlineAt' | 'answeredAt'
>;

/** The body of one webhook, as Standard Webhooks suggests: a type, a timestamp, the data. */
export interface WebhookEvent {
  type: WebhookEventType;
  /** When the change happened, ISO 8601. */
  timestamp: string;
  data: {
    id: string;
    status: Status;
    platform: string;
    name: string;
    email: string | null;
    profileUrl: string | null;
    headline: string | null;
    /** Where the script went: by mail, or on the platform by the user. */
    channel: string;
    /** The answer as shown (quoted text stripped) and what it says; null before there is one. */
    answer: { text: string | null; score: Contact['score'] } | null;
    /** Why, in words, where the status has a reason (a bounce's). */
    reason: string | null;
    requestedAt: string;
    askedAt: string | null;
    deadlineAt: string | null;
    answeredAt: string | null;
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The event for a person as recorded after the change; the status is the change's own, not a later one. */
export function webhookEvent(type: WebhookEventType, person: WebhookPerson, change: Pick<StatusChange, 'to' | 'at'>): WebhookEvent {
  const answered = person.answerText !== null || person.score !== null;
  return {
    type,
    timestamp: new Date(change.at).toISOString(),
    data: {
      id: person.id,
      status: change.to,
      platform: person.platform,
      name: person.name,
      email: person.email,
      profileUrl: person.profileUrl,
      headline: person.headline,
      channel: person.channel,
      answer: answered ? { text: person.answerText, score: person.score } : null,
      reason: person.reason,
      requestedAt: new Date(person.requestedAt).toISOString(),
      askedAt: iso(person.askedAt),
      deadlineAt: iso(person.deadlineAt),
      answeredAt: iso(person.answeredAt),
    },
  };
}

/**
 * The event's id (the `webhook-id` header), the same for every attempt and for a change seen
 * twice, so receivers can drop repeats and the queue adds one job per endpoint.
 */
export function webhookEventId(mailbox: string, change: StatusChange): string {
  const digest = createHash('sha256').update(`${mailbox}\0${change.contactId}\0${change.from ?? ''}\0${change.to}\0${change.at}`).digest('base64url');
  return `msg_${digest.slice(0, 27)}`;
}
