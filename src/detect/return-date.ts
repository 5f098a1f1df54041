import { alternation } from '../text/regex.ts';
import { ALL_PHRASES, fold, PHRASES } from './phrases/index.ts';
import type { DateWords, LanguagePhrases } from './phrases/types.ts';
import type { Language } from '../vocabulary/contact.ts';

/**
 * The return date an out-of-office note states, relative to the mail's own Date: "back on
 * 3 December", "returning Monday 12/1", "bis einschließlich 12.01.2027", "de retour le 5 janvier",
 * "hasta el 7 de enero", "até 10 de janeiro", "fino al 9 gennaio", "tot en met 8 januari", ISO dates.
 * Pure: no clock, no time zone database; the mail's Date header supplies both "today" and the zone.
 *
 * A date after a return cue ("back on") is the first day back: the person returns at its start.
 * A date after an until cue ("until", "bis einschließlich", "tot en met"), or with no cue, is the
 * last day away: the person returns at the start of the next day. Reading "until 5 January" as
 * inclusive errs towards a longer pause, which costs the person nothing.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** Farthest return date believed; beyond it a note is more likely a typo or a sabbatical. */
export const MAX_ABSENCE_MS = 366 * DAY_MS;
/** Longest text searched: return dates are stated early, and the scan must stay cheap. */
const MAX_TEXT_CHARS = 20_000;
/** Most dates weighed in one note (a table of dates is not an out-of-office note). */
const MAX_DATES = 100;

export interface ReturnDate {
  /** When the person is back, in ms since the epoch. */
  at: number;
  /** What it rests on, folded: `back on "3 december"`. */
  basis: string;
}

export interface ReturnDateOptions {
  /** The mail's Date (ms since epoch); without it only dates with a year can be read. */
  sentAt: number | null;
  /** Offset of the mail's Date header from UTC in minutes (+60 for "+0100"). */
  utcOffsetMinutes: number;
  /** Languages whose month and weekday names to read, the text's own first. Default: all. */
  languages?: readonly Language[];
}

type CueKind = 'return' | 'until' | 'from' | 'none';

interface Found {
  index: number;
  end: number;
  text: string;
  /** Calendar dates it may mean (two for an ambiguous 12/1), most likely first. */
  dates: Array<{ year: number | null; month: number; day: number }>;
  weekday: number | null;
  relative: 'weekday' | 'tomorrow' | null;
}

const RFC822_ZONES: Record<string, number> = { ut: 0, gmt: 0, z: 0, utc: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

/** The UTC offset of a Date header ("Tue, 17 Dec 2019 11:53:10 +0900" → 540); 0 when it names none. */
export function utcOffsetOf(dateHeader: string | null): number {
  if (!dateHeader) return 0;
  const value = dateHeader.replace(/\([^()]*\)/g, ' ').trim();
  const numeric = /([+-])(\d{2}):?(\d{2})\s*$/.exec(value);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return minutes > 14 * 60 ? 0 : numeric[1] === '-' ? -minutes : minutes;
  }
  const named = /\b([a-z]{1,3})\s*$/i.exec(value)?.[1]?.toLowerCase();
  return named !== undefined ? (RFC822_ZONES[named] ?? 0) : 0;
}


interface Matchers {
  months: Map<string, number>;
  weekdays: Map<string, number>;
  dayMonth: RegExp;
  monthDay: RegExp | null;
  numeric: RegExp;
  iso: RegExp;
  weekdayOnly: RegExp;
  tomorrow: RegExp | null;
  cues: Array<{ kind: Exclude<CueKind, 'none'>; pattern: RegExp }>;
  backAfter: RegExp;
  dayFirst: boolean;
}

// Small words that may stand between a cue and its date ("back in the office on the 3rd").
const FILLERS = String.raw`(?:[\s,:]+(?:on|the|of|le|la|el|il|lo|den|dem|der|am|em|o|a|op|de|do|dia|giorno|zum|au|al|ao|no|na|next|this|coming|nachsten|naechsten|kommenden|prochain|proximo|prossimo|volgende|aanstaande)){0,3}[\s,:]*`;
const NEXT = String.raw`(?:(?:next|this|coming|nachsten|naechsten|kommenden|prochain|proximo|prossimo|volgende|aanstaande)\s+)?`;

const matcherCache = new Map<string, Matchers>();

