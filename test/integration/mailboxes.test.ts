import { capturedLog } from '../support/log.ts';
import { keysHolding } from '../support/redis-scan.ts';
import { describe, expect, it } from 'vitest';
import { mailboxKeys, serverKeys } from '../../src/store/keys.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { all, parseHtml, text } from '../support/dom.ts';
import { SANDBOX_PASSWORD } from '../support/sandbox.ts';
import { login, PASSWORD } from '../web/helpers.ts';
import { until, useSandbox, type TestWinnow } from '../support/winnow.ts';

/**
 * Several mailboxes on real servers: the environment's, and two added through the API, each
 * watched by its own watcher and answering from its own address. One Dovecot holds them all.
 */

const suite = useSandbox(['me', 'work', 'home', 'me2', 'side', 'me3', 'other', 'me4', 'spare', 'alice']);

const TOKEN = 'api-token-for-tests-only';
const WINNOW_SECRET = 'a-long-enough-secret-for-the-tests-0123456789';

async function startWith(user: string, logger = capturedLog('debug').logger): Promise<TestWinnow> {
  return suite.winnow(user, { roles: { worker: true, web: true }, env: { WINNOW_SECRET, DASHBOARD_PASSWORD: PASSWORD }, logger });
}

async function api(winnow: TestWinnow, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const answer = await winnow.runtime.app!.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  return { status: answer.statusCode, body: answer.json() as Record<string, unknown> };
}

/** The body of POST /api/mailboxes for a sandbox user, with its own From. */
function mailboxFor(local: string, name: string, pass = SANDBOX_PASSWORD) {
  const user = suite.sandbox.user(local);
  const { imap, smtp } = suite.sandbox;
  return {
    name,
    from: `${name} Desk <${user.address}>`,
    imap: { host: imap.host, port: imap.port, secure: false, user: user.user, pass },
    smtp: { host: smtp.host, port: smtp.port, secure: false, user: suite.sandbox.smtp.user, pass: suite.sandbox.smtp.pass },
  };
}

interface ListedMailbox {
  id: string;
  name: string;
  state: string;
  lastError: string | null;
}

async function listed(winnow: TestWinnow): Promise<ListedMailbox[]> {
  return (await api(winnow, 'GET', '/api/mailboxes')).body.mailboxes as ListedMailbox[];
}

async function add(winnow: TestWinnow, local: string, name: string, pass?: string): Promise<string> {
  const { status, body } = await api(winnow, 'POST', '/api/mailboxes', mailboxFor(local, name, pass));
  expect(status, JSON.stringify(body)).toBe(201);
  return body.id as string;
}

describe('two mailboxes added through the API', () => {
  it('each answers the request that came to it, from its own address', async () => {
    const { logger, lines } = capturedLog('debug');
    const winnow = await startWith('me', logger);
    const work = await add(winnow, 'work', 'Work');
    const home = await add(winnow, 'home', 'Home');
    await until(async () => (await listed(winnow)).filter((mailbox) => mailbox.state === 'connected').length === 3, 15_000, 'all three mailboxes to connect');

    const workAddress = suite.sandbox.user('work').address;
    const homeAddress = suite.sandbox.user('home').address;
    const ann = { name: 'Ann Worker', address: 'ann.worker@example.org' };
    const hal = { name: 'Hal Homer', address: 'hal.homer@example.org' };
    await suite.sandbox.deliver(workAddress, await oldLinkedInInvitation(ann, workAddress, '<mbx-work-1@linkedin.example>'));
    await suite.sandbox.deliver(homeAddress, await oldLinkedInInvitation(hal, homeAddress, '<mbx-home-1@linkedin.example>'));

    const toAnn = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(ann.address), 20_000);
    const toHal = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(hal.address), 20_000);
    expect(toAnn.envelopeFrom).toBe(workAddress);
    expect(toAnn.headers.get('from')).toBe(`Work Desk <${workAddress}>`);
    expect(toHal.envelopeFrom).toBe(homeAddress);
    expect(toHal.headers.get('from')).toBe(`Home Desk <${homeAddress}>`);

    const annRecord = await winnow.waitForContact((contact) => contact.email === ann.address && contact.status === 'asked');
    const halRecord = await winnow.waitForContact((contact) => contact.email === hal.address && contact.status === 'asked');
    expect(annRecord.mailbox).toBe(work);
    expect(halRecord.mailbox).toBe(home);
    // The copy of each script is filed in the Sent folder of the mailbox it went from.
    await until(async () => (await suite.sandbox.messages(workAddress, 'Sent')).length === 1 && (await suite.sandbox.messages(homeAddress, 'Sent')).length === 1, 10_000, 'the copies in each Sent');
    expect((await suite.sandbox.messages(suite.sandbox.user('me').address, 'Sent')).length).toBe(0);

    // No password in clear anywhere in Redis, nor in the log: the records hold them sealed.
    expect(await redisHolds(winnow, SANDBOX_PASSWORD)).toEqual([]);
    const record = await winnow.runtime.redis.hgetall(serverKeys(winnow.config.redis.prefix).mailboxes.record(work));
    expect(record.imapPass).toMatch(/^wsec:v1:/);
    expect(record.smtpPass).toMatch(/^wsec:v1:/);
    expect(lines.filter((line) => line.includes(`"${SANDBOX_PASSWORD}"`) || line.includes(`:${SANDBOX_PASSWORD}@`))).toEqual([]);
  });
});

