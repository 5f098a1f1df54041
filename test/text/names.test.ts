import { describe, expect, it } from 'vitest';
import { firstNameOf, nameKeys, normaliseName } from '../../src/text/names.ts';

describe('name rules', () => {
  it('one list of titles serves greeting and comparing: "Sra.", "Dott.", "Ing.", "Dame" are titles to both', () => {
    expect(firstNameOf('Sra. Lucía García')).toBe('Lucía');
    expect(firstNameOf('Dott. Giulia Rossi')).toBe('Giulia');
    expect(firstNameOf('Ing. Hans Müller')).toBe('Hans');
    expect(normaliseName('Dame Judi Dench')).toBe('judi dench');
    expect(normaliseName('Dott. Giulia Rossi')).toBe('giulia rossi');
  });

  it('compares names through the one fold: "Strauß, Johann" is "Johann Strauss"', () => {
    expect(normaliseName('Strauß, Johann')).toBe(normaliseName('Johann Strauss'));
    expect(nameKeys('Jürgen Q. Groß')).toEqual(['jurgen q gross', 'jurgen gross']);
  });

  it('keeps names that look like degrees: "Long, Ma" is Ma Long', () => {
    expect(normaliseName('Long, Ma')).toBe('ma long');
  });
});
