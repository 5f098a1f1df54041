import { describe, expect, it } from 'vitest';
import { isRefusal, readAnswer, stripQuoted } from '../../src/detect/answer.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { buildMail, type MailFields } from '../support/mail.ts';

/** Answers here are constructed (test/support/mail.ts), in the shapes common mail clients write. */

async function answerTo(fields: MailFields) {
  return readAnswer(await parseMessage(await buildMail({ from: 'jane@example.org', to: 'morgan@example.test', subject: 'Re: Thanks for wanting to connect', ...fields })));
}

describe('stripQuoted', () => {
  it.each([
    ['Gmail attribution', 'I build timber houses.\n\nOn Tue, 5 Mar 2024 at 10:00, Morgan Example <morgan@example.test> wrote:\n> Why would you like to connect?\n> Morgan'],
    ['attribution wrapped over two lines', 'I build timber houses.\n\nOn Tue, 5 Mar 2024 at 10:00, Morgan Example <\nmorgan@example.test> wrote:\n\n> Why would you like to connect?'],
    ['"> " lines only', 'I build timber houses.\n> Why would you like to connect?\n>> older'],
    ['signature', 'I build timber houses.\n-- \nJane Doe\nCEO, Example Timber'],
    ['Sent from my iPhone', 'I build timber houses.\n\nSent from my iPhone\n\n> Why would you like to connect?'],
    ['Outlook original message', 'I build timber houses.\n\n-----Original Message-----\nFrom: Morgan Example\nSent: Tuesday, March 5, 2024 10:00 AM\nWhy would you like to connect?'],
    ['Outlook header block', 'I build timber houses.\n\n________________________________\nFrom: Morgan Example <morgan@example.test>\nSent: Tuesday, March 5, 2024 10:00 AM\nTo: Jane Doe\nSubject: Thanks\n\nWhy would you like to connect?'],
    ['Outlook header block without a rule', 'I build timber houses.\n\nFrom: Morgan Example <morgan@example.test>\nSent: Tuesday, March 5, 2024 10:00 AM\nWhy would you like to connect?'],
    ['CRLF line ends', 'I build timber houses.\r\n\r\nOn Tue, 5 Mar 2024, Morgan wrote:\r\n> Why?'],
  ])('cuts the quote: %s', (_name, text) => {
    expect(stripQuoted(text)).toBe('I build timber houses.');
  });

  it('keeps prose that merely starts with "On" or "From:"', () => {
    const text = 'On Monday I met your colleague.\nFrom: the timber fair in Hamburg, where we spoke.\non reflection, this is what I wrote:\nThat is why.';
    expect(stripQuoted(text)).toBe(text);
  });

  it('returns nothing for a reply that is all quote', () => {
    expect(stripQuoted('On Tue, 5 Mar 2024, Morgan wrote:\n> Why?')).toBe('');
  });
});

describe('readAnswer', () => {
  it('returns the new text of a substantive answer as "answered"', async () => {
    const answer = await answerTo({
      text: 'Hi Morgan,\n\nI run a structural engineering firm; we could send each other timber projects.\n\nJane\n\nOn Tue, 5 Mar 2024 at 10:00, Morgan Example <morgan@example.test> wrote:\n> Thank you for wanting to connect.\n',
    });
    expect(answer).toEqual({ kind: 'answered', text: 'Hi Morgan,\n\nI run a structural engineering firm; we could send each other timber projects.\n\nJane' });
  });

  it('reads an HTML-only answer as text, without the quoted blockquote', async () => {
    const answer = await answerTo({
      html: '<div dir="ltr">We make <b>CLT panels</b> &amp; want architects.<br></div><div class="gmail_quote"><div class="gmail_attr">On Tue, 5 Mar 2024 at 10:00, Morgan wrote:<br></div><blockquote>Why would you like to connect?</blockquote></div>',
    });
    expect(answer.kind).toBe('answered');
    expect(answer.text).toBe('We make CLT panels & want architects.');
  });

  it.each([
    'Not interested.',
    'No thanks',
    'No, thank you.',
    'Please remove me from your list.',
    'unsubscribe',
    'Who are you?',
    'Stop emailing me!',
    "Don't contact me again.",
    'Thanks for asking. Not interested, please remove me.',
    'Never mind, I withdraw my request.',
    'No.',
    'This is spam.',
    'Hi Morgan,\n\nno thanks.\n\nJane',
    "I'm not interested in connecting.",
  ])('"%s" is declined', async (text) => {
    expect((await answerTo({ text })).kind).toBe('declined');
  });

  it.each([
    "I'm not interested in a sales pitch, but I run a logistics firm and we could share warehouse space.",
    'Not interested in buying anything; I want to connect because we both design timber bridges in Hamburg and could share clients.',
    'Who am I? I run the structural team at Example Timber, and we could use an architect who knows CLT.',
    'No, I have not met you yet - we both spoke at the Timber Summit and I would like to compare notes on mass timber codes.',
    'Thanks! We build passive houses, and a connection would help both of us find clients.',
    'Not interested in selling you anything, just admire your work.',
    "No thanks necessary! I'm a carpenter.",
    '',
  ])('"%s" stays answered', async (text) => {
    expect((await answerTo({ text })).kind).toBe('answered');
  });

  it('a refusal below a quote is read from the new text only', async () => {
    const answer = await answerTo({ text: 'Not interested.\n\nOn Tue, 5 Mar 2024, Morgan wrote:\n> Why would you like to connect? What business are you in?' });
    expect(answer).toEqual({ kind: 'declined', text: 'Not interested.' });
  });

  it('a long answer that ends in "no thanks" is not a refusal', () => {
    const long = `${'We make timber frames for schools and hospitals across the north. '.repeat(3)}Coffee? No thanks, I drink tea.`;
    expect(isRefusal(long)).toBe(false);
  });

  it('control characters and bidi overrides are removed from the text', async () => {
    const answer = await answerTo({ text: 'We build\u202e houses\u0007 together.' });
    expect(answer.text).toBe('We build houses together.');
  });
});
