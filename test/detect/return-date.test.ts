import { describe, expect, it } from 'vitest';
import { parseReturnDate, utcOffsetOf } from '../../src/detect/return-date.ts';
import type { Language } from '../../src/vocabulary/contact.ts';

/**
 * Constructed out-of-office sentences (not real samples), one table per language. Each row: the
 * note, the mail's Date header, and when the person is back, as an ISO instant (the start of that
 * day in the mail's own zone), or null when the note states no date we may trust.
 */

function returnOf(text: string, date: string, languages?: Language[]): string | null {
  const found = parseReturnDate(text, { sentAt: Date.parse(date), utcOffsetMinutes: utcOffsetOf(date), languages });
  return found ? new Date(found.at).toISOString() : null;
}

const WINTER = 'Mon, 21 Dec 2026 09:00:00 +0100';

describe('utcOffsetOf', () => {
  it.each([
    ['Tue, 17 Dec 2019 11:53:10 +0900', 540],
    ['Thu, 29 Apr 2012 23:34:45 -0700', -420],
    ['Fri, 18 Jul 2014 07:31:02 +0000 (UTC)', 0],
    ['Fri, 18 Jul 2014 07:31:02 GMT', 0],
    ['Fri, 18 Jul 2014 07:31:02 EST', -300],
    ['Fri, 18 Jul 2014 07:31:02 +9999', 0],
    ['nonsense', 0],
  ])('%s → %i minutes', (header, minutes) => {
    expect(utcOffsetOf(header)).toBe(minutes);
  });

  it('no header is UTC', () => {
    expect(utcOffsetOf(null)).toBe(0);
  });
});

