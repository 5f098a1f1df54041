import { describe, expect, it } from 'vitest';
import { fold } from '../../src/text/fold.ts';

describe('the one fold', () => {
  it('makes "Strauß" and "strauss" one word, and spells out the letters that have no accent to remove', () => {
    expect(fold('Strauß')).toBe('strauss');
    expect(fold('STRAUẞ')).toBe('strauss');
    expect(fold('Ærøskøbing Œuvre Łódź Đorđe Þór')).toBe('aeroskobing oeuvre lodz dorde thor');
  });

  it('removes accents and compatibility forms: ligatures and full-width letters read as typed', () => {
    expect(fold('Zoë Müller, intéressé, mañana')).toBe('zoe muller, interesse, manana');
    expect(fold('ﬁnance Ｊａｎｅ')).toBe('finance jane');
  });

  it('makes curly quotes and dashes straight and whitespace single', () => {
    expect(fold('  I’d  “love” —\tto\nconnect ')).toBe(`i'd "love" - to connect`);
  });

  it('leaves a folded text as it is', () => {
    const once = fold('Jürgen Groß – „Grüße“');
    expect(fold(once)).toBe(once);
  });
});
