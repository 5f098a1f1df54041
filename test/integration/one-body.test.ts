import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { useSandbox } from '../support/winnow.ts';
import { hiddenCsrf, login, PASSWORD } from '../web/helpers.ts';

/**
 * The one-body script on real servers: the user edits one message on the dashboard's form (with
 * its session and CSRF token, as a browser posts it), and the next request's script, read at the
 * SMTP peer, carries the change in both parts: the text part as written, the HTML part made from it.
 */

const suite = useSandbox(['editor1', 'editor2']);
const MAIL_MS = 20_000;

async function scriptTo(address: string) {
  const mail = await suite.sandbox.smtp.waitFor((received) => received.recipients.includes(address), MAIL_MS);
  const parsed = await simpleParser(mail.raw);
  return { subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '' };
}

describe('one message for both parts', { timeout: 45_000 }, () => {
  it('a message edited on the dashboard changes both the text and the HTML part of the next script', async () => {
    const winnow = await suite.winnow('editor1', { roles: { worker: true, web: true }, env: { DASHBOARD_PASSWORD: PASSWORD } });
    const app = winnow.runtime.app!;
    const session = await login(app);
    const page = await app.inject({ method: 'GET', url: '/templates/script', cookies: { winnow_session: session } });
    expect(page.body).toContain('<input type="hidden" name="format" value="one-body">');

    const message = [
      '{{greeting}}',
      '',
      'Before we connect on {{platform}}, two questions:',
      '- Why would you like to connect?',
      '- What is your line of business?',
      '',
      'My work is at https://example.com/work.',
      '',
      'Thanks,',
      '{{userName}}',
    ].join('\r\n');
    const saved = await app.inject({
      method: 'POST',
      url: '/templates/script',
      cookies: { winnow_session: session },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: hiddenCsrf(page.body), format: 'one-body', intent: 'save', subject: 'Two questions, {{firstName}}', body: message, note: 'two questions' }).toString(),
    });
    expect(saved.statusCode, saved.body).toBe(303);

    const person = { name: 'Alice Asker', address: 'alice.asker@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation(person, winnow.user.address, '<one-body-1@linkedin.example>'));
    const script = await scriptTo(person.address);
    expect(script.subject).toBe('Two questions, Alice');
    expect(script.text).toBe(
      'Hi Alice,\n\nBefore we connect on LinkedIn, two questions:\n- Why would you like to connect?\n- What is your line of business?\n\nMy work is at https://example.com/work.\n\nThanks,\nMorgan Example',
    );
    expect(script.html).toBe(
      [
        '<p>Hi Alice,</p>',
        '<p>Before we connect on LinkedIn, two questions:</p>',
        '<ul>',
        '<li>Why would you like to connect?</li>',
        '<li>What is your line of business?</li>',
        '</ul>',
        '<p>My work is at <a href="https://example.com/work">https://example.com/work</a>.</p>',
        '<p>Thanks,<br>',
        'Morgan Example</p>',
        '',
      ].join('\n'),
    );
  });

  it('the default script is one message too: its HTML part says what its text part says', async () => {
    const winnow = await suite.winnow('editor2');
    const person = { name: 'Bob Builder', address: 'bob.builder@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation(person, winnow.user.address, '<one-body-2@linkedin.example>'));
    const script = await scriptTo(person.address);
    expect(script.text.startsWith('Hi Bob,\n\nThank you for wanting to connect via LinkedIn.')).toBe(true);
    expect(script.html.startsWith('<p>Hi Bob,</p>\n<p>Thank you for wanting to connect via LinkedIn.')).toBe(true);
    // Paragraph by paragraph, the same words.
    const paragraphs = script.text.split('\n\n').map((paragraph) => paragraph.replace(/^\d+\. /gm, '').replace(/\n/g, ' ').trim());
    const htmlWords = script.html.replace(/<br>\n/g, ' ').replace(/<[^>]+>/g, '\n').replace(/&#x27;|&#39;/g, "'");
    for (const paragraph of paragraphs) for (const line of paragraph.split(/(?<=\?) /)) expect(htmlWords).toContain(line);
  });
});
