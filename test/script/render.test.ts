import { describe, expect, it } from 'vitest';
import { echoedSubject, nameLike, personVariables, SAMPLE_PERSON, scriptVariables } from '../../src/script/render.ts';
import { platformLabel } from '../../src/vocabulary/platforms.ts';
import { loadDefaultScript } from '../../src/script/template.ts';

const input = {
  name: 'Ada Lovelace',
  firstName: 'Ada',
  platform: 'linkedin',
  userName: 'Grace Hopper',
  originalSubject: 'I want to connect',
  authenticated: true,
};

describe('scriptVariables', () => {
  it('passes clean values through and labels the platform', () => {
    expect(scriptVariables(input)).toEqual({
      name: 'Ada Lovelace',
      firstName: 'Ada',
      platform: 'LinkedIn',
      userName: 'Grace Hopper',
      originalSubject: 'I want to connect',
      greeting: 'Hi Ada,',
      onPlatform: '',
      replyWhere: 'to this email',
    });
  });

  it('greets by first name, or with "Hi there," when the request does not tell one', () => {
    expect(scriptVariables({ ...input, firstName: ' Ada\n' }).greeting).toBe('Hi Ada,');
    expect(scriptVariables({ ...input, firstName: ' \u0000 ' }).greeting).toBe('Hi there,');
  });

  it('turns line breaks and control characters into single spaces and trims', () => {
    const vars = scriptVariables({
      ...input,
      name: '  Eve\r\n\u0000\tMallory\u2028x  ',
      firstName: '\u202eEve\u202c',
      userName: 'Grace\r\nBcc: victim@example.com',
    });
    expect(vars.name).toBe('Eve Mallory x');
    expect(vars.firstName).toBe('Eve');
    expect(vars.userName).toBe('Grace Bcc: victim@example.com');
  });

  it('caps the user\'s name at 200 characters without splitting a character', () => {
    const vars = scriptVariables({ ...input, userName: 'b'.repeat(199) + '😀'.repeat(10) });
    expect(vars.userName).toBe('b'.repeat(199));
  });

  it('drops reply prefixes from the original subject, so "Re: " is not doubled', () => {
    expect(scriptVariables({ ...input, originalSubject: 'RE: Re[2]: AW:  Let us connect' }).originalSubject).toBe('Let us connect');
    expect(scriptVariables({ ...input, originalSubject: 'Regarding our meeting' }).originalSubject).toBe('Regarding our meeting');
  });

  it('gives empty strings for empty values', () => {
    const vars = scriptVariables({ name: '', firstName: ' ', platform: '', userName: '', originalSubject: '\r\n', authenticated: true });
    expect(vars).toEqual({ name: '', firstName: '', platform: '', userName: '', originalSubject: '', greeting: 'Hi there,', onPlatform: '', replyWhere: 'to this email' });
  });
});

describe('what an outsider wrote', () => {
  it.each([
    ['a link', 'https://evil.example/prize'],
    ['a host name', 'evil.example'],
    ['www.', 'www.evil'],
    ['a host name with a full-width dot', 'evil．example'],
    ['a host name hidden by a zero-width space', 'evil\u200b.example'],
    ['an address', 'win@evil.example'],
    ['a phone number', '+1 555 0100'],
    ['digits', 'Ada2'],
    ['a sentence', 'Claim your free prize now at once please'],
    ['an emoji', '🎁'],
    ['punctuation', 'Ada!'],
  ])('a first name that is %s falls back to the neutral greeting', (_what, firstName) => {
    expect(scriptVariables({ ...input, firstName, name: firstName }).firstName).toBe('');
    expect(scriptVariables({ ...input, firstName, name: firstName }).name).toBe('');
  });

  it.each(['Ada', 'Jean-Luc', "O'Brien", 'Zoë', 'J. R.', 'Mary Ann', 'Łukasz', '李', 'Анна'])('keeps the name %s', (firstName) => {
    expect(nameLike(firstName, 40, 3)).toBe(firstName);
  });

  it('echoes the subject only for an authenticated sender', () => {
    expect(scriptVariables({ ...input, authenticated: false }).originalSubject).toBe('');
    expect(scriptVariables({ ...input, authenticated: true }).originalSubject).toBe('I want to connect');
  });

  it.each([
    'Let us connect https://evil.example/x',
    'Let us connect: evil.example',
    'Prize at www.evil',
    'Write to win@evil.example',
    'Connect? mailto:win',
    'Prize at evil。example',
  ])('leaves out a subject with anything link-like: %s', (subject) => {
    expect(echoedSubject(subject)).toBe('');
  });

  it('keeps ordinary subjects, times and versions included', () => {
    expect(echoedSubject('Re: Meeting at 10:30 about version 2.0')).toBe('Meeting at 10:30 about version 2.0');
  });

  it('cuts a long subject at a word, with an ellipsis', () => {
    const echoed = echoedSubject('word '.repeat(40));
    expect(echoed.length).toBeLessThanOrEqual(79);
    expect(echoed).toMatch(/^(word )+word…$/);
  });

  it('an unverified person gets no subject echoed; the sample person does', () => {
    expect(personVariables({ ...SAMPLE_PERSON, flags: ['unverified'] }, 'Grace').originalSubject).toBe('');
    expect(personVariables(SAMPLE_PERSON, 'Grace').originalSubject).toBe(SAMPLE_PERSON.subject);
  });
});

describe('the channel the script goes by', () => {
  const jane = { name: 'Jane Doe', firstName: 'Jane', platform: 'linkedin', subject: 'I want to connect', flags: [] };

  it('a person with no address, or asked on the platform, gets the script in the platform\'s message box: the default says "here on LinkedIn"', async () => {
    const script = await loadDefaultScript();
    for (const person of [{ ...jane, email: null }, { ...jane, email: null, channel: 'platform' as const }]) {
      const { text, html } = script.render(personVariables(person, 'Grace'));
      expect(text).toContain('A short reply here on LinkedIn is all it takes.');
      expect(text).not.toContain('this email');
      expect(html).toContain('A short reply here on LinkedIn is all it takes.');
    }
  });

  it('a script Winnow mails says "a reply to this email"; so does one to a person who asked by personal email', async () => {
    const script = await loadDefaultScript();
    for (const person of [{ ...jane, email: 'jane@example.org' }, { ...jane, platform: 'email', email: null }, SAMPLE_PERSON]) {
      const { text } = script.render(personVariables(person, 'Grace'));
      expect(text).toContain('A short reply to this email is all it takes.');
      expect(text).not.toContain('here on');
    }
  });
});

describe('platformLabel', () => {
  it.each([
    ['linkedin', 'LinkedIn'],
    ['email', 'email'],
    ['facebook', 'Facebook'],
    ['xing', 'XING'],
    ['LinkedIn', 'LinkedIn'],
    ['mastodon', 'Mastodon'],
  ])('%s → %s', (id, label) => {
    expect(platformLabel(id)).toBe(label);
  });
});