function matchersFor(languages: readonly LanguagePhrases[]): Matchers {
  const key = languages.map((phrases) => phrases.language).join(',');
  const cached = matcherCache.get(key);
  if (cached) return cached;

  const months = new Map<string, number>();
  const weekdays = new Map<string, number>();
  const fullWeekdays: string[] = [];
  const dates: DateWords[] = languages.map((phrases) => phrases.dates);
  for (const words of dates) {
    words.months.forEach((names, month) => names.forEach((name) => months.has(name) || months.set(name, month)));
    words.weekdays.forEach((names, weekday) =>
      names.forEach((name) => {
        if (!weekdays.has(name)) weekdays.set(name, weekday);
        // Abbreviations ("mon", "sat") are words of their own; alone, only full names count.
        if (name.length >= 5) fullWeekdays.push(name);
      }),
    );
  }
  // Short weekday forms ("mon", "fri") only ever stand before a full date.
  const shortWeekdays = ['sun', 'mon', 'tue', 'tues', 'wed', 'thu', 'thurs', 'fri', 'sat', 'so', 'mo', 'di', 'mi', 'do', 'fr', 'sa', 'dim', 'lun', 'mar', 'mer', 'jeu', 'ven', 'sam', 'dom', 'mie', 'jue', 'vie', 'sab', 'seg', 'ter', 'qua', 'qui', 'sex', 'gio', 'zo', 'ma', 'wo', 'vr', 'za'];
  const shortMap: Record<string, number> = { sun: 0, mon: 1, tue: 2, tues: 2, wed: 3, thu: 4, thurs: 4, fri: 5, sat: 6, so: 0, mo: 1, di: 2, mi: 3, do: 4, fr: 5, sa: 6, dim: 0, lun: 1, mar: 2, mer: 3, jeu: 4, ven: 5, sam: 6, dom: 0, mie: 3, jue: 4, vie: 5, sab: 6, seg: 1, ter: 2, qua: 3, qui: 4, sex: 5, gio: 4, zo: 0, ma: 1, wo: 3, vr: 5, za: 6 };
  for (const name of shortWeekdays) if (!weekdays.has(name)) weekdays.set(name, shortMap[name] ?? 0);

  const monthNames = alternation([...months.keys()]);
  const anyWeekday = alternation([...weekdays.keys()]);
  const weekdayPrefix = String.raw`(?:(${anyWeekday})\.?,?\s+(?:(?:the|den|der|le|el|il|o|the)\s+)?)?`;
  const english = languages.some((phrases) => !phrases.dates.dayFirst);

  const cues: Matchers['cues'] = [];
  for (const [kind, list] of [
    ['return', languages.flatMap((phrases) => phrases.dates.returnCue)],
    ['until', [...languages.flatMap((phrases) => phrases.dates.untilCue), '-']],
    ['from', languages.flatMap((phrases) => phrases.dates.fromCue)],
  ] as const) {
    for (const source of list) {
      cues.push({ kind, pattern: new RegExp(String.raw`(?:^|[^\p{L}])(?:${source})${FILLERS}$`, 'u') });
    }
  }

  const tomorrowWords = languages.flatMap((phrases) => phrases.dates.tomorrow);
  const matchers: Matchers = {
    months,
    weekdays,
    dayMonth: new RegExp(
      String.raw`(?<![\p{L}\p{N}])${weekdayPrefix}(\d{1,2})(?:st|nd|rd|th|er|re|e|o|a|º|ª|\.)?\s*(?:(?:of|de|di|d')\s*)?(${monthNames})(?![\p{L}])\.?(?:,?\s*(?:(?:de|del)\s+)?(\d{4}))?(?![\p{N}])`,
      'gu',
    ),
    monthDay: english
      ? new RegExp(String.raw`(?<![\p{L}\p{N}])${weekdayPrefix}(${monthNames})(?![\p{L}])\.?\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?(?![\p{N}])(?:,?\s*(\d{4})(?![\p{N}]))?`, 'gu')
      : null,
    numeric: new RegExp(String.raw`(?<![\p{L}\p{N}./-])${weekdayPrefix}(\d{1,2})([./-])(\d{1,2})(?:\3(\d{4}|\d{2}))?(\.?)(?![\p{N}]|[./-]\p{N})`, 'gu'),
    iso: /(?<![\p{N}])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\p{N}])/gu,
    weekdayOnly: new RegExp(String.raw`(?<![\p{L}])${NEXT}(${alternation(fullWeekdays)})(?![\p{L}-])`, 'gu'),
    tomorrow: tomorrowWords.length > 0 ? new RegExp(String.raw`(?<![\p{L}])(?:${alternation(tomorrowWords)})(?![\p{L}])`, 'gu') : null,
    cues,
    backAfter: new RegExp(String.raw`(?:^|[^\p{L}])(?:${alternation(languages.flatMap((phrases) => phrases.dates.backAfter))})(?![\p{L}])`, 'u'),
    dayFirst: languages[0]?.dates.dayFirst ?? true,
  };
  matcherCache.set(key, matchers);
  return matchers;
}

