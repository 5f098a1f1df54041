import { describe, expect, it } from 'vitest';
import { closeQueues, createQueues, jobId } from '../../src/queues/queues.ts';
import { PRIMARY_MAILBOX } from '../../src/runtime.ts';
import { fireDeadline, useSandbox, type TestWinnow } from '../support/winnow.ts';
import { facebookFriendRequest, facebookMessage, linkedInInMail, linkedInInvitation, linkedInMessage } from './platform-mail.ts';

/**
 * The loop where the platform hides the address, on real servers: the user sends the script on
 * the platform and says so, and the platform's notice of the person's message brings the answer.
 * Every mail here is constructed (see platform-mail.ts).
 */

const suite = useSandbox(['pl1', 'pl2', 'pl3', 'pl4', 'pl5', 'pl6', 'pl7', 'pl8', 'pl9']);
const API = { authorization: 'Bearer api-token-for-tests-only' };
const MINUTE = 60_000;

/** A clock the test moves forward, as if hours had passed, for reminders and deadlines. */
function testClock() {
  let shift = 0;
  return { now: () => Date.now() + shift, advance: (ms: number) => void (shift += ms) };
}

function start(user: string, now?: () => number): Promise<TestWinnow> {
  return suite.winnow(user, { roles: { worker: true, web: true }, ...(now ? { now } : {}) });
}

async function sentOnPlatform(winnow: TestWinnow, id: string) {
  return winnow.runtime.app!.inject({ method: 'POST', url: `/api/contacts/${id}/sent-on-platform`, headers: API });
}

async function invited(winnow: TestWinnow, name: string, invitationId: string) {
  await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation(name, winnow.user.address, invitationId));
  return winnow.waitForContact((c) => c.invitationId === invitationId && c.status === 'awaiting_address');
}