describe('a mailbox removed', () => {
  it('stops being watched within the lease, and its mail is no longer answered', async () => {
    const winnow = await startWith('me2');
    const side = await add(winnow, 'side', 'Side');
    const lease = mailboxKeys(winnow.config.redis.prefix, side).lease;
    await until(async () => (await listed(winnow)).find((mailbox) => mailbox.id === side)?.state === 'connected', 15_000, 'the added mailbox to connect');
    expect(await winnow.runtime.redis.exists(lease)).toBe(1);

    const removedAt = Date.now();
    expect((await api(winnow, 'DELETE', `/api/mailboxes/${side}`)).status).toBe(200);
    await until(async () => (await winnow.runtime.redis.exists(lease)) === 0 && !winnow.runtime.supervisor!.watchers().has(side), winnow.config.mailboxLeaseMs, 'the watcher to let the mailbox go');
    expect(Date.now() - removedAt).toBeLessThan(winnow.config.mailboxLeaseMs);
    expect((await listed(winnow)).map((mailbox) => mailbox.id)).not.toContain(side);
    // Nothing of it is left behind: no cursor, no health.
    const own = mailboxKeys(winnow.config.redis.prefix, side);
    await until(async () => (await winnow.runtime.redis.exists(own.cursor, own.health)) === 0, 5000, 'the removed mailbox\'s keys to go');

    const sideAddress = suite.sandbox.user('side').address;
    const gus = { name: 'Gus Late', address: 'gus.late@example.org' };
    await suite.sandbox.deliver(sideAddress, await oldLinkedInInvitation(gus, sideAddress, '<mbx-side-1@linkedin.example>'));
    // The main mailbox still works: a request to it is answered, and by then the other would have been too.
    const me = suite.sandbox.user('me2').address;
    const kim = { name: 'Kim Main', address: 'kim.main@example.org' };
    await suite.sandbox.deliver(me, await oldLinkedInInvitation(kim, me, '<mbx-main-2@linkedin.example>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(kim.address), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(suite.scriptsTo(gus.address)).toEqual([]);
  });
});

describe('a wrong password on one mailbox', () => {
  it('leaves the others working and shows advice on that one', async () => {
    const winnow = await startWith('me3');
    const other = await add(winnow, 'other', 'Other', 'not-the-password');
    await until(async () => (await listed(winnow)).find((mailbox) => mailbox.id === other)?.state === 'failing', 15_000, 'the mailbox with the wrong password to fail');
    const failing = (await listed(winnow)).find((mailbox) => mailbox.id === other)!;
    expect(failing.lastError).toMatch(/refused the login/);
    // Advice in the mailbox's own terms: its fields, not the environment's.
    expect(failing.lastError).toContain('imap.pass');
    expect(failing.lastError).not.toContain('IMAP_PASS');
    expect((await listed(winnow)).find((mailbox) => mailbox.id === 'primary')?.state).toBe('connected');
    // The overview says so, with the advice.
    const session = await login(winnow.runtime.app!);
    const overview = parseHtml((await winnow.runtime.app!.inject({ method: 'GET', url: '/', cookies: { winnow_session: session } })).body);
    const need = all(overview, '.needs-you li.need').find((item) => text(item).includes('Mailbox “Other” is not connecting'));
    expect(need && text(need)).toContain('refused the login');

    const me = suite.sandbox.user('me3').address;
    const lou = { name: 'Lou Fine', address: 'lou.fine@example.org' };
    await suite.sandbox.deliver(me, await oldLinkedInInvitation(lou, me, '<mbx-main-3@linkedin.example>'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(lou.address), 20_000);
    expect(script.envelopeFrom).toBe(me);
    expect(await redisHolds(winnow, 'not-the-password')).toEqual([]);
  });
});

/**
 * Every key of this Winnow's Redis with a string, hash field, list, set or stream value that is
 * `needle` or holds it as a JSON string (the sandbox's password is a common word, so not merely
 * any value that contains it).
 */
function redisHolds(winnow: TestWinnow, needle: string): Promise<string[]> {
  return keysHolding(winnow.runtime.redis, winnow.config.redis.prefix, (value) => value === needle || value.includes(JSON.stringify(needle)));
}
