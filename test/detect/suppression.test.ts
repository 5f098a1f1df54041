import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSystemAddress } from '../../src/detect/address.ts';
import { explicitRecipientRule, findSuppression } from '../../src/detect/suppression.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { corpusDir } from '../support/corpus.ts';
import { buildMail, rawMail, type MailFields } from '../support/mail.ts';

/**
 * Who never gets a script: one case per rule, each a constructed "let's connect" mail
 * (test/support/mail.ts) that a person could have written, plus the one header or address
 * that makes it robot, list or bulk mail. The real negative samples of the corpus (test/fixtures/corpus) follow.
 */

const ME = 'morgan@example.test';
const context: ClassifyContext = { ownAddresses: [ME, 'morgan.alias@example.test'], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };

async function suppressionOf(extra: Partial<MailFields>, options = {}) {
  const message = await parseMessage(await buildMail({ from: 'jane@example.org', to: ME, subject: "Let's connect", text: "I'd like to connect.", ...extra }));
  return findSuppression(message, context, options);
}

describe('a person writing is not suppressed (constructed)', () => {
  it.each<[string, Partial<MailFields>]>([
    ['a plain mail', {}],
    ['Auto-Submitted: no', { headers: { 'Auto-Submitted': 'no' } }],
    ['Auto-Submitted: no with a comment', { headers: { 'Auto-Submitted': 'no (written by hand)' } }],
    ['Precedence: first-class', { headers: { Precedence: 'first-class' } }],
    ['X-Auto-Response-Suppress: NDR only', { headers: { 'X-Auto-Response-Suppress': 'NDR' } }],
    ['X-Autoreply: no', { headers: { 'X-Autoreply': 'no' } }],
    ['X-Spam-Status: No', { headers: { 'X-Spam-Status': 'No, score=-1.0' } }],
    ['a name that merely contains "reply"', { from: 'replyguy@example.org' }],
    ['a request@ mailbox of a person', { from: 'requested.jane@example.org' }],
  ])('%s', async (_name, extra) => {
    expect(await suppressionOf(extra)).toBeNull();
  });
});

