const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses a duration such as `7d`, `12h`, `30s`, `1500ms` into milliseconds; null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
  return Number.isFinite(value) && value > 0 ? Math.round(value) : null;
}

/** Writes milliseconds back in the largest whole unit, for messages and the dashboard. */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A duration for a sentence: "7 days", "2 minutes", "1 hour 30 minutes" (the two largest units,
 * to the second).
 */
export function durationInWords(ms: number): string {
  const units: Array<[string, number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  let rest = Math.max(1000, Math.round(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 && parts.length < 2) parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
    if (count > 0 || parts.length > 0) rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
