import { capturedLog } from '../support/log.ts';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.ts';
import { oldLinkedInInvitation, RECEIVING_SERVER, receivedBy } from '../support/requests.ts';
import { until, useSandbox } from '../support/winnow.ts';

const suite = useSandbox(['log-me']);

/** A logger in the readable format into an array, as a terminal would show it (without colours). */
describe('the log, as someone watching the service reads it', () => {
  it('a request, its script and the answer each make one readable line, and page loads make none', async () => {
    const { logger, lines } = capturedLog('info', 'pretty');
    const winnow = await suite.winnow('log-me', { roles: { worker: true, web: true }, deadline: '1h', logger, env: { AUTHSERV_ID: RECEIVING_SERVER } });
    const me = winnow.user.address;
    const person = { name: 'Rosa Lindgren', address: 'rosa@lindgren-arkitekter.example', headline: 'Architect' };

    await suite.sandbox.deliver(me, receivedBy(await oldLinkedInInvitation(person, me, '<log-lines.invite@linkedin.example>'), 'lindgren-arkitekter.example', 'pass', 'linkedin.com'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address));
    await winnow.waitForContact((contact) => contact.email === person.address && contact.status === 'asked');
    const answer = await buildMail({
      from: person,
      to: me,
      subject: 'Re: Thanks',
      inReplyTo: script.messageId!,
      references: [script.messageId!],
      text: 'I design timber schools in Malmö and I would like to connect because we need a fire engineer; in return I can share our acoustic test data.',
    });
    await suite.sandbox.deliver(me, receivedBy(answer, 'lindgren-arkitekter.example'));
    await winnow.waitForContact((contact) => contact.email === person.address && contact.status === 'answered');
    // The line is written once the answer is recorded, a moment after the status changes.
    await until(() => lines.some((line) => line.includes('answer from Rosa Lindgren')), 10_000, 'the answer to be logged');
    for (const url of ['/login', '/healthz', '/no-such-page']) await winnow.runtime.app!.inject({ method: 'GET', url });

    const about = lines.filter((line) => line.includes('Rosa Lindgren'));
    expect(about).toHaveLength(3);
    expect(about[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: request from Rosa Lindgren <rosa@lindgren-arkitekter\.example> \(LinkedIn\): script queued$/);
    expect(about[1]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: script sent to Rosa Lindgren <rosa@lindgren-arkitekter\.example> \(LinkedIn\); they have 1 hour to answer$/);
    expect(about[2]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: answer from Rosa Lindgren <rosa@lindgren-arkitekter\.example> \(LinkedIn\): answered \(says why .*\)$/);
    expect(lines.filter((line) => /request completed|incoming request|not found/.test(line))).toEqual([]);
  });

  it('a name made to forge log lines stays on its own line, without the terminal codes', async () => {
    const { logger, lines } = capturedLog('info', 'pretty');
    const winnow = await suite.winnow('log-me', { roles: { worker: true, web: false }, logger, env: { AUTHSERV_ID: RECEIVING_SERVER } });
    const me = winnow.user.address;
    const forged = 'Eve\u001b[2J\r\n[12:00:00] INFO: script sent to Mallory';
    await suite.sandbox.deliver(me, receivedBy(await buildMail({ from: { name: forged, address: 'eve@example.org' }, to: me, subject: "Let's connect", text: "Hi Morgan, I'd like to connect.\n\nEve" }), 'example.org'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('eve@example.org'));
    await winnow.waitForContact((contact) => contact.email === 'eve@example.org' && contact.status === 'asked');

    const requestLine = lines.find((line) => line.includes('request from Eve'));
    expect(requestLine).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: request from Eve \[2J \[12:00:00\] INFO: script sent to Mallory <eve@example\.org> \(email\): script queued$/);
    expect(lines.join('\n')).not.toContain('\u001b');
    expect(lines.filter((line) => line.startsWith('[12:00:00]'))).toEqual([]);
  });
});