describe('one case per rule (constructed)', () => {
  it.each<[string, Partial<MailFields>, string, string]>([
    ['own address', { from: 'MORGAN+lists@example.test' }, 'own-address', 'suppressed: from your own address'],
    ['RFC 3834 auto-generated', { headers: { 'Auto-Submitted': 'auto-generated' } }, 'auto-submitted', 'suppressed: Auto-Submitted: auto-generated'],
    ['RFC 3834 auto-replied', { headers: { 'Auto-Submitted': { prepared: true, value: 'auto-replied; owner-email="jane@example.org"' } } }, 'auto-submitted', 'suppressed: Auto-Submitted: auto-replied'],
    ['RFC 3834 auto-notified', { headers: { 'Auto-Submitted': 'auto-notified' } }, 'auto-submitted', 'suppressed: Auto-Submitted: auto-notified'],
    ['Precedence: bulk', { headers: { Precedence: 'bulk' } }, 'precedence', 'suppressed: Precedence: bulk'],
    ['Precedence: list', { headers: { Precedence: 'list' } }, 'precedence', 'suppressed: Precedence: list'],
    ['Precedence: junk', { headers: { Precedence: 'junk' } }, 'precedence', 'suppressed: Precedence: junk'],
    ['List-Id', { headers: { 'List-Id': 'Timber <timber.lists.example.org>' } }, 'list-headers', 'suppressed: List-Id present'],
    ['List-Unsubscribe', { headers: { 'List-Unsubscribe': '<https://news.example.org/unsub>' } }, 'list-headers', 'suppressed: List-Unsubscribe present'],
    ['List-Post', { headers: { 'List-Post': '<mailto:timber@lists.example.org>' } }, 'list-headers', 'suppressed: List-Post present'],
    ['List-Help', { headers: { 'List-Help': '<mailto:timber-help@lists.example.org>' } }, 'list-headers', 'suppressed: List-Help present'],
    ['List-Subscribe', { headers: { 'List-Subscribe': '<mailto:timber-join@lists.example.org>' } }, 'list-headers', 'suppressed: List-Subscribe present'],
    ['List-Owner', { headers: { 'List-Owner': '<mailto:timber-owner@lists.example.org>' } }, 'list-headers', 'suppressed: List-Owner present'],
    ['List-Archive', { headers: { 'List-Archive': '<https://lists.example.org/timber>' } }, 'list-headers', 'suppressed: List-Archive present'],
    ['null sender', { headers: { 'Return-Path': '<>' } }, 'null-sender', 'suppressed: null Return-Path <>'],
    ['X-Auto-Response-Suppress: All', { headers: { 'X-Auto-Response-Suppress': 'All' } }, 'auto-response-suppress', 'suppressed: X-Auto-Response-Suppress: All'],
    ['X-Auto-Response-Suppress: OOF, AutoReply', { headers: { 'X-Auto-Response-Suppress': 'OOF, AutoReply' } }, 'auto-response-suppress', 'suppressed: X-Auto-Response-Suppress: OOF, AutoReply'],
    ['X-Auto-Response-Suppress: DR', { headers: { 'X-Auto-Response-Suppress': 'DR' } }, 'auto-response-suppress', 'suppressed: X-Auto-Response-Suppress: DR'],
    ['X-Auto-Response-Suppress: RN, NRN', { headers: { 'X-Auto-Response-Suppress': 'RN, NRN' } }, 'auto-response-suppress', 'suppressed: X-Auto-Response-Suppress: RN, NRN'],
    ['X-Autoreply', { headers: { 'X-Autoreply': 'yes' } }, 'autoreply-header', 'suppressed: X-Autoreply present'],
    ['X-Autorespond', { headers: { 'X-Autorespond': 'Thanks' } }, 'autoreply-header', 'suppressed: X-Autorespond present'],
    ['X-Auto-Reply', { headers: { 'X-Auto-Reply': '1' } }, 'autoreply-header', 'suppressed: X-Auto-Reply present'],
    ['X-Apple-Action: VACATION', { headers: { 'X-Apple-Action': 'VACATION' } }, 'autoreply-header', 'suppressed: X-Apple-Action: VACATION'],
    ['Precedence: auto_reply', { headers: { Precedence: 'auto_reply' } }, 'autoreply-header', 'suppressed: Precedence: auto_reply'],
    ['X-Spam-Flag: YES', { headers: { 'X-Spam-Flag': 'YES' } }, 'spam-flag', 'suppressed: X-Spam-Flag: YES'],
    ['X-Spam-Status: Yes', { headers: { 'X-Spam-Status': 'Yes, score=12.3 required=5.0' } }, 'spam-flag', 'suppressed: X-Spam-Status: Yes'],
    ['noreply sender', { from: 'noreply@example.org' }, 'robot-address', 'suppressed: From is a no-reply address (noreply@example.org)'],
    ['no-reply sender', { from: 'no-reply@example.org' }, 'robot-address', 'suppressed: From is a no-reply address (no-reply@example.org)'],
    ['do-not-reply sender', { from: 'do-not-reply@example.org' }, 'robot-address', 'suppressed: From is a no-reply address (do-not-reply@example.org)'],
    ['donotreply Reply-To', { replyTo: 'donotreply@example.org' }, 'robot-address', 'suppressed: Reply-To is a no-reply address (donotreply@example.org)'],
    ['do-not-respond sender', { from: 'do-not-respond@example.org' }, 'no-reply-address', 'suppressed: From is a no-reply address (do-not-respond@example.org)'],
    ['ne-pas-repondre sender', { from: 'ne-pas-repondre@example.fr' }, 'no-reply-address', 'suppressed: From is a no-reply address (ne-pas-repondre@example.fr)'],
    ['MAILER-DAEMON', { from: 'MAILER-DAEMON@mx.example.org' }, 'robot-address', 'suppressed: From is a mailer-daemon address (mailer-daemon@mx.example.org)'],
    ['LISTSERV', { from: 'LISTSERV@lists.example.org' }, 'robot-address', 'suppressed: From is a list server address (listserv@lists.example.org)'],
    ['owner- sender', { from: 'owner-timber@lists.example.org' }, 'robot-address', 'suppressed: From is a list owner address (owner-timber@lists.example.org)'],
    ['-request sender', { from: 'timber-request@lists.example.org' }, 'robot-address', 'suppressed: From is a list request address (timber-request@lists.example.org)'],
    // Pigeonhole matches prefixes: MAILER-DAEMON*, LISTSERV*, majordomo*.
    ['Pigeonhole: listserv-admin', { from: 'listserv-admin@lists.example.org' }, 'system-address', 'suppressed: From is a system address (listserv-admin@lists.example.org)'],
    ['Pigeonhole: majordomo2', { from: 'Majordomo2@lists.example.org' }, 'system-address', 'suppressed: From is a system address (majordomo2@lists.example.org)'],
    ['Pigeonhole: envelope sender owner-*', { headers: { 'Return-Path': '<owner-timber@lists.example.org>' } }, 'system-address', 'suppressed: Return-Path is a system address (owner-timber@lists.example.org)'],
    ['platform robot', { from: 'friend@facebook.com' }, 'platform-notification', 'suppressed: notification from facebook.com'],
  ])('%s', async (_name, extra, rule, reason) => {
    expect(await suppressionOf(extra)).toEqual({ rule, reason });
  });

  it('a delivery report (multipart/report) is suppressed', async () => {
    const raw = rawMail(
      ['From: jane@example.org', `To: ${ME}`, 'Subject: Read: hello', 'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=disposition-notification; boundary="B"'],
      ['--B', 'Content-Type: text/plain', '', 'Your message was read.', '--B--', ''].join('\n'),
    );
    expect(findSuppression(await parseMessage(raw), context)).toEqual({ rule: 'report', reason: 'suppressed: automatic report (multipart/report)' });
  });

  it('rules are tried in order: the first that matches is the one named', async () => {
    expect((await suppressionOf({ from: 'noreply@example.org', headers: { 'Auto-Submitted': 'auto-generated', Precedence: 'bulk' } }))?.rule).toBe('auto-submitted');
  });
});

