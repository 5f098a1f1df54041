import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.ts';
import { parsePrometheusText, type Scrape } from '../support/prometheus.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { until, useSandbox, type TestWinnow } from '../support/winnow.ts';

/**
 * /metrics as a user deploys Winnow: two worker processes and a web process on one Redis (here
 * three runtimes with connections of their own, sharing nothing but Redis). The workers count;
 * the one URL Prometheus scrapes shows the totals.
 */

const suite = useSandbox(['me1', 'me2', 'alice', 'bob', 'carol']);

async function scrape(web: TestWinnow): Promise<Scrape> {
  const response = await web.runtime.app!.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${web.config.web.apiToken}` } });
  expect(response.statusCode).toBe(200);
  return parsePrometheusText(response.body);
}

/** Two workers and a web process on the same keys, as `docker compose` runs them. */
async function deployment(user: string) {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const worker = await suite.winnow(user, { prefix });
  // The second worker waits for the mailbox lease, but takes jobs at once.
  const spare = await suite.winnow(user, { prefix, waitForWatcher: false });
  const web = await suite.winnow(user, { prefix, roles: { worker: false, web: true } });
  // The watcher records its connection just after it says it is connected.
  await until(async () => (await scrape(web)).value('winnow_imap_connected') === 1, 10_000, 'the mailbox to show as connected');
  return { worker, spare, web };
}

describe('/metrics on the web process', () => {
  it('counts each real request, script and answer that worker processes handled', async () => {
    const { worker, web } = await deployment('me1');
    const before = await scrape(web);
    expect(before.value('winnow_imap_connections_total')).toBe(1);

    const bob = suite.sandbox.user('bob');
    await suite.sandbox.deliver(worker.user.address, await oldLinkedInInvitation({ name: 'Bob Builder', address: bob.address }, worker.user.address, '<invite-m1@linkedin.example>'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(bob.address));
    await worker.waitForContact((contact) => contact.email === bob.address && contact.status === 'asked');

    const first = await scrape(web);
    expect(first.value('winnow_requests_total', { platform: 'linkedin' })).toBe(before.value('winnow_requests_total', { platform: 'linkedin' }) + 1);
    expect(first.value('winnow_requests_total', { platform: 'email' })).toBe(before.value('winnow_requests_total', { platform: 'email' }));
    expect(first.value('winnow_scripts_sent_total')).toBe(before.value('winnow_scripts_sent_total') + 1);
    // The script followed its request within seconds: one observation in the smallest buckets.
    expect(first.value('winnow_script_delay_seconds_count')).toBe(1);
    expect(first.value('winnow_script_delay_seconds_bucket', { le: '60' })).toBe(1);
    expect(first.value('winnow_script_delay_seconds_sum')).toBeLessThan(60);

    const text = 'Hi Morgan,\n\nI build timber houses and am looking for a structural engineer to work with.\n';
    const answer = { from: { name: 'Bob Builder', address: bob.address }, to: worker.user.address, subject: 'Re: Invitation to connect on LinkedIn', inReplyTo: script.messageId!, references: [script.messageId!], text };
    const answered = await suite.sandbox.deliver(worker.user.address, await buildMail(answer));
    await worker.waitForContact((contact) => contact.email === bob.address && contact.status === 'answered');
    // The count follows the status change by a command or two: the job's end is after both.
    await worker.settle(answered.uid);
    const afterAnswer = await scrape(web);
    expect(afterAnswer.value('winnow_answers_total', { kind: 'answered' })).toBe(1);
    expect(afterAnswer.value('winnow_answers_total', { kind: 'declined' })).toBe(0);
    // The answer is no new request and no script.
    expect(afterAnswer.value('winnow_requests_total', { platform: 'linkedin' })).toBe(first.value('winnow_requests_total', { platform: 'linkedin' }));
    expect(afterAnswer.value('winnow_scripts_sent_total')).toBe(first.value('winnow_scripts_sent_total'));

    // A second person: one more script, one more request. The same invitation again: neither.
    const carol = suite.sandbox.user('carol');
    const { uid } = await suite.sandbox.deliver(worker.user.address, await oldLinkedInInvitation({ name: 'Carol Client', address: carol.address }, worker.user.address, '<invite-m2@linkedin.example>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(carol.address));
    await worker.waitForContact((contact) => contact.email === carol.address && contact.status === 'asked');
    const again = await suite.sandbox.deliver(worker.user.address, await oldLinkedInInvitation({ name: 'Carol Client', address: carol.address }, worker.user.address, '<invite-m2@linkedin.example>'));
    await worker.settle(Math.max(uid, again.uid));
    const second = await scrape(web);
    expect(second.value('winnow_scripts_sent_total')).toBe(first.value('winnow_scripts_sent_total') + 1);
    expect(second.value('winnow_requests_total', { platform: 'linkedin' })).toBe(first.value('winnow_requests_total', { platform: 'linkedin' }) + 1);
    expect(suite.scriptsTo(carol.address)).toHaveLength(1);
    expect(second.value('winnow_queue_jobs', { queue: 'send', state: 'failed' })).toBe(0);
    expect(second.value('winnow_queue_jobs', { queue: 'deadline', state: 'delayed' })).toBe(1);
  });

  it('counts the reconnection after IMAP went down, and shows the mailbox unwatched once no worker runs', async () => {
    const { worker, spare, web } = await deployment('me2');
    expect((await scrape(web)).value('winnow_imap_connections_total')).toBe(1);

    await suite.sandbox.imapRestart();
    await until(async () => (await scrape(web)).value('winnow_imap_connections_total') === 2, 30_000, 'the watcher to reconnect');
    expect((await scrape(web)).value('winnow_imap_connected')).toBe(1);

    // The spare first, so that it cannot take the mailbox over when the watcher lets it go.
    await spare.stop();
    await worker.stop();
    expect((await scrape(web)).value('winnow_imap_connected')).toBe(0);
  });
});