describe('a person asked on the platform', () => {
  it('a 2016 LinkedIn invitation, sent on the platform through the API, answered through LinkedIn\'s message notice: answered with the text and score', async () => {
    const winnow = await start('pl1');
    const jane = await invited(winnow, 'Jane Platform', '6200000000000000001');
    expect(jane.email).toBeNull();
    // The invitation's own Accept link is kept, for "Accept on LinkedIn" after the user decides.
    expect(jane.acceptUrl).toBe('https://www.linkedin.com/comm/people/invite-accept?mboxid=I6200000000000000001_500&sharedKey=48j6iM8P&fr=false&invitationId=6200000000000000001&fe=true');

    const sent = await sentOnPlatform(winnow, jane.id);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ ok: true, status: 'asked' });
    // Said twice: already so, nothing changes.
    expect((await sentOnPlatform(winnow, jane.id)).json()).toMatchObject({ ok: true, message: expect.stringContaining('already') });
    expect((await sentOnPlatform(winnow, 'no-such-person')).statusCode).toBe(404);

    const asked = (await winnow.store.get(jane.id))!;
    expect(asked).toMatchObject({ status: 'asked', channel: 'platform', attempts: 1 });
    // RESPONSE_DEADLINE is 1h in tests.
    expect(asked.deadlineAt! - asked.askedAt!).toBe(60 * MINUTE);
    expect((await winnow.store.timeline(jane.id)).map((event) => event.type)).toEqual(['requested', 'sent_on_platform']);
    // Winnow wrote to no one: the script went on the platform, by the user.
    expect(suite.sandbox.smtp.received.filter((mail) => mail.recipients.some((to) => to !== winnow.user.address))).toHaveLength(0);

    const answer = 'Thanks for asking! We met at the Lisbon design meetup. I run a small design studio, and I think we could refer clients to each other.';
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInMessage('Jane Platform', winnow.user.address, answer, { profileOf: '6200000000000000001' }));
    const answered = await winnow.waitForContact((c) => c.id === jane.id && c.status === 'answered');
    expect(answered.answerText).toBe(answer);
    expect(answered.score).toEqual({ why: true, business: true, benefit: true });
    expect(answered.conversationUrl).toBe('https://www.linkedin.com/comm/messaging/thread/2-MDY1ZTJhYjQtNTk3Zi00/');
    const entry = (await winnow.store.timeline(jane.id)).at(-1)!;
    expect(entry.type).toBe('answered');
    expect(entry.detail).toContain('on LinkedIn, matched by the profile link');
    await winnow.settle(uid);
    // Her deadline is cancelled; once answered, the action is refused as not allowed now.
    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    try {
      expect(await queues.deadline.getJob(jobId.deadline(PRIMARY_MAILBOX, jane.id))).toBeUndefined();
    } finally {
      await closeQueues(queues);
    }
    expect((await sentOnPlatform(winnow, jane.id)).statusCode).toBe(409);
  });

  it('a person asked on the platform who stays silent has no response at the deadline', async () => {
    const clock = testClock();
    const winnow = await start('pl9', clock.now);
    const sam = await invited(winnow, 'Sam Silent', '6200000000000000002');
    expect((await sentOnPlatform(winnow, sam.id)).statusCode).toBe(200);
    expect((await winnow.store.get(sam.id))!.status).toBe('asked');

    clock.advance(61 * MINUTE);
    await fireDeadline(winnow, sam.id);
    expect((await winnow.store.get(sam.id))!).toMatchObject({ status: 'no_response', answerText: null });
    expect((await winnow.store.timeline(sam.id)).at(-1)!.type).toBe('no_response');
  });

  it('a message notice from someone Winnow is not waiting for changes nothing and creates nobody', async () => {
    const winnow = await start('pl2');
    const jane = await invited(winnow, 'Jane Waiting', '6200000000000000011');
    expect((await sentOnPlatform(winnow, jane.id)).statusCode).toBe(200);
    const before = await winnow.store.list({ limit: 50 });

    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInMessage('Kim Stranger', winnow.user.address, 'Hi, I have a great offer for your business.'));
    await winnow.settle(uid);
    const after = await winnow.store.list({ limit: 50 });
    expect(after.contacts.map((c) => [c.id, c.status, c.updatedAt])).toEqual(before.contacts.map((c) => [c.id, c.status, c.updatedAt]));
  });

  it('a refusal through Facebook Messenger declines, matched by the member id of the notice', async () => {
    const winnow = await start('pl3');
    await suite.sandbox.deliver(winnow.user.address, await facebookFriendRequest('Robin Refuser', winnow.user.address, '100004211223344'));
    const robin = await winnow.waitForContact((c) => c.platform === 'facebook' && c.status === 'awaiting_address');
    expect((await sentOnPlatform(winnow, robin.id)).statusCode).toBe(200);

    await suite.sandbox.deliver(winnow.user.address, await facebookMessage('Robin Refuser', winnow.user.address, '100004211223344', 'No thanks, not interested.'));
    const declined = await winnow.waitForContact((c) => c.id === robin.id && c.status === 'declined');
    expect(declined.answerText).toBe('No thanks, not interested.');
    expect(declined.conversationUrl).toBe('https://www.facebook.com/messages/t/100004211223344');
  });

  it('two waiting people with the same name: a notice naming them matches neither, and says so to the user', async () => {
    const winnow = await start('pl4');
    const first = await invited(winnow, 'Alex Twin', '6200000000000000021');
    const second = await invited(winnow, 'Alex Twin', '6200000000000000022');
    for (const person of [first, second]) expect((await sentOnPlatform(winnow, person.id)).statusCode).toBe(200);

    // No profile link: only the name says who wrote.
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInMessage('Alex Twin', winnow.user.address, 'We met at the conference in Porto; I work in logistics software.'));
    await winnow.settle(uid);
    for (const person of [first, second]) {
      expect((await winnow.store.get(person.id))!.status).toBe('asked');
      const note = (await winnow.store.timeline(person.id)).at(-1)!;
      expect(note.type).toBe('platform_message');
      expect(note.detail).toContain('2 people you asked on LinkedIn have that name');
    }
    // On the overview's "mail that could not be used".
    const overview = await winnow.runtime.app!.inject({ method: 'GET', url: '/api/overview', headers: API });
    expect(overview.json().skippedMail).toBe(1);
    expect((await winnow.store.skippedMail())[0]!.reason).toContain('taken for none of them');
  });

  it('a notice whose authentication failed (or that is unsigned) counts for nothing', async () => {
    const winnow = await start('pl5');
    const jane = await invited(winnow, 'Jane Spoofed', '6200000000000000031');
    expect((await sentOnPlatform(winnow, jane.id)).statusCode).toBe(200);
    const before = (await winnow.store.get(jane.id))!;

    const { uid } = await suite.sandbox.deliver(
      winnow.user.address,
      await linkedInMessage('Jane Spoofed', winnow.user.address, 'Thanks! I run a bakery and would love to connect.', { profileOf: '6200000000000000031', dkim: 'fail' }),
    );
    await winnow.settle(uid);
    // Turned away before anyone is read: her record and timeline are as they were.
    expect((await winnow.store.get(jane.id))!).toMatchObject({ status: 'asked', answerText: null, updatedAt: before.updatedAt });
    expect((await winnow.store.timeline(jane.id)).map((event) => event.type)).toEqual(['requested', 'sent_on_platform']);

    // Unsigned, as an outsider sends it in LinkedIn's name: nothing passes, nothing changes either.
    const unsigned = await linkedInMessage('Jane Spoofed', winnow.user.address, 'No thanks.', { profileOf: '6200000000000000031', dkim: 'none' });
    await winnow.settle((await suite.sandbox.deliver(winnow.user.address, unsigned)).uid);
    expect((await winnow.store.get(jane.id))!).toMatchObject({ status: 'asked', answerText: null, updatedAt: before.updatedAt });
  });

  it('the reminder for someone asked on the platform is a note to the user, never mail to anyone', async () => {
    const clock = testClock();
    const winnow = await start('pl6', clock.now);
    const saved = await winnow.runtime.app!.inject({ method: 'PUT', url: '/api/settings', headers: API, payload: { deadlineMs: 60 * MINUTE, reminderAfterMs: 20 * MINUTE } });
    expect(saved.statusCode, saved.body).toBe(200);
    const jane = await invited(winnow, 'Jane Reminded', '6200000000000000041');
    expect((await sentOnPlatform(winnow, jane.id)).statusCode).toBe(200);
    const mailBefore = suite.sandbox.smtp.received.length;

    clock.advance(21 * MINUTE);
    await fireDeadline(winnow, jane.id);
    const reminded = (await winnow.store.timeline(jane.id)).at(-1)!;
    expect(reminded.type).toBe('reminded');
    expect(reminded.detail).toContain('write to them there (Winnow does not)');
    expect((await winnow.store.get(jane.id))!.status).toBe('asked');

    clock.advance(40 * MINUTE);
    await fireDeadline(winnow, jane.id);
    expect((await winnow.store.get(jane.id))!.status).toBe('no_response');
    expect(suite.sandbox.smtp.received.length).toBe(mailBefore);
    expect((await winnow.store.timeline(jane.id)).filter((event) => event.type === 'reminded')).toHaveLength(1);
  });

  it('an InMail from someone still waiting for an address keeps its relay on their page; no script goes to it on its own', async () => {
    const winnow = await start('pl7');
    const rita = await invited(winnow, 'Rita Relay', '6200000000000000051');
    const relay = '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6@reply.linkedin.com';
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInInMail('Rita Relay', winnow.user.address, 'Thanks for connecting, I would love to talk.', relay));
    await winnow.settle(uid);
    const person = (await winnow.store.get(rita.id))!;
    expect(person).toMatchObject({ status: 'awaiting_address', relayAddress: relay, email: null });
    expect((await winnow.store.timeline(rita.id)).at(-1)!.detail).toContain(`relay address that forwards to them: ${relay}`);
    expect(suite.sandbox.smtp.received.filter((mail) => mail.recipients.includes(relay))).toHaveLength(0);
  });

  it('with relays allowed in Settings, the script goes to the relay of an authenticated InMail; a forged one still gets nothing', async () => {
    const winnow = await start('pl8');
    const saved = await winnow.runtime.app!.inject({ method: 'PUT', url: '/api/settings', headers: API, payload: { sendToRelays: true } });
    expect(saved.statusCode, saved.body).toBe(200);
    const rita = await invited(winnow, 'Rita Relay', '6200000000000000061');
    const forged = 'f0f0f0f0-1111-2222-3333-444455556666@reply.linkedin.com';
    const spoof = await linkedInInMail('Rita Relay', winnow.user.address, 'Write to me here.', forged, { dkim: 'fail' });
    await winnow.settle((await suite.sandbox.deliver(winnow.user.address, spoof)).uid);
    expect((await winnow.store.get(rita.id))!).toMatchObject({ status: 'awaiting_address', email: null, relayAddress: null });

    const relay = '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f7@reply.linkedin.com';
    await suite.sandbox.deliver(winnow.user.address, await linkedInInMail('Rita Relay', winnow.user.address, 'Thanks for connecting, I would love to talk.', relay));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(relay));
    expect(script.headers.get('auto-submitted')).toBe('auto-replied');
    expect(await winnow.waitForContact((c) => c.id === rita.id && c.status === 'asked')).toMatchObject({ email: relay, relayAddress: relay, channel: 'email' });
    const setEntry = (await winnow.store.timeline(rita.id)).find((event) => event.type === 'address_set')!;
    expect(setEntry.detail).toContain(`address ${relay} from the platform's reply relay`);
    expect(suite.sandbox.smtp.received.filter((mail) => mail.recipients.includes(forged))).toHaveLength(0);
  });
});
