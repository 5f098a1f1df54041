import { describe, expect, it } from 'vitest';
import { createAddressBook } from '../../src/contacts/address-book.ts';
import type { Contact } from '../../src/vocabulary/contact.ts';
import { signMail } from '../support/dkim.ts';
import { buildMail } from '../support/mail.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { useSandbox, type TestWinnow } from '../support/winnow.ts';
import { deliveryReport, linkedInInvitation, personalRequest } from '../support/requests.ts';

/**
 * Never a spam cannon, on real Redis, Dovecot and SMTP: mail written in someone else's
 * name never makes Winnow write to that someone on its own, and never changes their record.
 * Authentication is Winnow's own (mailauth, with the test world's DNS from test/support/dkim.ts)
 * and the receiving server's (AUTHSERV_ID). Every mail here is constructed; "forged" mail is
 * what an outsider can send: unsigned, or signed with a key the domain does not publish.
 */

const suite = useSandbox(['sp1', 'sp2', 'sp3', 'sp4', 'sp5', 'sp6', 'sp7', 'sp8', 'sp9', 'sp10', 'sp11', 'sp12', 'sp13', 'sp14', 'sp15']);
const API = { authorization: 'Bearer api-token-for-tests-only' };
/** The receiving server of these tests, as AUTHSERV_ID names it. */
const SERVER = 'mx.example.test';

/** A victim: someone who never wrote to the user. */
const victim = (tag: string) => ({ name: 'Vera Victim', address: `vera.${tag}@example.org` });

/** Delivers one request and waits until Winnow has read it, returning the person it made. */
async function requestFrom(winnow: TestWinnow, raw: Buffer, match: (contact: Contact) => boolean): Promise<Contact> {
  const { uid } = await suite.sandbox.deliver(winnow.user.address, raw);
  await winnow.settle(uid);
  return winnow.waitForContact(match);
}

/** A person who really asked (a signed request) and got their script. */
async function askedPerson(winnow: TestWinnow, person: { name: string; address: string }, tag: string): Promise<{ contact: Contact; scriptId: string }> {
  await suite.sandbox.deliver(winnow.user.address, await personalRequest(person, winnow.user.address, `<${tag}@example.org>`));
  const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address));
  const contact = await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked');
  return { contact, scriptId: script.messageId! };
}

/** The record after Winnow read `raw`: status and everything the person's page shows, unchanged or not. */
async function afterMail(winnow: TestWinnow, raw: Buffer, id: string): Promise<{ contact: Contact; notes: string[] }> {
  const { uid } = await suite.sandbox.deliver(winnow.user.address, raw);
  await winnow.settle(uid);
  const contact = (await winnow.store.get(id))!;
  const notes = (await winnow.store.timeline(id)).filter((entry) => entry.type === 'not_taken').map((entry) => entry.detail);
  return { contact, notes };
}

