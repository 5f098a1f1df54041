import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHeaders, parseMessage, type Message } from '../../src/mail/message.ts';
import { CASES } from '../detect/cases/index.ts';
import { realSamples } from '../detect/cases/real.ts';
import { HELDOUT_CASES } from '../detect/heldout/index.ts';
import { buildMail } from '../support/mail.ts';

/** What the two readings share: everything a message's header block says. */
function headerFields(message: Message) {
  const { text: _text, html: _html, reports: _reports, truncated: _truncated, ...fields } = message;
  return fields;
}

describe('reading a header block alone (the watcher, before it fetches a body)', () => {
  it('gives the same fields as reading the whole message, over the detection corpus', async () => {
    const sources = [...(await Promise.all([...CASES, ...HELDOUT_CASES].map((testCase) => testCase.build()))), ...realSamples().map((sample) => readFileSync(sample.path))];
    expect(sources.length).toBeGreaterThan(100);
    for (const source of sources) {
      const end = source.indexOf('\r\n\r\n') >= 0 ? source.indexOf('\r\n\r\n') + 4 : source.indexOf('\n\n') + 2;
      expect(headerFields(parseHeaders(source.subarray(0, end)))).toEqual(headerFields(await parseMessage(source)));
    }
  });

  it('decodes encoded words and groups as mailparser does', async () => {
    const source = await buildMail({
      from: { name: 'Jürgen Strauß', address: 'juergen@example.de' },
      to: ['Team: a@example.org, b@example.org;', 'c@example.org'],
      subject: 'Grüße aus München — ça va?',
      references: ['one@example.org', 'two@example.org'],
      text: 'body',
    });
    const headers = parseHeaders(source);
    expect(headers.from).toEqual({ name: 'Jürgen Strauß', address: 'juergen@example.de' });
    expect(headers.subject).toBe('Grüße aus München — ça va?');
    expect(headers.to.map((entry) => entry.address)).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
    expect(headers.references).toEqual(['one@example.org', 'two@example.org']);
    expect(headers.text).toBe('');
  });
});
