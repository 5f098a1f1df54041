import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/vocabulary/contact.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { buildMail, rawMail } from '../support/mail.ts';
import type { ReceivedMail } from '../support/sandbox.ts';
import { useSandbox, type TestWinnow } from '../support/winnow.ts';

/**
 * What a stranger writes in a request never reaches anyone through the script: on real servers,
 * with the script checked where its recipient would see it, at the SMTP peer. Every request here
 * is constructed. The script goes to whoever the request named, so a subject, a name or a
 * Message-ID of the sender's choosing would otherwise be a message Winnow carries, from the
 * user's own account, to a third party.
 */

const suite = useSandbox(['o1', 'o2', 'o3', 'o4', 'o5']);
const AUTHSERV_ID = 'mx.example.test';

async function start(user: string): Promise<TestWinnow> {
  return suite.winnow(user, { roles: { worker: true, web: true }, env: { AUTHSERV_ID } });
}

/**
 * The script to `address` as the SMTP peer received it. A request that waits for the user's
 * approval (unverified mail, once sending needs authentication) is approved through the API first,
 * as the user would: what is checked here is what the script carries once it goes.
 */
async function scriptTo(winnow: TestWinnow, address: string): Promise<{ mail: ReceivedMail; subject: string; text: string; html: string }> {
  const person = await winnow.waitForContact((contact: Contact) => contact.email === address && !['detected', 'queued'].includes(contact.status));
  if (person.status === 'awaiting_approval') {
    const approved = await winnow.runtime.app!.inject({
      method: 'POST',
      url: `/api/contacts/${person.id}/approve`,
      headers: { authorization: `Bearer ${winnow.config.web.apiToken}` },
    });
    expect(approved.statusCode, approved.body).toBe(200);
  }
  const mail = await suite.sandbox.smtp.waitFor((received) => received.recipients.includes(address));
  const parsed = await parseMessage(mail.raw);
  return { mail, subject: parsed.subject, text: parsed.text, html: parsed.html ?? '' };
}

/** Every header line of the raw message, unfolded lines counted as they are on the wire. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
}

/** The receiving server's own verdict, on top of the mail as it would write it. */
const passed = (domain: string) => `${AUTHSERV_ID}; dkim=pass header.d=${domain}; spf=pass smtp.mailfrom=${domain}; dmarc=pass header.from=${domain}`;

describe('text of the sender never reaches a third party', () => {
  it('a first name that is a link gets the neutral greeting, and the link is nowhere in the script', async () => {
    const winnow = await start('o1');
    const address = 'prize1@example.org';
    await suite.sandbox.deliver(
      winnow.user.address,
      await buildMail({
        from: { name: 'www.claim-prize.example Now', address },
        to: winnow.user.address,
        subject: "I'd like to connect",
        messageId: '<name.link@example.org>',
        text: "Hi Morgan,\n\nI'd like to connect.\n",
      }),
    );
    const script = await scriptTo(winnow, address);
    expect(script.text).toMatch(/^Hi there,/);
    expect(script.html).toContain('Hi there,');
    expect(script.mail.raw.toString('latin1')).not.toMatch(/claim-prize/i);
  });

  it('a first name that is a phone number gets the neutral greeting', async () => {
    const winnow = await start('o2');
    const address = 'prize2@example.org';
    await suite.sandbox.deliver(
      winnow.user.address,
      await buildMail({ from: { name: '+1 900 555 0100', address }, to: winnow.user.address, subject: "I'd like to connect", text: "I'd like to connect.\n" }),
    );
    const script = await scriptTo(winnow, address);
    expect(script.text).toMatch(/^Hi there,/);
    expect(script.mail.raw.toString('latin1')).not.toContain('555');
  });

  it('an unauthenticated sender\'s subject is not echoed: the script has the neutral subject', async () => {
    const winnow = await start('o3');
    const address = 'prize3@example.org';
    await suite.sandbox.deliver(
      winnow.user.address,
      await buildMail({ from: { name: 'Pat Lee', address }, to: winnow.user.address, subject: "I'd like to connect - your parcel is held, pay the fee today", text: "I'd like to connect.\n" }),
    );
    const script = await scriptTo(winnow, address);
    expect(script.subject).toBe('Thanks for reaching out');
    expect(script.text).toMatch(/^Hi Pat,/);
    expect(script.mail.raw.toString('latin1')).not.toMatch(/parcel|fee today/);
  });

  it("an authenticated sender's subject is echoed, cut short; one with a link is not", async () => {
    const winnow = await start('o4');
    const clean = 'clean@example.org';
    const linked = 'linked@example.net';
    const long = "I'd like to connect about the design studio we both admire and the conference in Lisbon next spring";
    await suite.sandbox.deliver(
      winnow.user.address,
      rawMail(
        [`Authentication-Results: ${passed('example.org')}`, `From: Ana Silva <${clean}>`, `To: ${winnow.user.address}`, `Subject: ${long}`, 'Message-ID: <clean.1@example.org>', 'Date: Thu, 03 Dec 2026 10:00:00 +0000'],
        "I'd like to connect.\n",
      ),
    );
    await suite.sandbox.deliver(
      winnow.user.address,
      rawMail(
        [`Authentication-Results: ${passed('example.net')}`, `From: Ben Ode <${linked}>`, `To: ${winnow.user.address}`, "Subject: I'd like to connect: see https://evil.example/win", 'Message-ID: <linked.1@example.net>', 'Date: Thu, 03 Dec 2026 10:00:01 +0000'],
        "I'd like to connect.\n",
      ),
    );
    const echoed = await scriptTo(winnow, clean);
    expect(echoed.subject).toBe("Re: I'd like to connect about the design studio we both admire and the conference…");
    expect(echoed.subject.length).toBeLessThanOrEqual('Re: '.length + 79);
    const refused = await scriptTo(winnow, linked);
    expect(refused.subject).toBe('Thanks for reaching out');
    expect(refused.mail.raw.toString('latin1')).not.toContain('evil.example');
  });

  it('a 1,500-character Message-ID is not echoed, every header line stays under 998 characters, and the strict peer takes the script', async () => {
    const winnow = await start('o5');
    const hostile = 'hostile@example.org';
    const fair = 'fair@example.org';
    const longId = `${'x'.repeat(1500)}@example.org`;
    await suite.sandbox.deliver(
      winnow.user.address,
      rawMail([`From: Kim Hart <${hostile}>`, `To: ${winnow.user.address}`, "Subject: I'd like to connect", `Message-ID: <${longId}>`, 'Date: Thu, 03 Dec 2026 10:00:00 +0000'], "I'd like to connect.\n"),
    );
    await suite.sandbox.deliver(
      winnow.user.address,
      rawMail([`From: Lou Fair <${fair}>`, `To: ${winnow.user.address}`, "Subject: I'd like to connect", 'Message-ID: <fair.1@example.org>', 'Date: Thu, 03 Dec 2026 10:00:01 +0000'], "I'd like to connect.\n"),
    );
    const script = await scriptTo(winnow, hostile);
    const lines = headerLines(script.mail.raw);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(998);
    expect(script.mail.headers.has('in-reply-to')).toBe(false);
    expect(script.mail.headers.has('references')).toBe(false);
    expect(script.mail.raw.toString('latin1')).not.toContain('x'.repeat(300));
    // A fair Message-ID is still answered in its thread.
    const threaded = await scriptTo(winnow, fair);
    expect(threaded.mail.headers.get('in-reply-to')).toBe('<fair.1@example.org>');
    expect(threaded.mail.headers.get('references')).toBe('<fair.1@example.org>');
  });
});
