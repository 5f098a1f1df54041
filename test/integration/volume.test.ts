import { describe, expect, it } from 'vitest';
import { closeQueues, createQueues, wakeWaitingScripts } from '../../src/queues/queues.ts';
import { localTime } from '../../src/settings/send-window.ts';
import { createSettingsStore, type Settings } from '../../src/settings/settings.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { until, useSandbox, type TestWinnow } from '../support/winnow.ts';
import { form, hiddenCsrf, login, PASSWORD } from '../web/helpers.ts';

/**
 * Bounded by default, on real servers: the daily cap, the per-domain cap and the circuit breaker
 * hold scripts (never drop them) and let them go when their time comes or the user resumes; one
 * mailbox written many ways is one person. Every request here is constructed (test/support/requests.ts).
 */

const suite = useSandbox(['v1', 'v2', 'v3', 'v4', 'v5']);
const HOUR = 3_600_000;

/** A clock the test moves forward, as if hours had passed. */
function testClock() {
  let shift = 0;
  return {
    now: () => Date.now() + shift,
    advance(ms: number) {
      shift += ms;
    },
  };
}

/** No limit but the one a test is about. */
const UNLIMITED: Pick<Settings, 'dailyCap' | 'domainHourlyCap' | 'breakerHourly'> = { dailyCap: null, domainHourlyCap: null, breakerHourly: null };

async function saveSettings(winnow: TestWinnow, patch: Partial<Settings>): Promise<void> {
  const settings = createSettingsStore(winnow.runtime.redis, winnow.store.keys.settings, winnow.config);
  await settings.save({ ...(await settings.get()), ...patch });
}

async function wake(winnow: TestWinnow): Promise<void> {
  const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
  try {
    await wakeWaitingScripts(queues);
  } finally {
    await closeQueues(queues);
  }
}

async function request(winnow: TestWinnow, address: string, tag = address): Promise<void> {
  await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation({ name: `Pat ${tag.split('@')[0]}`, address }, winnow.user.address, `<${tag}.${Date.now()}.invite@linkedin.example>`));
}

const scripted = (addresses: string[]) => addresses.filter((address) => suite.scriptsTo(address).length > 0);

/** Every one of `addresses` is a person who is asked or whose script waits with a note starting `note`. */
async function waitHeld(winnow: TestWinnow, addresses: string[], sent: number, note: string): Promise<string[]> {
  let held: string[] = [];
  await until(
    async () => {
      const waiting = (await winnow.store.list({ status: 'queued' })).contacts.filter((c) => addresses.includes(c.email!));
      const asked = (await winnow.store.list({ status: 'asked' })).contacts.filter((c) => addresses.includes(c.email!));
      const noted = await Promise.all(waiting.map(async (c) => (await winnow.store.timeline(c.id)).some((e) => e.type === 'queued' && e.detail.startsWith(note))));
      held = waiting.map((c) => c.email!);
      return asked.length === sent && waiting.length === addresses.length - sent && noted.every(Boolean);
    },
    15_000,
    `${sent} scripts sent and the rest held with "${note}"`,
  );
  return held;
}

/** A zone where it is day now, so a test cannot straddle a local midnight. */
function dayZone(): string {
  return ['UTC', 'Asia/Tokyo', 'America/New_York'].find((zone) => {
    const { hour } = localTime(Date.now(), zone);
    return hour >= 1 && hour <= 22;
  })!;
}

describe('the daily cap', () => {
  it('holds the scripts beyond the cap and sends them the next day', async () => {
    const clock = testClock();
    const winnow = await suite.winnow('v1', { now: clock.now });
    await saveSettings(winnow, { ...UNLIMITED, dailyCap: 2, timeZone: dayZone() });
    const people = ['cap-a@example.org', 'cap-b@example.net', 'cap-c@example.com'];
    for (const address of people) await request(winnow, address);

    const held = await waitHeld(winnow, people, 2, 'daily cap reached (2 a day)');
    expect(scripted(people)).toHaveLength(2);
    expect(held).toHaveLength(1);

    // The next day it goes, once.
    clock.advance(24 * HOUR);
    await wake(winnow);
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(held[0]!));
    await winnow.waitForContact((c) => c.email === held[0] && c.status === 'asked');
    expect(people.map((address) => suite.scriptsTo(address).length)).toEqual([1, 1, 1]);
  });
});

describe('the per-domain cap', () => {
  it('holds scripts to a domain that had its hour, lets other domains through, and sends the rest an hour later', async () => {
    const clock = testClock();
    const winnow = await suite.winnow('v2', { now: clock.now });
    await saveSettings(winnow, { ...UNLIMITED, domainHourlyCap: 2 });
    // googlemail.com is gmail.com: three scripts to one provider, one elsewhere.
    const gmail = ['dom-a@gmail.com', 'dom-b@googlemail.com', 'dom-c@gmail.com'];
    const other = 'dom-d@example.org';
    for (const address of [...gmail, other]) await request(winnow, address);

    const held = await waitHeld(winnow, [...gmail, other], 3, '2 scripts went to');
    expect(scripted([other])).toEqual([other]);
    expect(scripted(gmail)).toHaveLength(2);
    expect(held).toHaveLength(1);
    const note = (await winnow.store.timeline((await winnow.waitForContact((c) => c.email === held[0])).id)).find((e) => e.type === 'queued')!;
    expect(note.detail).toMatch(/^2 scripts went to g(oogle)?mail\.com in the last hour \(the per-domain cap\); waiting until \d\d:\d\d$/);

    clock.advance(HOUR + 60_000);
    await wake(winnow);
    await winnow.waitForContact((c) => c.email === held[0] && c.status === 'asked');
    expect([...gmail, other].map((address) => suite.scriptsTo(address).length)).toEqual([1, 1, 1, 1]);
  });
});

