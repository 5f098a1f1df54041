import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeliveryStatus, readDeliveryReport } from '../../src/detect/bounce.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { corpusDir } from '../support/corpus.ts';
import { buildMail, rawMail } from '../support/mail.ts';

/**
 * Delivery reports. The Gmail and Facebook bounces are real samples from the corpus (test/fixtures/corpus); the
 * rest are constructed (rawMail), in the shapes Postfix, Exchange/Office 365 and qmail write.
 */

const ME = 'morgan@example.test';
const context: ClassifyContext = { ownAddresses: [ME], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };

async function reportOf(raw: Buffer) {
  return readDeliveryReport(await parseMessage(raw), context);
}

function dsn(parts: string[], headers: string[] = []): Buffer {
  return rawMail(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
      `To: ${ME}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Return-Path: <>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      ...headers,
    ],
    `${parts.map((part) => `--B\n${part}\n`).join('')}--B--\n`,
  );
}

const HUMAN_PART = 'Content-Type: text/plain\n\nThis is the mail system at host mx.example.net. Your message could not be delivered.';

describe('real samples (test/fixtures/corpus)', () => {
  it('Gmail: X-Failed-Recipients and prose, permanent 5.1.1', async () => {
    const report = await reportOf(readFileSync(path.join(corpusDir(), 'negative', 'bounce-gmail.eml')));
    expect(report).toMatchObject({
      kind: 'bounce',
      bouncedRecipient: 'userunknown@example.jp',
      status: '5.1.1',
      permanent: true,
      diagnostic: '550 5.1.1 <userunknown@example.jp>... User Unknown',
    });
  });

  it('Facebook: a delivery-status part, permanent 5.1.1 with its diagnostic code', async () => {
    const report = await reportOf(readFileSync(path.join(corpusDir(), 'negative', 'bounce-facebook.eml')));
    expect(report).toMatchObject({ kind: 'bounce', bouncedRecipient: 'kijitora@facebook.com', status: '5.1.1', permanent: true });
    if (report?.kind !== 'bounce') throw new Error('not a bounce');
    expect(report.diagnostic).toMatch(/^550 5\.1\.1 RCP-P2 .*Refused due to recipient preferences$/);
  });
});

describe('RFC 3464 reports (constructed)', () => {
  it('Postfix: inline delivery-status, original recipient preferred, our Message-ID in the returned headers', async () => {
    const report = await reportOf(
      dsn([
        HUMAN_PART,
        'Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; gone@example.org\nOriginal-Recipient: rfc822; Gone@Example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address\n    rejected: User unknown in virtual mailbox table',
        'Content-Type: text/rfc822-headers\n\nMessage-ID: <winnow.c9.1@example.test>\nSubject: Thanks for wanting to connect',
      ]),
    );
    expect(report).toEqual({
      kind: 'bounce',
      reason: 'bounce: delivery status report (multipart/report)',
      bouncedRecipient: 'gone@example.org',
      answersMessageId: 'winnow.c9.1@example.test',
      status: '5.1.1',
      permanent: true,
      diagnostic: '550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
      explanation: expect.any(Array),
    });
  });

  it('Exchange: the delivery-status and the returned message as attachments', async () => {
    const report = await reportOf(
      dsn([
        HUMAN_PART,
        'Content-Type: message/delivery-status\nContent-Disposition: attachment\n\nReporting-MTA: dns;mx.example.net\n\nFinal-Recipient: rfc822;jane@example.org\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp;552 5.2.2 Mailbox full',
        'Content-Type: message/rfc822\nContent-Disposition: attachment\n\nFrom: Morgan <morgan@example.test>\nTo: jane@example.org\nMessage-ID: <winnow.c11.2@example.test>\nSubject: Thanks\n\nWhy would you like to connect?',
      ]),
    );
    expect(report).toMatchObject({ kind: 'bounce', bouncedRecipient: 'jane@example.org', status: '5.2.2', permanent: true, diagnostic: '552 5.2.2 Mailbox full', answersMessageId: 'winnow.c11.2@example.test' });
  });

  it('a failure with a 4.x.x status is a bounce, but not a permanent one', async () => {
    const report = await reportOf(dsn([HUMAN_PART, 'Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; full@example.org\nAction: failed\nStatus: 4.2.2\nDiagnostic-Code: smtp; 452 4.2.2 Mailbox full, gave up after 5 days']));
    expect(report).toMatchObject({ kind: 'bounce', bouncedRecipient: 'full@example.org', status: '4.2.2', permanent: false });
  });

  it.each([
    ['delayed', 'Final-Recipient: rfc822; slow@example.org\nAction: delayed\nStatus: 4.4.1\nWill-Retry-Until: Fri, 25 Dec 2026 10:00:00 +0000', /^delivery delay notice/],
    ['delivered', 'Final-Recipient: rfc822; fine@example.org\nAction: delivered\nStatus: 2.0.0', /^delivery success notice/],
    ['relayed', 'Final-Recipient: rfc822; fine@example.org\nAction: relayed\nStatus: 2.0.0', /^delivery success notice/],
  ])('Action: %s is a notice, not a bounce', async (_action, fields, reason) => {
    const report = await reportOf(dsn([HUMAN_PART, `Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n${fields}`]));
    expect(report?.kind).toBe('notice');
    expect(report?.reason).toMatch(reason);
  });

  it('a report failing one recipient and delaying another is a bounce for the failed one', async () => {
    const report = await reportOf(
      dsn([HUMAN_PART, 'Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; slow@example.org\nAction: delayed\nStatus: 4.4.1\n\nFinal-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1']),
    );
    expect(report).toMatchObject({ kind: 'bounce', bouncedRecipient: 'gone@example.org', status: '5.1.1', permanent: true });
  });

  it('a delay subject alone makes a notice', async () => {
    const report = await reportOf(
      rawMail(['From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>', `To: ${ME}`, 'Subject: Delivery Status Notification (Delay)', 'Return-Path: <>'], 'Delivery to the following recipient has been delayed:\n\n     slow@example.org\n\nMessage will be retried for 2 more day(s)'),
    );
    expect(report?.kind).toBe('notice');
  });
});

describe('non-standard bounces (constructed)', () => {
  it('Office 365 prose: recipient, status and diagnostic from "Remote Server returned"', async () => {
    const report = await reportOf(
      rawMail(
        ['From: Microsoft Outlook <postmaster@example.onmicrosoft.com>', `To: ${ME}`, 'Subject: Undeliverable: Thanks for wanting to connect', 'Return-Path: <>'],
        "Delivery has failed to these recipients or groups:\n\nJane Doe (jane@example.org)\nThe email address you entered couldn't be found.\n\nDiagnostic information for administrators:\n\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
      ),
    );
    expect(report).toMatchObject({ kind: 'bounce', bouncedRecipient: 'jane@example.org', status: '5.1.10', permanent: true });
    if (report?.kind !== 'bounce') throw new Error('not a bounce');
    expect(report.diagnostic).toContain('550 5.1.10 RESOLVER.ADR.RecipientNotFound');
  });

  it('qmail: "(#5.1.1)" after the address', async () => {
    const report = await reportOf(
      rawMail(
        ['From: MAILER-DAEMON@mail.example.net', `To: ${ME}`, 'Subject: failure notice', 'Return-Path: <>'],
        "Hi. This is the qmail-send program at mail.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<nobody@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)",
      ),
    );
    expect(report).toMatchObject({ kind: 'bounce', bouncedRecipient: 'nobody@example.org', status: '5.1.1', permanent: true });
  });

  it('a bounce without any code counts as permanent unless it says it will retry', async () => {
    const report = await reportOf(
      rawMail(['From: Mail Delivery System <MAILER-DAEMON@mx.example.net>', `To: ${ME}`, 'Subject: Mail delivery failed: returning message to sender', 'Return-Path: <>'], 'This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its recipients:\n\n  gone@example.org\n    mailbox is unavailable'),
    );
    expect(report).toMatchObject({ kind: 'bounce', bouncedRecipient: 'gone@example.org', status: null, permanent: true, diagnostic: null });
  });

  it('a person’s mail titled "Undeliverable" with no robot signs is no report', async () => {
    const raw = await buildMail({ from: 'jane@example.org', to: ME, subject: 'Undeliverable packages', text: 'The courier lost them. 550 boxes!' });
    expect(await reportOf(raw)).toBeNull();
  });
});

describe('hostile bounces (constructed)', () => {
  // With the m flag, a "\s*" after "^" rescanned the rest of a run of blank lines from every line
  // of it when no reply code followed: about ten seconds for the 128 KiB of body that is read.
  // A pure function, so the timeout below is far above what the linear pattern needs.
  it('a run of blank lines is read in linear time', { timeout: 2000 }, async () => {
    const message = await parseMessage(
      rawMail(['From: Mail Delivery System <MAILER-DAEMON@mx.example.net>', `To: ${ME}`, 'Subject: Undelivered Mail Returned to Sender', 'Return-Path: <>'], 'placeholder'),
    );
    const text = `This is the mail system at host mx.example.net.${'\n'.repeat(120_000)}The address does not exist.`;
    expect(readDeliveryReport({ ...message, text }, context)).toMatchObject({ kind: 'bounce', permanent: true, diagnostic: null });
  });
});

describe('parseDeliveryStatus', () => {
  it('reads per-recipient blocks, folded fields and any case', () => {
    expect(
      parseDeliveryStatus('Reporting-MTA: dns; mx\n\nfinal-recipient: RFC822; A@Example.org\nACTION: Failed\nstatus: 5.1.1 (unknown)\nDiagnostic-Code: smtp; 550 no\n  such user\n\nnot: a block\n'),
    ).toEqual([{ finalRecipient: 'a@example.org', originalRecipient: null, action: 'failed', status: '5.1.1', diagnostic: '550 no such user' }]);
  });

  it('ignores garbage and never throws', () => {
    expect(parseDeliveryStatus('\u0000\u0001:::\n\n: \nAction:\n')).toEqual([{ finalRecipient: null, originalRecipient: null, action: null, status: null, diagnostic: null }]);
    expect(parseDeliveryStatus('')).toEqual([]);
  });
});