function fullYear(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const year = Number(value.replace(/^'/, ''));
  return year < 100 ? 2000 + year : year;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

function validDay(year: number | null, month: number, day: number): boolean {
  return month >= 0 && month <= 11 && day >= 1 && day <= daysInMonth(year ?? 2024, month);
}

function findDates(folded: string, matchers: Matchers): Found[] {
  const found: Found[] = [];
  const weekdayOf = (name: string | undefined): number | null => (name ? (matchers.weekdays.get(name) ?? null) : null);

  for (const match of folded.matchAll(matchers.iso)) {
    const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
    if (validDay(year, month, day)) found.push({ index: match.index, end: match.index + match[0].length, text: match[0], dates: [{ year, month, day }], weekday: null, relative: null });
  }
  // "5 January" in every language, "January 5" where the language writes it so; the groups are
  // the weekday, the day and the month in the order written, then the year.
  const written = [
    { pattern: matchers.dayMonth, day: 2, month: 3 },
    { pattern: matchers.monthDay, day: 3, month: 2 },
  ];
  for (const { pattern, day: dayGroup, month: monthGroup } of written) {
    if (!pattern) continue;
    for (const match of folded.matchAll(pattern)) {
      const month = matchers.months.get(match[monthGroup] ?? '');
      const day = Number(match[dayGroup]);
      const year = fullYear(match[4]);
      if (month !== undefined && validDay(year, month, day)) {
        found.push({ index: match.index, end: match.index + match[0].length, text: match[0], dates: [{ year, month, day }], weekday: weekdayOf(match[1]), relative: null });
      }
    }
  }
  for (const match of folded.matchAll(matchers.numeric)) {
    const [first, separator, second, yearText, trailingDot] = [Number(match[2]), match[3], Number(match[4]), match[5], match[6]];
    const year = fullYear(yearText);
    // "12.5" is a number, "12-5" a range; "12.5." and "12/5" are dates.
    if (year === null && ((separator === '.' && trailingDot === '') || separator === '-')) continue;
    const dayMonth = { year, month: second - 1, day: first };
    const monthDay = { year, month: first - 1, day: second };
    // Dots and dashes are always day first (12.01. is never 1 December); slashes follow the language.
    const readings = separator !== '/' ? [dayMonth] : matchers.dayFirst ? [dayMonth, monthDay] : [monthDay, dayMonth];
    const kept = readings.filter((date) => validDay(date.year, date.month, date.day));
    if (kept.length > 0) found.push({ index: match.index, end: match.index + match[0].length, text: match[0], dates: kept, weekday: weekdayOf(match[1]), relative: null });
  }

  const overlaps = (index: number, end: number): boolean => found.some((other) => index < other.end && end > other.index);
  const full = found.length;
  for (const match of folded.matchAll(matchers.weekdayOnly)) {
    const end = match.index + match[0].length;
    if (!overlaps(match.index, end)) found.push({ index: match.index, end, text: match[0], dates: [], weekday: weekdayOf(match[1]), relative: 'weekday' });
  }
  if (matchers.tomorrow) {
    for (const match of folded.matchAll(matchers.tomorrow)) {
      const end = match.index + match[0].length;
      if (!overlaps(match.index, end)) found.push({ index: match.index, end, text: match[0], dates: [], weekday: null, relative: 'tomorrow' });
    }
  }
  // Of overlapping full dates ("3 december" inside "monday, december 3"), keep the longest.
  const fullDates = found.slice(0, full).sort((a, b) => b.end - b.index - (a.end - a.index));
  const kept: Found[] = [];
  for (const date of fullDates) if (!kept.some((other) => date.index < other.end && date.end > other.index)) kept.push(date);
  return [...kept, ...found.slice(full)].sort((a, b) => a.index - b.index);
}

function cueOf(folded: string, date: Found, matchers: Matchers): CueKind {
  const before = folded.slice(Math.max(0, date.index - 60), date.index);
  const cue = matchers.cues.find((candidate) => candidate.pattern.test(before));
  if (cue && cue.kind !== 'from') return cue.kind;
  // "ab dem 12.01. wieder im Büro", "am Montag bin ich wieder erreichbar", "à partir du 5 janvier
  // je serai de retour": a date the sentence goes on to call the return.
  const after = folded.slice(date.end, date.end + 80).split(/[!?;]|\.(?:\s|$)/)[0] ?? '';
  if (matchers.backAfter.test(after)) return 'return';
  return cue ? 'from' : 'none';
}

/** Local calendar day of an instant, for a UTC offset in minutes. */
function localDay(at: number, offsetMinutes: number): { year: number; month: number; day: number; weekday: number } {
  const local = new Date(at + offsetMinutes * 60_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth(), day: local.getUTCDate(), weekday: local.getUTCDay() };
}

function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month, day) / DAY_MS);
}

