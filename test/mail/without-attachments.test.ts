import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapClient, readWithoutAttachments } from '../../src/mail/imap.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { planWithoutAttachments } from '../../src/mail/without-attachments.ts';
import { buildMail } from '../support/mail.ts';
import { deliveryReport } from '../support/requests.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * A large message read without its attachments, from a real Dovecot: what detection reads (sender,
 * subject, text, HTML, a delivery report's fields) is what the whole message gives, at a fraction
 * of its bytes.
 */

const LIMIT = 256 * 1024;
const PDF = Buffer.alloc(1_000_000, 'The quarterly report, scanned. ');
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ users: ['w1'], redis: false, smtp: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

async function readBack(raw: Buffer): Promise<Buffer | null> {
  const me = sandbox.user('w1');
  const { uid } = await sandbox.deliver(me.address, raw);
  const client = createImapClient({ host: sandbox.imap.host, port: sandbox.imap.port, secure: false, requireTls: false, user: me.user, pass: me.pass });
  client.on('error', () => undefined);
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  try {
    return await readWithoutAttachments(client, uid, LIMIT);
  } finally {
    lock.release();
    await client.logout();
  }
}

async function reading(raw: Buffer) {
  const message = await parseMessage(raw);
  return { from: message.from, subject: message.subject, messageId: message.messageId, text: message.text.trim(), html: message.html.trim(), reports: message.reports ?? '' };
}

describe('a large message read without its attachments', () => {
  const me = 'w1@example.test';
  const shapes: Array<[string, () => Promise<Buffer>]> = [
    ['text and a PDF', () => buildMail({ from: { name: 'Ben Okafor', address: 'ben@works.example' }, to: me, subject: "I'd like to connect", text: "Hi,\n\nI'd like to connect. Portfolio attached.\n\nBen", attachments: [{ filename: 'portfolio.pdf', content: PDF }] })],
    [
      'text and HTML alternatives, an inline image and a PDF',
      () =>
        buildMail({
          from: { name: 'Jürgen Weiß', address: 'juergen@example.de' },
          to: me,
          subject: 'Kontaktanfrage: Grüße aus München',
          text: 'Hallo,\n\nich möchte mich gerne mit Ihnen vernetzen.\n\nJürgen',
          html: '<p>Hallo,</p><p>ich m&ouml;chte mich gerne mit Ihnen vernetzen.</p><img src="cid:logo@example.de"><p>J&uuml;rgen</p>',
          attachments: [
            { filename: 'logo.png', content: PDF.subarray(0, 300_000), cid: 'logo@example.de' },
            { filename: 'profile.pdf', content: PDF },
          ],
        }),
    ],
    ['a forwarded mail and a PDF', async () => buildMail({ from: 'ana@studio.example', to: me, subject: 'Fwd: intro', text: 'See below.', attachments: [{ filename: 'intro.eml', contentType: 'message/rfc822', content: await buildMail({ from: 'carla@example.org', to: 'ana@studio.example', subject: 'intro', text: 'You two should meet.' }) }, { filename: 'deck.pdf', content: PDF }] })],
  ];

  for (const [shape, build] of shapes) {
    it(`reads as the whole message does: ${shape}`, async () => {
      const raw = await build();
      const light = await readBack(raw);
      expect(light).not.toBeNull();
      expect(light!.length).toBeLessThan(raw.length / 10);
      expect(await reading(light!)).toEqual(await reading(raw));
    });
  }

  it('keeps the fields of a delivery report', async () => {
    const report = deliveryReport(me, 'gone@example.org', '<script-1@winnow.example.test>', { action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 no such user' });
    const light = await readBack(report);
    expect(await reading(light!)).toEqual(await reading(report));
  });

  it('is not made where the text itself is larger than the limit', async () => {
    const long = await buildMail({ from: 'ana@studio.example', to: me, subject: 'Minutes', text: 'We went through the plan. '.repeat(12_000), attachments: [{ filename: 'deck.pdf', content: PDF }] });
    expect(await readBack(long)).toBeNull();
  });

  it('is not made where a multipart has no boundary to put it back together with', () => {
    expect(planWithoutAttachments({ type: 'multipart/mixed', childNodes: [{ part: '1', type: 'text/plain', size: 10 }] }, LIMIT)).toBeNull();
    expect(planWithoutAttachments({ type: 'multipart/mixed', parameters: { boundary: 'b' }, childNodes: [{ part: '1', type: 'text/plain', size: 10 }, { part: '2', type: 'application/pdf', size: 10_000 }] }, LIMIT)).toEqual({ sections: ['1.MIME', '1', '2.MIME'], bytes: 10 });
  });
});
