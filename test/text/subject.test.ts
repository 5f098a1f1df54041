import { describe, expect, it } from 'vitest';
import { isReplyOrForwardSubject, withoutReplyPrefixes } from '../../src/text/subject.ts';

describe('reply and forward prefixes', () => {
  it('knows the prefixes of every supported language, with counts and list tags', () => {
    for (const subject of ['Re: Hello', 'FWD: Hello', 'AW: Hallo', 'WG: Hallo', 'TR : Bonjour', 'RV: Hola', 'RES: Olá', 'ENC: Olá', 'R: Ciao', 'RIF: Ciao', 'I: Ciao', 'Antw: Hoi', 'Doorst: Hoi', 'SV: Hej', 'VS: Hei', 'VB: Hej', 'Re[2]: Hello', 'Re (3): Hello', '[timber-list] Re: Hello']) {
      expect(isReplyOrForwardSubject(subject), subject).toBe(true);
    }
    expect(isReplyOrForwardSubject('Regarding our call')).toBe(false);
    expect(isReplyOrForwardSubject('Invitation: Re-connect')).toBe(false);
  });

  it('takes every leading prefix off, whatever the language, and nothing else', () => {
    expect(withoutReplyPrefixes('Re: AW: Fwd: RV: Invitation')).toBe('Invitation');
    expect(withoutReplyPrefixes('re[2]: SV: Tack: Hej')).toBe('Tack: Hej');
    expect(withoutReplyPrefixes('Research: Re: results')).toBe('Research: Re: results');
  });
});
