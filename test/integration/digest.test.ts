import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/message.ts';
import { useSandbox, type TestWinnow } from '../support/winnow.ts';
import { personalRequest } from '../support/requests.ts';
import { all, attribute, one, parseHtml, text } from '../support/dom.ts';
import { linkedInInvitation, linkedInMessage } from './platform-mail.ts';

/**
 * The digest in the user's own inbox, on real servers: what needs the user, sent to MAIL_FROM at
 * the SMTP peer, only when something is new. Every request and notice here is constructed (see
 * platform-mail.ts). Winnow's clock is moved, and the digest's look (every minute in the workers)
 * is run at once.
 */

const suite = useSandbox(['dg1', 'dg2', 'dg3']);
const API = { authorization: 'Bearer api-token-for-tests-only' };
const HOUR = 3_600_000;

function testClock() {
  let shift = 0;
  return { now: () => Date.now() + shift, advance: (ms: number) => void (shift += ms) };
}

async function start(user: string, now: () => number): Promise<TestWinnow> {
  const winnow = await suite.winnow(user, { roles: { worker: true, web: true }, now, env: { DASHBOARD_URL: 'https://winnow.example.test/' } });
  const saved = await winnow.runtime.app!.inject({ method: 'PUT', url: '/api/settings', headers: API, payload: { digest: { every: 'hours', hour: 8, hours: 1 } } });
  expect(saved.statusCode, saved.body).toBe(200);
  return winnow;
}

/** Winnow on a moved clock, with one LinkedIn invitation waiting for the script to be sent on the platform. */
async function startWithOneWaiting(user: string, name: string, invitationId: string) {
  const clock = testClock();
  const winnow = await start(user, clock.now);
  const me = winnow.user.address;
  await suite.sandbox.deliver(me, await linkedInInvitation(name, me, invitationId));
  await winnow.waitForContact((c) => c.name === name && c.status === 'awaiting_address');
  return { clock, winnow, me };
}

const digestsTo = (address: string) => suite.sandbox.smtp.received.filter((mail) => mail.recipients.includes(address) && mail.headers.get('subject')?.startsWith('Winnow:'));

