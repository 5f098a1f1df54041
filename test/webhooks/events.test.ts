import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { eventTypeOf, webhookEvent, webhookEventId, type WebhookPerson } from '../../src/webhooks/events.ts';
import { newWebhookSecret, signatureHeaders } from '../../src/webhooks/signature.ts';

const person: WebhookPerson = {
  id: 'c1',
  status: 'answered',
  platform: 'linkedin',
  name: 'Bob Builder',
  email: 'bob@example.org',
  profileUrl: 'https://www.linkedin.com/in/bob',
  headline: 'Timber engineer',
  channel: 'email',
  answerText: 'We build in timber.',
  score: { why: true, business: true, benefit: false },
  reason: null,
  requestedAt: Date.UTC(2026, 11, 1),
  askedAt: Date.UTC(2026, 11, 1, 0, 1),
  deadlineAt: Date.UTC(2026, 11, 8),
  answeredAt: Date.UTC(2026, 11, 2),
};

describe('webhook events', () => {
  it('tell a new person as request.received, and the changes a CRM acts on by name', () => {
    expect(eventTypeOf({ from: null, to: 'queued' })).toBe('request.received');
    expect(eventTypeOf({ from: null, to: 'awaiting_address' })).toBe('request.received');
    expect(eventTypeOf({ from: 'queued', to: 'asked' })).toBe('script.sent');
    expect(eventTypeOf({ from: 'awaiting_approval', to: 'asked' })).toBe('script.sent');
    for (const to of ['answered', 'declined', 'no_response', 'bounced', 'accepted', 'rejected'] as const) expect(eventTypeOf({ from: 'asked', to })).toBe(`contact.${to}`);
  });

  it('say nothing of steps inside Winnow', () => {
    for (const to of ['queued', 'awaiting_approval', 'failed', 'handled', 'skipped'] as const) expect(eventTypeOf({ from: 'detected', to })).toBeNull();
  });

  it('carry the person as a CRM needs them, with the answer and its score, and the status of the change', () => {
    const at = Date.UTC(2026, 11, 2, 9);
    const { answerText, score, status: _recorded, ...same } = person;
    expect(webhookEvent('contact.answered', { ...person, status: 'accepted' }, { to: 'answered', at })).toEqual({
      type: 'contact.answered',
      timestamp: '2026-12-02T09:00:00.000Z',
      data: {
        ...same,
        status: 'answered',
        answer: { text: answerText, score },
        requestedAt: '2026-12-01T00:00:00.000Z',
        askedAt: '2026-12-01T00:01:00.000Z',
        deadlineAt: '2026-12-08T00:00:00.000Z',
        answeredAt: '2026-12-02T00:00:00.000Z',
      },
    });
    expect(webhookEvent('request.received', { ...person, answerText: null, score: null }, { to: 'queued', at }).data.answer).toBeNull();
  });

  it('have one id per change, whichever process tells it', () => {
    const change = { contactId: 'c1', from: 'asked' as const, to: 'answered' as const, at: 1 };
    expect(webhookEventId('primary', change)).toBe(webhookEventId('primary', { ...change }));
    expect(webhookEventId('primary', change)).not.toBe(webhookEventId('primary', { ...change, at: 2 }));
    expect(webhookEventId('primary', change)).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
  });
});

describe('webhook signatures', () => {
  it('are what the standardwebhooks library verifies, and fail it when the body changes', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify(webhookEvent('contact.answered', person, { to: 'answered', at: Date.now() }));
    const headers = signatureHeaders(secret, 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'contact.answered', data: { id: 'c1' } });
    expect(() => new Webhook(secret).verify(body.replace('Bob', 'Rob'), headers)).toThrow(/signature/i);
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(/signature/i);
  });

  it('refuse a secret that is not whsec_ and base64', () => {
    expect(() => signatureHeaders('not-a-secret', 'msg_1', 1, '{}')).toThrow('the webhook secret must start with whsec_');
  });
});
