import { describe, expect, it } from 'vitest';
import { platformLabel, scriptVariables } from '../../src/script/render.ts';

const input = {
  name: 'Ada Lovelace',
  firstName: 'Ada',
  platform: 'linkedin',
  userName: 'Grace Hopper',
  originalSubject: 'I want to connect',
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
    });
  });

  it('greets by first name, or with "Hi there," when the request does not tell one', () => {
    expect(scriptVariables({ ...input, firstName: ' Ada\n' }).greeting).toBe('Hi Ada,');
    expect(scriptVariables({ ...input, firstName: ' \u0000 ' }).greeting).toBe('Hi there,');
  });

  it('turns line breaks and control characters into single spaces and trims', () => {
    const vars = scriptVariables({
      ...input,
      name: '  Eve\r\nBcc: victim@example.com\u0000\t\u2028x  ',
      firstName: '\u202eEve\u202c',
    });
    expect(vars.name).toBe('Eve Bcc: victim@example.com x');
    expect(vars.firstName).toBe('Eve');
  });

  it('caps every value at 200 characters without splitting a character', () => {
    const vars = scriptVariables({ ...input, name: 'a'.repeat(199) + '😀'.repeat(10), userName: 'b'.repeat(1000) });
    expect(vars.name).toBe('a'.repeat(199));
    expect(vars.userName).toHaveLength(200);
  });

  it('drops reply prefixes from the original subject, so "Re: " is not doubled', () => {
    expect(scriptVariables({ ...input, originalSubject: 'RE: Re[2]: AW:  Let us connect' }).originalSubject).toBe('Let us connect');
    expect(scriptVariables({ ...input, originalSubject: 'Regarding our meeting' }).originalSubject).toBe('Regarding our meeting');
  });

  it('gives empty strings for empty values', () => {
    const vars = scriptVariables({ name: '', firstName: ' ', platform: '', userName: '', originalSubject: '\r\n' });
    expect(vars).toEqual({ name: '', firstName: '', platform: '', userName: '', originalSubject: '', greeting: 'Hi there,' });
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