describe('spoofed personal mail ("I\'d like to connect" in someone else\'s name)', () => {
  it('with no Authentication-Results: no script; the person awaits approval with the reason, and approving sends it', async () => {
    const winnow = await suite.winnow('sp1', { roles: { worker: true, web: true } });
    const vera = victim('none');
    const person = await requestFrom(winnow, await personalRequest(vera, winnow.user.address, '<spoof-1@example.org>', { forged: true }), (c) => c.email === vera.address);
    expect(person.status).toBe('awaiting_approval');
    expect(person.flags).toContain('unverified');
    // example.org publishes DMARC p=none in the test world: the unsigned mail fails it.
    expect(person.reason).toBe(
      "unverified: the sender's domain failed verification: DKIM none, SPF not checked (no Received header of your server names the sending host), DMARC fail (policy none); AUTHSERV_ID is not set, so no Authentication-Results of a receiving server are believed",
    );
    expect(suite.scriptsTo(vera.address)).toHaveLength(0);

    // Nothing is dropped: the user may still decide it is genuine, and approving sends the script.
    const approved = await winnow.runtime.app!.inject({ method: 'POST', url: `/api/contacts/${person.id}/approve`, headers: API });
    expect(approved.statusCode).toBe(200);
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(vera.address));
    expect(suite.scriptsTo(vera.address)).toHaveLength(1);
  });

  it('that the receiving server says failed (dkim=fail, spf=fail, dmarc=fail): no script, awaits approval with the server’s words', async () => {
    const winnow = await suite.winnow('sp2', { env: { AUTHSERV_ID: SERVER } });
    const vera = victim('fail');
    const headers = { 'Authentication-Results': `${SERVER}; dkim=fail header.d=example.org; spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org` };
    const person = await requestFrom(winnow, await personalRequest(vera, winnow.user.address, '<spoof-2@example.org>', { forged: true, headers }), (c) => c.email === vera.address);
    expect(person.status).toBe('awaiting_approval');
    expect(person.reason).toMatch(/^unverified: the sender's domain failed verification: DKIM none, .*; mx\.example\.test reports dkim=fail spf=fail dmarc=fail$/);
    expect(suite.scriptsTo(vera.address)).toHaveLength(0);
  });

  it('that the receiving server could not check (dkim=none, spf=none, dmarc=none): no script, awaits approval', async () => {
    const winnow = await suite.winnow('sp3', { env: { AUTHSERV_ID: SERVER } });
    const vera = { name: 'Vera Victim', address: 'vera.none@nodmarc.example' };
    const headers = { 'Authentication-Results': `${SERVER}; dkim=none; spf=none smtp.mailfrom=nodmarc.example; dmarc=none header.from=nodmarc.example` };
    const person = await requestFrom(winnow, await personalRequest(vera, winnow.user.address, '<spoof-3@nodmarc.example>', { forged: true, headers }), (c) => c.email === vera.address);
    expect(person.status).toBe('awaiting_approval');
    // The words the issue asks for: what Winnow checked, then what the server said.
    expect(person.reason).toMatch(/^unverified: the sender's domain could not be verified: DKIM none, SPF not checked \(.*\), no DMARC record; mx\.example\.test reports dkim=none spf=none dmarc=none$/);
    expect(suite.scriptsTo(vera.address)).toHaveLength(0);
  });

  it('with a forged "pass" in the receiving server’s name below that server’s own header: not believed, no script', async () => {
    const winnow = await suite.winnow('sp4', { env: { AUTHSERV_ID: SERVER } });
    const vera = victim('forged-pass');
    const forged = await personalRequest(vera, winnow.user.address, '<spoof-4@example.org>', {
      forged: true,
      headers: { 'Authentication-Results': `${SERVER}; dkim=pass header.d=example.org header.i=@example.org; dmarc=pass header.from=example.org` },
    });
    // What the receiving server stores: its own verdict and Received line on top of what came.
    const stored = Buffer.concat([
      Buffer.from(`Authentication-Results: ${SERVER}; spf=softfail smtp.mailfrom=example.org\r\nReceived: from mail.attacker.example (mail.attacker.example [192.0.2.66]) by ${SERVER} with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000\r\n`),
      forged,
    ]);
    const person = await requestFrom(winnow, stored, (c) => c.email === vera.address);
    expect(person.status).toBe('awaiting_approval');
    expect(person.reason).toMatch(/; mx\.example\.test reports spf=softfail$/);
    expect(suite.scriptsTo(vera.address)).toHaveLength(0);
  });

  it('signed with a key the domain does not publish: DKIM fails, no script', async () => {
    const winnow = await suite.winnow('sp5');
    const vera = victim('bad-key');
    const raw = await signMail(await personalRequest(vera, winnow.user.address, '<spoof-5@example.org>', { forged: true }), { forged: true });
    const person = await requestFrom(winnow, raw, (c) => c.email === vera.address);
    expect(person.status).toBe('awaiting_approval');
    expect(person.reason).toMatch(/^unverified: the sender's domain failed verification: DKIM fail for example\.org/);
    expect(suite.scriptsTo(vera.address)).toHaveLength(0);
  });
});

describe('a request signed by its sender’s domain', () => {
  it('is verified by Winnow itself (mailauth, DKIM and DMARC through the test world’s DNS) and gets the script, with no receiving server’s word', async () => {
    const winnow = await suite.winnow('sp6');
    const sara = { name: 'Sara Signed', address: 'sara@example.test' };
    const person = await requestFrom(winnow, await personalRequest(sara, winnow.user.address, '<signed-1@example.test>'), (c) => c.email === sara.address && c.status === 'asked');
    expect(person.flags).not.toContain('unverified');
    expect(suite.scriptsTo(sara.address)).toHaveLength(1);
    const [requested] = await winnow.store.timeline(person.id);
    expect(requested!.detail).toContain("verified: DMARC pass for example.test (Winnow's own check)");
  });
});

describe('a signed request naming someone else in Reply-To', () => {
  it('sends nothing to the Reply-To of another domain: its signature proves the From, not the Reply-To; the person awaits approval', async () => {
    const winnow = await suite.winnow('sp15');
    // Anyone with a mailbox that signs (a webmail account, say) can do this.
    const mallory = { name: 'Mallory Signed', address: 'mallory@example.test' };
    const victim = 'victim@elsewhere.example';
    const raw = await personalRequest(mallory, winnow.user.address, '<signed-replyto@example.test>', { headers: { 'Reply-To': victim } });
    const person = await requestFrom(winnow, raw, (c) => c.status === 'awaiting_approval' && c.email === victim);
    expect(person.flags).toContain('unverified');
    const [requested] = await winnow.store.timeline(person.id);
    expect(requested!.detail).toContain(`the Reply-To ${victim} is in another domain, which nothing authenticates`);
    expect(suite.scriptsTo(victim)).toHaveLength(0);
    expect(suite.scriptsTo(mallory.address)).toHaveLength(0);
  });
});

describe('forged LinkedIn invitations', () => {
  it('in the 2011 format "from" a victim’s own mailbox, without LinkedIn’s signature: no script to the named address', async () => {
    const winnow = await suite.winnow('sp7');
    const vera = victim('2011');
    const person = await requestFrom(winnow, await oldLinkedInInvitation(vera, winnow.user.address, '<forged-2011@linkedin.example>', { forged: true }), (c) => c.email === vera.address);
    expect(person).toMatchObject({ platform: 'linkedin', status: 'awaiting_approval' });
    expect(person.reason).toMatch(/^unverified: LinkedIn's authentication did not pass: no DKIM or DMARC pass for linkedin\.com/);
    expect(suite.scriptsTo(vera.address)).toHaveLength(0);
  });

  it('in the 2016 format naming someone in the imported address book: no script to the address book’s address', async () => {
    const winnow = await suite.winnow('sp8');
    const book = createAddressBook(winnow.runtime.redis, winnow.config.redis.prefix, 'primary');
    await book.import([{ name: 'Cora Contact', addresses: ['cora@example.org'], line: 1 }]);
    const raw = await linkedInInvitation('Cora Contact', winnow.user.address, '7300000000000000001', undefined, { forged: true });
    const person = await requestFrom(winnow, raw, (c) => c.name === 'Cora Contact');
    expect(person).toMatchObject({ platform: 'linkedin', status: 'awaiting_approval', email: 'cora@example.org' });
    expect(person.reason).toMatch(/^unverified: cora@example\.org was found by name in your address book, for mail whose sender is not authenticated \(LinkedIn's authentication did not pass/);
    expect(suite.scriptsTo('cora@example.org')).toHaveLength(0);
  });

  it('the genuine 2011 format, signed by LinkedIn with LinkedIn as Sender, vouches for the From: script sent', async () => {
    const winnow = await suite.winnow('sp9');
    const gil = { name: 'Gil Genuine', address: 'gil@example.org' };
    const person = await requestFrom(winnow, await oldLinkedInInvitation(gil, winnow.user.address, '<genuine-2011@linkedin.example>'), (c) => c.email === gil.address && c.status === 'asked');
    expect(person.flags).not.toContain('unverified');
    expect(suite.scriptsTo(gil.address)).toHaveLength(1);
  });
});

describe('records only the person can change', () => {
  it('a forged threaded "reply" (a Message-ID computed the old way, From the person’s address, unsigned) leaves the record unchanged, with a note', async () => {
    const winnow = await suite.winnow('sp10');
    const tess = { name: 'Tess Target', address: 'tess@example.org' };
    const { contact } = await askedPerson(winnow, tess, 'thread-1');
    // What anyone can compute: the contact id is a hash of the address, the number is 1.
    const guessed = `<winnow.${contact.id}.1@example.test>`;
    const forged = await buildMail({ from: tess, to: winnow.user.address, subject: 'Re: Thank you', inReplyTo: guessed, references: guessed, text: 'I run a large company and we should absolutely connect.' });
    const { contact: after, notes } = await afterMail(winnow, forged, contact.id);
    expect(after).toMatchObject({ status: 'asked', answerText: null, answeredAt: null });
    expect(notes).toEqual([expect.stringMatching(/^an answer not taken: mail from tess@example\.org that names a script Message-ID Winnow never wrote and is not authenticated/)]);
  });

  it('a forged refusal from the person’s address (not authenticated, not a reply) leaves the record unchanged, with a note', async () => {
    const winnow = await suite.winnow('sp11');
    const rex = { name: 'Rex Refused', address: 'rex@example.org' };
    const { contact } = await askedPerson(winnow, rex, 'refusal-1');
    const forged = await buildMail({ from: rex, to: winnow.user.address, subject: 'Your message', text: 'No thanks, I am not interested. Please remove me.' });
    const { contact: after, notes } = await afterMail(winnow, forged, contact.id);
    expect(after.status).toBe('asked');
    expect(notes).toEqual([expect.stringMatching(/^mail not taken: mail from rex@example\.org that is no reply to the script and is not authenticated/)]);
    // The same refusal, signed by the person's domain, is theirs: it counts.
    const genuine = await signMail(await buildMail({ from: rex, to: winnow.user.address, subject: 'Your message', text: 'No thanks, I am not interested. Please remove me.' }));
    const { contact: declined } = await afterMail(winnow, genuine, contact.id);
    expect(declined.status).toBe('declined');
  });

  it('a forged delivery report naming the person, without our sealed Message-ID, leaves the record unchanged, with a note', async () => {
    const winnow = await suite.winnow('sp12');
    const dora = { name: 'Dora Delivered', address: 'dora@example.org' };
    const { contact, scriptId } = await askedPerson(winnow, dora, 'dsn-1');
    const report = { action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 user unknown' };
    const forged = deliveryReport(winnow.user.address, dora.address, `<winnow.${contact.id}.1@example.test>`, report);
    const { contact: after, notes } = await afterMail(winnow, forged, contact.id);
    expect(after.status).toBe('asked');
    expect(notes).toEqual([expect.stringMatching(/^a delivery report naming dora@example\.org not taken: it names a script Message-ID Winnow never wrote/)]);
    // A report that returns the script's own (sealed) Message-ID came from a server that had it.
    const { contact: bounced } = await afterMail(winnow, deliveryReport(winnow.user.address, dora.address, scriptId, report), contact.id);
    expect(bounced.status).toBe('bounced');
  });

  it('a reply threading the sealed Message-ID but from another address is a note; from the person it is the answer', async () => {
    const winnow = await suite.winnow('sp13');
    const ann = { name: 'Ann Answer', address: 'ann@example.org' };
    const { contact, scriptId } = await askedPerson(winnow, ann, 'sealed-1');
    const elsewhere = await buildMail({ from: { name: 'Ann Answer', address: 'ann@other.example' }, to: winnow.user.address, subject: 'Re: Thank you', inReplyTo: scriptId, references: scriptId, text: 'We sell timber.' });
    const { contact: after, notes } = await afterMail(winnow, elsewhere, contact.id);
    expect(after.status).toBe('asked');
    expect(notes).toEqual([expect.stringMatching(/^an answer not taken: a reply to the script from ann@other\.example, not from ann@example\.org/)]);
    // Unsigned, but a reply to the sealed id from the person's address: only they received it.
    const reply = await buildMail({ from: ann, to: winnow.user.address, subject: 'Re: Thank you', inReplyTo: scriptId, references: scriptId, text: 'I build timber houses and we could refer clients to each other.' });
    const { contact: answered } = await afterMail(winnow, reply, contact.id);
    expect(answered.status).toBe('answered');
  });
  it('a reply to a script sent before Message-IDs were sealed counts only when authenticated from the person’s address', async () => {
    const winnow = await suite.winnow('sp14');
    const otto = { name: 'Otto Older', address: 'otto@example.org' };
    const { contact } = await askedPerson(winnow, otto, 'old-id-1');
    // As Redis holds it for a script sent by an earlier version: the id in the old format.
    const old = `winnow.${contact.id}.1@example.test`;
    await winnow.store.rememberScriptMessageId(contact.id, old);
    const answer = { from: otto, to: winnow.user.address, subject: 'Re: Thank you', inReplyTo: old, references: old, text: 'I design timber frames for small builders.' };
    const { contact: unsigned, notes } = await afterMail(winnow, await buildMail(answer), contact.id);
    expect(unsigned.status).toBe('asked');
    expect(notes).toEqual([expect.stringMatching(/^an answer not taken: a reply to a script sent before Message-IDs were sealed, from otto@example\.org, which is not authenticated/)]);
    const { contact: signed } = await afterMail(winnow, await signMail(await buildMail({ ...answer, messageId: '<otto-signed@example.org>' })), contact.id);
    expect(signed.status).toBe('answered');
  });
});