describe('the circuit breaker', () => {
  it('trips above its hourly limit: sending pauses, every page shows a banner, the user gets one mail, and resuming sends the held scripts', async () => {
    const winnow = await suite.winnow('v3', { roles: { worker: true, web: true }, env: { DASHBOARD_PASSWORD: PASSWORD } });
    const app = winnow.runtime.app!;
    await saveSettings(winnow, { ...UNLIMITED, breakerHourly: 2 });
    const people = ['flood-a@example.org', 'flood-b@example.net', 'flood-c@example.com', 'flood-d@example.edu'];
    for (const address of people) await request(winnow, address);

    const held = await waitHeld(winnow, people, 2, 'sending is paused');
    expect(held).toHaveLength(2);
    expect(scripted(people)).toHaveLength(2);

    // One mail to the user, marked as written by a robot, not as an answer.
    const notice = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(winnow.user.address));
    expect(notice.headers.get('subject')).toBe('Winnow paused sending: more than 2 scripts in an hour');
    expect(notice.headers.get('auto-submitted')).toBe('auto-generated');
    await until(async () => (await winnow.store.sendingPause())?.notifiedAt != null, 5_000, 'the notice to be recorded');

    // A banner on the overview and on every other page, with the button that resumes.
    const session = await login(app);
    const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
    const overview = (await get('/')).body;
    expect(overview).toContain('id="sending-paused"');
    expect(overview).toMatch(/More than 2 scripts were due within an hour/);
    for (const page of ['/settings', '/templates/script', '/responders', '/awaiting']) expect((await get(page)).body).toContain('id="sending-paused"');
    const api = { authorization: `Bearer ${winnow.config.web.apiToken}` };
    expect((await app.inject({ method: 'GET', url: '/api/sending', headers: api })).json()).toMatchObject({ paused: true, limit: 2 });

    // Another request while paused waits too, and brings no second mail.
    const late = 'flood-e@example.info';
    await request(winnow, late);
    await waitHeld(winnow, [...people, late], 2, 'sending is paused');

    // Resumed from the banner's form: the held scripts go, each once.
    const { payload, headers } = form({ _csrf: hiddenCsrf(overview) });
    const resumed = await app.inject({ method: 'POST', url: '/sending/resume', payload, headers, cookies: { winnow_session: session } });
    expect(resumed.statusCode).toBe(303);
    // The hour's count starts afresh at the resume: two go, and the third trips the breaker again.
    await until(async () => scripted([...people, late]).length === 4, 10_000, 'two held scripts to go');
    await until(async () => (await winnow.store.sendingPause()) !== null, 10_000, 'the breaker to trip again');
    const mails = () => suite.sandbox.smtp.received.filter((mail) => mail.recipients.includes(winnow.user.address));
    // A new trip is a new mail: two in all, one per trip.
    await until(() => mails().length === 2, 10_000, 'the second trip\'s mail');

    // Resumed through the API this time: the last one goes.
    expect((await app.inject({ method: 'POST', url: '/api/sending/resume', headers: api })).json()).toEqual({ resumed: true });
    await until(async () => scripted([...people, late]).length === 5, 10_000, 'the last held script to go');
    expect([...people, late].map((address) => suite.scriptsTo(address).length)).toEqual([1, 1, 1, 1, 1]);
    expect((await app.inject({ method: 'GET', url: '/api/sending', headers: api })).json()).toEqual({ paused: false });
    expect((await get('/')).body).not.toContain('id="sending-paused"');
    expect(mails()).toHaveLength(2);
  });
});

describe('dedupe on the mailbox', () => {
  it('counts case, a +tag and Gmail dots as one person with one script', async () => {
    const winnow = await suite.winnow('v4');
    const spellings = ['pat.victim+one@gmail.com', 'PAT.VICTIM+two@googlemail.com', 'p.a.t.v.i.c.t.i.m@Gmail.com', 'patvictim+three@gmail.com'];
    for (const [i, address] of spellings.entries()) await request(winnow, address, `dedupe-${i}`);
    const last = (await suite.sandbox.messages(winnow.user.address)).at(-1)!.uid;
    await winnow.settle(last);

    const people = (await winnow.store.list({ limit: 50 })).contacts;
    expect(people).toHaveLength(1);
    // Whichever spelling was read first is the address the script went to.
    expect(spellings).toContain(people[0]!.email);
    expect(people[0]).toMatchObject({ status: 'asked', repeats: 3 });
    expect(spellings.flatMap((address) => suite.scriptsTo(address))).toHaveLength(1);
  });
});
