/**
 * When a script may go out: outside the user's quiet hours and within the daily cap, both counted
 * in the user's time zone. Pure: times in, times out (ms since epoch); the count of scripts sent
 * today is the caller's to keep.
 *
 * Local times that do not exist (the hour skipped when clocks go forward) mean the first moment
 * after the skip; local times that happen twice (when clocks go back) mean the first of the two.
 */

export interface QuietHours {
  /** Local time of day, "HH:MM", when sending stops. */
  start: string;
  /** Local time of day, "HH:MM", when sending starts again; before `start` when the quiet hours span midnight. */
  end: string;
}

export interface SendWindow {
  quietHours: QuietHours | null;
  timeZone: string;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    // Throws RangeError for a zone the runtime does not know; settings are validated before this.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at instant `at`. */
export function localTime(at: number, timeZone: string): LocalTime {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    // Some engines write midnight as 24 even in the h23 cycle.
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The local calendar day of `at` in `timeZone`, as YYYY-MM-DD: the daily cap's counter. */
export function localDay(at: number, timeZone: string): string {
  const { year, month, day } = localTime(at, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The wall clock of `at` read as if it were UTC: comparable numbers for local times. */
function wallClock(at: number, timeZone: string): number {
  const t = localTime(at, timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) + (((at % 1000) + 1000) % 1000);
}

/**
 * The instant when the wall clock in `timeZone` shows the given local date and time. Month and day
 * may overflow (day 32 is the 1st of the next month), as with Date.UTC.
 */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets a day either side: one zone changes its offset at most once in two days.
  const before = wall - (wallClock(wall - DAY, timeZone) - (wall - DAY));
  const after = wall - (wallClock(wall + DAY, timeZone) - (wall + DAY));
  const candidates = [before, after].filter((t) => wallClock(t, timeZone) === wall).sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // The local time was skipped: the first instant whose wall clock is later, found to the minute
  // between the two readings (a skip lasts at most a few hours, and happens on whole minutes).
  let low = Math.min(before, after);
  let high = Math.max(before, after);
  while (high - low > MINUTE) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if (wallClock(middle, timeZone) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** Whether `at` falls in the quiet hours (start included, end excluded). */
export function inQuietHours(at: number, window: SendWindow): boolean {
  if (!window.quietHours) return false;
  const start = minutesOf(window.quietHours.start);
  const end = minutesOf(window.quietHours.end);
  if (start === end) return false;
  const { hour, minute } = localTime(at, window.timeZone);
  const now = hour * 60 + minute;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** When the quiet hours around `at` end; `at` itself when it is not in them. */
export function quietHoursEnd(at: number, window: SendWindow): number {
  if (!window.quietHours || !inQuietHours(at, window)) return at;
  const end = minutesOf(window.quietHours.end);
  const local = localTime(at, window.timeZone);
  // Before today's end, the hours end today; past it (the evening part of hours that span
  // midnight), they end tomorrow.
  const today = local.hour * 60 + local.minute < end;
  const opens = zonedTime(local.year, local.month, local.day + (today ? 0 : 1), Math.floor(end / 60), end % 60, window.timeZone);
  // A clock change inside the quiet hours can only move the end, never before `at`.
  return Math.max(opens, at + 1);
}

/** The first instant of the local day after the one `at` falls in. */
export function nextLocalDay(at: number, timeZone: string): number {
  const local = localTime(at, timeZone);
  return zonedTime(local.year, local.month, local.day + 1, 0, 0, timeZone);
}

/**
 * The earliest time from `at` when a script may go out: `at` itself when the window is open and
 * the cap not reached, else when the quiet hours end, or the next local day begins (and, should
 * that fall in quiet hours, when they end).
 */
export function nextSendTime(at: number, window: SendWindow, capReached: boolean): number {
  const from = capReached ? nextLocalDay(at, window.timeZone) : at;
  return quietHoursEnd(from, window);
}