describe('isSystemAddress (Pigeonhole vacation)', () => {
  it.each([
    ['MAILER-DAEMON@example.org', true],
    ['mailer-daemon-2@example.org', true],
    ['LISTSERV@example.org', true],
    ['listserv1@example.org', true],
    ['majordomo@example.org', true],
    ['timber-request@example.org', true],
    ['owner-timber@example.org', true],
    ['jane@example.org', false],
    ['request@example.org', false],
    ['the-owner@example.org', false],
  ])('%s → %s', (address, expected) => {
    expect(isSystemAddress(address)).toBe(expected);
  });
});

describe('RFC 5230 explicit-recipient check (constructed)', () => {
  async function check(extra: Partial<MailFields>, own: string[] = context.ownAddresses) {
    const message = await parseMessage(await buildMail({ from: 'jane@example.org', subject: "Let's connect", text: "I'd like to connect.", ...extra }));
    return explicitRecipientRule(message, { ...context, ownAddresses: own });
  }

  it.each<[string, Partial<MailFields>]>([
    ['To', { to: ME }],
    ['To, among others, in another case and with a +tag', { to: ['bob@example.org', 'Morgan+Winnow@Example.test'] }],
    ['Cc', { to: 'bob@example.org', cc: 'morgan.alias@example.test' }],
    ['Resent-To', { to: 'old@example.org', headers: { 'Resent-To': `Morgan <${ME}>` } }],
    ['Resent-Cc', { to: 'old@example.org', headers: { 'Resent-Cc': ME } }],
  ])('passes when the user is in %s', async (_name, extra) => {
    expect(await check(extra)).toBeNull();
  });

  it.each<[string, Partial<MailFields>]>([
    ['a list address', { to: 'timber-talk@lists.example.org' }],
    ['no To at all (Bcc)', {}],
    ['an address that only looks like the user', { to: 'morgan@example.test.evil.example' }],
  ])('fails for %s', async (_name, extra) => {
    expect(await check(extra)).toMatchObject({ rule: 'explicit-recipient' });
  });

  it('cannot judge without own addresses, so it passes', async () => {
    expect(await check({ to: 'timber-talk@lists.example.org' }, [])).toBeNull();
  });

  it('findSuppression applies it when asked, after every other rule', async () => {
    expect(await suppressionOf({ to: 'timber-talk@lists.example.org' })).toBeNull();
    expect(await suppressionOf({ to: 'timber-talk@lists.example.org' }, { explicitRecipient: true })).toMatchObject({ rule: 'explicit-recipient' });
    expect(await suppressionOf({ to: 'timber-talk@lists.example.org', headers: { Precedence: 'list' } }, { explicitRecipient: true })).toMatchObject({ rule: 'precedence' });
  });
});

describe('real negative samples (test/fixtures/corpus)', () => {
  const folder = path.join(corpusDir(), 'negative');
  const files = (() => {
    try {
      return readdirSync(folder).filter((name) => name.endsWith('.eml')).sort();
    } catch {
      return [];
    }
  })();
  const expected: Record<string, string> = {
    'autoreply-apple.eml': 'autoreply-header',
    'autoreply-outlook.eml': 'null-sender',
    'bounce-facebook.eml': 'report',
    'bounce-gmail.eml': 'null-sender',
    'github-notification-2016-04-02.eml': 'precedence',
    'hipchat-message-2016-04-04.eml': 'robot-address',
    'jira-new-issue-2016-04-14.eml': 'auto-submitted',
    'reddit-messages-2018-03-26.eml': 'robot-address',
  };

  it('the corpus is there', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is held back by a named rule', async (file) => {
    const message = await parseMessage(readFileSync(path.join(folder, file)));
    const suppression = findSuppression(message, context);
    expect(suppression?.reason).toMatch(/^suppressed: /);
    if (file in expected) expect(suppression?.rule).toBe(expected[file]);
  });
});