/** The calendar day (as a day number) a found date means, or null. */
function resolve(date: Found, sentAt: number | null, offsetMinutes: number): number | null {
  const sent = sentAt === null ? null : localDay(sentAt, offsetMinutes);
  const sentDay = sent ? dayNumber(sent.year, sent.month, sent.day) : null;
  if (date.relative === 'tomorrow') return sentDay === null ? null : sentDay + 1;
  if (date.relative === 'weekday') {
    if (sent === null || sentDay === null || date.weekday === null) return null;
    const ahead = (date.weekday - sent.weekday + 7) % 7;
    return sentDay + (ahead === 0 ? 7 : ahead);
  }
  const candidates: number[] = [];
  for (const reading of date.dates) {
    if (reading.year !== null) {
      if (validDay(reading.year, reading.month, reading.day)) candidates.push(dayNumber(reading.year, reading.month, reading.day));
      continue;
    }
    if (sent === null || sentDay === null) continue;
    // Without a year: the nearest such day, a past one counting five times its distance
    // ("back 5 January" written on 20 December is next year; "since 20 December" written on 3 January is last year).
    let best: number | null = null;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const year of [sent.year - 1, sent.year, sent.year + 1]) {
      if (!validDay(year, reading.month, reading.day)) continue;
      const day = dayNumber(year, reading.month, reading.day);
      const score = day >= sentDay ? day - sentDay : (sentDay - day) * 5;
      if (score < bestScore) {
        best = day;
        bestScore = score;
      }
    }
    if (best !== null) candidates.push(best);
  }
  // Of two readings (12/1), one ahead of the mail beats one behind it, and the stated weekday decides.
  const ahead = sentDay === null ? candidates : candidates.filter((day) => day >= sentDay);
  const pool = ahead.length > 0 ? ahead : candidates;
  if (date.weekday !== null && pool.length > 1) {
    const matching = pool.find((day) => new Date(day * DAY_MS).getUTCDay() === date.weekday);
    if (matching !== undefined) return matching;
  }
  return pool[0] ?? null;
}

/**
 * The stated return date of an out-of-office note, or null when it states none we can trust
 * (no date, only a start date, a date in the past, or one more than a year ahead).
 */
export function parseReturnDate(text: string, options: ReturnDateOptions): ReturnDate | null {
  const folded = fold(text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text);
  if (folded === '') return null;
  const languages = options.languages && options.languages.length > 0 ? options.languages.map((language) => PHRASES[language]) : ALL_PHRASES;
  const matchers = matchersFor(languages);
  const { sentAt, utcOffsetMinutes } = options;

  let best: { at: number; kind: CueKind; basis: string } | null = null;
  const rank: Record<CueKind, number> = { return: 3, until: 2, none: 1, from: 0 };
  for (const date of findDates(folded, matchers).slice(0, MAX_DATES)) {
    const kind = cueOf(folded, date, matchers);
    if (kind === 'from') continue;
    // "back Monday" needs its cue; a bare weekday or "tomorrow" in a note says nothing.
    if (date.relative !== null && kind === 'none') continue;
    const day = resolve(date, sentAt, utcOffsetMinutes);
    if (day === null) continue;
    const at = (kind === 'return' ? day : day + 1) * DAY_MS - utcOffsetMinutes * 60_000;
    if (sentAt !== null && (at <= sentAt || at > sentAt + MAX_ABSENCE_MS)) continue;
    const before = folded.slice(Math.max(0, date.index - 40), date.index).split(' ').slice(-5).join(' ');
    const basis = `${kind === 'return' ? 'back' : 'away until'}: "${`${before}${date.text}`.trim().replace(/[.,;:]+$/, '')}"`;
    // A stated return beats an end of absence, which beats a bare date; of equals, the latest.
    if (best === null || rank[kind] > rank[best.kind] || (rank[kind] === rank[best.kind] && at > best.at)) best = { at, kind, basis };
  }
  return best ? { at: best.at, basis: best.basis } : null;
}