describe.each<[Language, Array<[string, string, string | null]>]>([
  [
    'en',
    [
      ['I am out of the office and back on 3 December.', 'Fri, 28 Nov 2025 10:00:00 +0000', '2025-12-03T00:00:00.000Z'],
      ['Out of office, returning Monday 12/1.', 'Wed, 26 Nov 2025 10:00:00 -0500', '2025-12-01T05:00:00.000Z'],
      // 12/1 is 12 January when the weekday says so, even in English.
      ['Returning Tuesday 12/1.', 'Wed, 23 Dec 2026 10:00:00 +0000', '2027-01-12T00:00:00.000Z'],
      ['I am on vacation until January 4th, 2027.', WINTER, '2027-01-04T23:00:00.000Z'],
      ['I will be back in the office on Monday, January 11.', WINTER, '2027-01-10T23:00:00.000Z'],
      ['Away from 24 December to 3 January.', WINTER, '2027-01-03T23:00:00.000Z'],
      ["I'm out of the office Friday.", 'Wed, 17 Jul 2013 23:34:45 +0000', '2013-07-20T00:00:00.000Z'],
      ['Back 2027-01-04.', WINTER, '2027-01-03T23:00:00.000Z'],
      ['Back tomorrow.', WINTER, '2026-12-21T23:00:00.000Z'],
      ['I am away from 1 January.', WINTER, null],
      ['I am out of the office.', WINTER, null],
      ['Version 12.5 is out.', WINTER, null],
      // A note left on after the return date: the date is past, so no pause from it.
      ['I am back on 3 December.', WINTER, null],
      ['Back on 3 December 2029.', WINTER, null],
    ],
  ],
  [
    'de',
    [
      ['Ich bin bis einschließlich 12.01.2027 nicht im Büro.', WINTER, '2027-01-12T23:00:00.000Z'],
      ['Ich bin bis einschliesslich 12.01.2027 nicht im Buero.', WINTER, '2027-01-12T23:00:00.000Z'],
      ['Ich bin vom 20.12. – 06.01. im Urlaub.', WINTER, '2027-01-06T23:00:00.000Z'],
      ['Ab dem 12.01. bin ich wieder im Büro.', WINTER, '2027-01-11T23:00:00.000Z'],
      ['Ich bin bis zum 7. Januar 2027 abwesend.', WINTER, '2027-01-07T23:00:00.000Z'],
      ['Am Montag bin ich wieder erreichbar.', WINTER, '2026-12-27T23:00:00.000Z'],
      ['Wieder im Büro am Montag, 4. Januar.', WINTER, '2027-01-03T23:00:00.000Z'],
      ['Ich bin ab dem 24.12. im Urlaub.', WINTER, null],
    ],
  ],
  [
    'fr',
    [
      ['Je suis absent, de retour le 5 janvier.', WINTER, '2027-01-04T23:00:00.000Z'],
      ["Je suis en congés jusqu'au 4 janvier inclus.", WINTER, '2027-01-04T23:00:00.000Z'],
      ['Absent du 21 décembre au 1er janvier.', WINTER, '2027-01-01T23:00:00.000Z'],
      ['À partir du 6 janvier, je serai de retour au bureau.', WINTER, '2027-01-05T23:00:00.000Z'],
      ['Je suis absent. De retour lundi.', WINTER, '2026-12-27T23:00:00.000Z'],
    ],
  ],
  [
    'es',
    [
      ['Estoy fuera de la oficina hasta el 7 de enero.', WINTER, '2027-01-07T23:00:00.000Z'],
      ['Vuelvo el 8 de enero de 2027.', WINTER, '2027-01-07T23:00:00.000Z'],
      ['Estaré de vuelta el lunes.', WINTER, '2026-12-27T23:00:00.000Z'],
    ],
  ],
  [
    'pt',
    [
      ['Estou ausente até 10 de janeiro.', 'Mon, 21 Dec 2026 09:00:00 +0000', '2027-01-11T00:00:00.000Z'],
      ['Estarei de volta em 11 de janeiro de 2027.', 'Mon, 21 Dec 2026 09:00:00 -0300', '2027-01-11T03:00:00.000Z'],
      ['Volto na segunda-feira.', 'Mon, 21 Dec 2026 09:00:00 -0300', '2026-12-28T03:00:00.000Z'],
    ],
  ],
  [
    'it',
    [
      ['Sono fuori sede fino al 9 gennaio.', WINTER, '2027-01-09T23:00:00.000Z'],
      ['Rientrerò in ufficio il 7 gennaio.', WINTER, '2027-01-06T23:00:00.000Z'],
      ['Sono in ferie dal 21/12 al 6/1.', WINTER, '2027-01-06T23:00:00.000Z'],
    ],
  ],
  [
    'nl',
    [
      ['Ik ben afwezig tot en met 8 januari.', WINTER, '2027-01-08T23:00:00.000Z'],
      ['Ik ben t/m 8-1-2027 met vakantie.', WINTER, '2027-01-08T23:00:00.000Z'],
      ['Vanaf maandag 4 januari ben ik weer aanwezig.', WINTER, '2027-01-03T23:00:00.000Z'],
    ],
  ],
])('return dates in %s (constructed)', (language, rows) => {
  it.each(rows)('"%s" sent %s → %s', (text, date, expected) => {
    expect(returnOf(text, date, language === 'en' ? ['en'] : [language, 'en'])).toBe(expected);
  });
});

describe('return dates: bounds and bad input', () => {
  it('reads every language when none is named', () => {
    expect(returnOf('Ik ben afwezig tot en met 8 januari.', WINTER)).toBe('2027-01-08T23:00:00.000Z');
  });

  it('a stated return beats an end of absence', () => {
    expect(returnOf('Out until 4 January; back in the office on 6 January.', WINTER, ['en'])).toBe('2027-01-05T23:00:00.000Z');
  });

  it('without a Date header only dates with a year count', () => {
    expect(parseReturnDate('Back on 3 January.', { sentAt: null, utcOffsetMinutes: 0 })).toBeNull();
    expect(parseReturnDate('Back on 3 January 2027.', { sentAt: null, utcOffsetMinutes: 0 })?.at).toBe(Date.parse('2027-01-03T00:00:00Z'));
  });

  it('impossible dates are no dates', () => {
    expect(returnOf('Back on 31 February.', WINTER, ['en'])).toBeNull();
    expect(returnOf('Bis 32.01.2027 nicht im Büro.', WINTER, ['de'])).toBeNull();
  });

  it('a giant note full of dates is cut and read without throwing', () => {
    const text = 'bis 12.01.2027 und 1/2/2027 und back on 3 January '.repeat(20_000);
    expect(returnOf(text, WINTER)).toBe('2027-01-02T23:00:00.000Z');
  });
});