describe('the digest', () => {
  it('arrives at MAIL_FROM with what needs the user: people to send the script to on the platform (script ready to copy, profile link), people asked by mail who need an address, answers to decide', async () => {
    const clock = testClock();
    const winnow = await start('dg1', clock.now);
    const me = winnow.user.address;
    await suite.sandbox.deliver(me, await linkedInInvitation('Dana Digest', me, '6300000000000000001'));
    await suite.sandbox.deliver(me, await linkedInInvitation('Ari Answer', me, '6300000000000000002'));
    // Personal mail from an address Winnow may not write to (a domain of LinkedIn's): no address.
    await suite.sandbox.deliver(me, await personalRequest({ name: 'Eve Email', address: 'eve@lnkd.in' }, me, '<eve.1@lnkd.in>'));
    const dana = await winnow.waitForContact((c) => c.name === 'Dana Digest' && c.status === 'awaiting_address');
    const ari = await winnow.waitForContact((c) => c.name === 'Ari Answer' && c.status === 'awaiting_address');
    const eve = await winnow.waitForContact((c) => c.name === 'Eve Email' && c.status === 'awaiting_address');
    expect(eve).toMatchObject({ platform: 'email', email: null });
    expect((await winnow.runtime.app!.inject({ method: 'POST', url: `/api/contacts/${ari.id}/sent-on-platform`, headers: API })).statusCode).toBe(200);
    await suite.sandbox.deliver(me, await linkedInMessage('Ari Answer', me, 'We met in Porto. I run a print shop and we could share clients.\nSecond line.', { profileOf: '6300000000000000002' }));
    await winnow.waitForContact((c) => c.id === ari.id && c.status === 'answered');

    clock.advance(HOUR);
    const first = await winnow.runtime.workers!.digest();
    expect(first.kind).toBe('sent');
    const mail = await suite.sandbox.smtp.waitFor((each) => each.recipients.includes(me) && each.headers.get('subject')?.startsWith('Winnow:') === true);
    expect(mail.recipients).toEqual([me]);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('subject')).toMatch(/^Winnow: 1 to send on a platform, 1 waiting for an address, 1 answer to decide \(\d{4}-\d{2}-\d{2}\)$/);
    expect(mail.headers.get('in-reply-to')).toBeUndefined();
    const parsed = await parseMessage(mail.raw);
    expect(parsed.from?.address).toBe(me);
    expect(parsed.text).toContain('Dana Digest [new], LinkedIn: Managing Director at Example Ventures');
    expect(parsed.text).toContain(`Profile: ${dana.profileUrl}`);
    expect(parsed.text).toContain(`Say you sent it: https://winnow.example.test/contacts/${dana.id}`);
    // The script to copy, worded for the platform's message box.
    expect(parsed.text).toContain('Hi Dana,');
    expect(parsed.text).toContain('A short reply here on LinkedIn is all it takes.');
    expect(parsed.text).toContain(`Eve Email [new]: no address`);
    expect(parsed.text).toContain(`Give their address: https://winnow.example.test/contacts/${eve.id}`);
    expect(parsed.text).toContain('Ari Answer [new] (answered; says why, business, benefit)');
    expect(parsed.text).toContain('> We met in Porto. I run a print shop and we could share clients.');
    expect(parsed.text).toContain(`Decide: https://winnow.example.test/contacts/${ari.id}`);
    const html = parseHtml(String(parsed.html));
    expect(text(one(html, `a[href="https://winnow.example.test/contacts/${dana.id}"]`))).toBe('Say you sent it');
    expect(text(one(html, `a[href="https://winnow.example.test/contacts/${eve.id}"]`))).toBe('Give their address');
    expect(text(one(html, `a[href="https://winnow.example.test/contacts/${ari.id}"]`))).toBe('Decide');
    expect(all(html, 'a').map((link) => attribute(link, 'href'))).toContain(dana.profileUrl);
    expect(text(one(html, 'pre'))).toContain('Hi Dana,');
    // Nothing in it changed anything.
    expect((await winnow.store.get(dana.id))!.status).toBe('awaiting_address');
    expect((await winnow.store.get(ari.id))!.status).toBe('answered');
    expect((await winnow.store.get(eve.id))!.status).toBe('awaiting_address');
  });

  it('none when nothing is new; when something is, the next goes in the day\'s thread', async () => {
    const { clock, winnow, me } = await startWithOneWaiting('dg3', 'Dana Digest', '6300000000000000021');
    clock.advance(HOUR);
    expect((await winnow.runtime.workers!.digest()).kind).toBe('sent');
    const mail = await suite.sandbox.smtp.waitFor((each) => digestsTo(me).length === 1 && each === digestsTo(me)[0]);

    // The same slot again, then a later one with nothing new: no mail.
    expect((await winnow.runtime.workers!.digest()).kind).toBe('not-due');
    clock.advance(HOUR);
    expect((await winnow.runtime.workers!.digest()).kind).toBe('nothing-new');
    expect(digestsTo(me)).toHaveLength(1);

    // Something new: the next digest goes, in the day's thread.
    await suite.sandbox.deliver(me, await linkedInInvitation('Noor New', me, '6300000000000000023'));
    await winnow.waitForContact((c) => c.name === 'Noor New' && c.status === 'awaiting_address');
    clock.advance(HOUR);
    const second = await winnow.runtime.workers!.digest();
    expect(second.kind).toBe('sent');
    const next = await suite.sandbox.smtp.waitFor((each) => digestsTo(me).length === 2 && each === digestsTo(me)[1]);
    const nextText = (await parseMessage(next.raw)).text;
    expect(nextText).toContain('Noor New [new]');
    expect(nextText).toContain('Dana Digest, LinkedIn');
    if (next.headers.get('subject')!.slice(-11) === mail.headers.get('subject')!.slice(-11)) expect(next.headers.get('in-reply-to')).toBe(mail.messageId);
  });

  it('waits out the quiet hours, and is never sent while off', async () => {
    const { clock, winnow, me } = await startWithOneWaiting('dg2', 'Quinn Quiet', '6300000000000000011');
    // Quiet all day but one minute: now is inside them.
    const local = new Date(clock.now());
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const save = async (patch: object) => expect((await winnow.runtime.app!.inject({ method: 'PUT', url: '/api/settings', headers: API, payload: patch })).statusCode).toBe(200);
    await save({ timeZone: 'UTC', quietHours: { start: hhmm(new Date(local.getTime() - 60_000)), end: hhmm(new Date(local.getTime() - 120_000)) } });
    clock.advance(HOUR);
    expect((await winnow.runtime.workers!.digest()).kind).toBe('quiet');
    await save({ quietHours: null });
    expect((await winnow.runtime.workers!.digest()).kind).toBe('sent');
    await save({ digest: { every: 'off', hour: 8, hours: 1 } });
    clock.advance(HOUR);
    expect((await winnow.runtime.workers!.digest()).kind).toBe('off');
    expect(digestsTo(me)).toHaveLength(1);
  });
});
