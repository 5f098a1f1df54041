// The mail behind each event of a timeline, in words instead of raw Message-IDs.
import { describe, expect, it } from 'vitest';
import type { ContactEvent } from '../../src/vocabulary/contact.ts';
import { scriptMessageId, reminderMessageId } from '../../src/mail/message-id.ts';
import { mailOfEvents } from '../../src/web/views/timeline.ts';

/** Any secret: the timeline names our mail whether or not its seal would verify. */
const SECRET = 'timeline-test-secret';

const event = (type: ContactEvent['type'], messageId?: string): ContactEvent => ({ at: 0, type, detail: '', ...(messageId ? { messageId } : {}) });

describe('mailOfEvents', () => {
  it('numbers our scripts and reminders, and names a mail from the person after the latest script before it', () => {
    const timeline = [
      event('requested', '<abc@mail.example.org>'),
      event('queued'),
      event('asked', `<${scriptMessageId('c1', 1, 'example.test', SECRET)}>`),
      event('reminded', reminderMessageId('c1', 1, 'example.test', SECRET)),
      event('auto_reply', '<ooo@example.org>'),
      event('asked', scriptMessageId('c1', 2, 'example.test', SECRET)),
      event('declined', '<no-thanks@example.org>'),
    ];
    expect(mailOfEvents(timeline)).toEqual([
      'the request',
      null,
      'script #1',
      'reminder after script #1',
      'automatic reply to script #1',
      'script #2',
      'answer to script #2',
    ]);
  });

  it('counts the script the user sent on the platform, which the notice of their message there answers', () => {
    expect(mailOfEvents([event('requested', '<inv@linkedin.com>'), event('sent_on_platform'), event('answered', '<notice@linkedin.com>'), event('platform_message', '<again@linkedin.com>')])).toEqual([
      'the request',
      null,
      'answer to script #1',
      "the platform's notice of a message",
    ]);
  });

  it('counts scripts whose Message-ID is not ours, and names a mail before any script plainly', () => {
    expect(mailOfEvents([event('answered', '<early@example.org>'), event('asked', '<sent-elsewhere@example.org>'), event('bounced', '<dsn@mx.example.net>')])).toEqual([
      'their mail',
      'script #1',
      'bounce of script #1',
    ]);
  });
});
