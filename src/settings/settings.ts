import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import { PLATFORMS, type Platform } from '../detect/types.ts';

const DAY = 86_400_000;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 21:00');

/** An IANA time zone the runtime knows, such as Europe/Berlin. */
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'is not a time zone (use a name such as Europe/Berlin or UTC)');

/** An address (jane@example.org) or a whole domain (example.org), lower-cased. */
const addressOrDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^([^\s@]+@)?[a-z0-9.-]+\.[a-z]{2,}$/, 'must be an address (jane@example.org) or a domain (example.org)');

/**
 * What the user sets on the dashboard's settings page, kept in Redis so every process agrees.
 * The environment gives the first values (RESPONSE_DEADLINE, DEDUPE_WINDOW); saved settings win.
 */
export const settingsSchema = z.object({
  /** How long a person has to answer the script. */
  deadlineMs: z.number().int().min(1000).max(365 * DAY),
  /** One reminder this long after the script, or null for none. Must fall before the deadline. */
  reminderAfterMs: z.number().int().min(60_000).max(365 * DAY).nullable(),
  /** Scripts are not sent between start and end (local time in `timeZone`); null sends any time. */
  quietHours: z.object({ start: clock, end: clock }).nullable(),
  timeZone,
  /** At most this many scripts a day (in `timeZone`); null for no cap. */
  dailyCap: z.number().int().min(1).max(100_000).nullable(),
  /** `approval`: each script waits for the user's click; `hands_off`: scripts go out on their own. */
  mode: z.enum(['hands_off', 'approval']),
  dedupeWindowMs: z.number().int().min(60_000).max(3650 * DAY),
  /** Never answered, whatever they send. */
  blockList: z.array(addressOrDomain).max(10_000),
  /** Always answered when they ask, even when a rule would skip them (never when authentication failed). */
  allowList: z.array(addressOrDomain).max(10_000),
  /** Requests from a platform that is off are recorded as skipped, with no script. */
  platforms: z.record(z.enum(PLATFORMS), z.boolean()),
  /**
   * A digest of what needs the user, mailed to their own address: never, daily at `hour`, or
   * every `hours` hours (local time in `timeZone`, outside the quiet hours), only when something is new.
   */
  digest: z.object({ every: z.enum(['off', 'day', 'hours']), hour: z.number().int().min(0).max(23), hours: z.number().int().min(1).max(24) }),
});

export type Settings = z.infer<typeof settingsSchema>;

export function defaultSettings(config: Pick<Config, 'responseDeadlineMs' | 'dedupeWindowMs'>): Settings {
  return {
    deadlineMs: config.responseDeadlineMs,
    reminderAfterMs: null,
    quietHours: null,
    timeZone: 'UTC',
    dailyCap: null,
    mode: 'hands_off',
    dedupeWindowMs: config.dedupeWindowMs,
    blockList: [],
    allowList: [],
    platforms: Object.fromEntries(PLATFORMS.map((platform) => [platform, true])) as Record<Platform, boolean>,
    digest: { every: 'off', hour: 8, hours: 6 },
  };
}

export class SettingsError extends Error {
  readonly problems: Array<{ field: string; message: string }>;

  constructor(problems: Array<{ field: string; message: string }>) {
    super(`The settings were not saved: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.problems = problems;
    this.name = 'SettingsError';
  }
}

/** Checks a whole settings object; throws SettingsError naming each field that is wrong. */
export function validateSettings(candidate: unknown): Settings {
  const result = settingsSchema.safeParse(candidate);
  if (!result.success) {
    throw new SettingsError(result.error.issues.map((issue) => ({ field: issue.path.join('.') || 'settings', message: issue.message })));
  }
  const settings = result.data;
  if (settings.reminderAfterMs !== null && settings.reminderAfterMs >= settings.deadlineMs) {
    throw new SettingsError([{ field: 'reminderAfterMs', message: 'must come before the deadline' }]);
  }
  if (settings.quietHours && settings.quietHours.start === settings.quietHours.end) {
    throw new SettingsError([{ field: 'quietHours', message: 'start and end must differ' }]);
  }
  return settings;
}

export function createSettingsStore(redis: Redis, key: string, config: Pick<Config, 'responseDeadlineMs' | 'dedupeWindowMs'>) {
  const defaults = defaultSettings(config);
  // Read on every request and every send: the parsed settings are kept for as long as the stored
  // text is the same (checking a 10,000-entry block list again costs milliseconds).
  let last: { raw: string; settings: Settings } | null = null;
  return {
    defaults,
    /** The settings in force: saved values over the defaults (a field added later gets its default). */
    async get(): Promise<Settings> {
      const raw = await redis.get(key);
      if (!raw) return defaults;
      if (last?.raw === raw) return last.settings;
      const settings = readSaved(raw, defaults);
      last = { raw, settings };
      return settings;
    },
    /** Validates and saves a whole settings object; returns what was saved. */
    async save(candidate: unknown): Promise<Settings> {
      const settings = validateSettings(candidate);
      await redis.set(key, JSON.stringify(settings));
      return settings;
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;

/**
 * Saved settings over the defaults. They were valid when saved; should a later version tighten a
 * rule, only what breaks it falls back: a list entry that no longer passes is dropped, any other
 * field takes its default. Never all of them at once: that would quietly switch approval mode off
 * or empty the block list.
 */
export function readSaved(raw: string, defaults: Settings): Settings {
  let saved: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    saved = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return defaults;
  }
  const platforms = saved.platforms !== null && typeof saved.platforms === 'object' ? (saved.platforms as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = { ...defaults, ...saved, platforms: { ...defaults.platforms, ...platforms } };
  for (let round = 0; round < 3; round++) {
    const result = settingsSchema.safeParse(merged);
    if (result.success) {
      const settings = result.data;
      if (settings.reminderAfterMs !== null && settings.reminderAfterMs >= settings.deadlineMs) settings.reminderAfterMs = null;
      if (settings.quietHours && settings.quietHours.start === settings.quietHours.end) settings.quietHours = null;
      return settings;
    }
    const dropped: Record<string, Set<number>> = {};
    for (const issue of result.error.issues) {
      const [field, index] = issue.path;
      if (typeof field !== 'string') continue;
      if (issue.code === 'unrecognized_keys' && field === 'platforms' && index === undefined) {
        // Platforms this version does not know go; the others keep their values.
        for (const name of issue.keys) delete (merged.platforms as Record<string, unknown>)[name];
        continue;
      }
      if ((field === 'blockList' || field === 'allowList') && typeof index === 'number' && Array.isArray(merged[field])) (dropped[field] ??= new Set()).add(index);
      else if (field === 'platforms' && typeof index === 'string') (merged.platforms as Record<string, unknown>)[index] = defaults.platforms[index as Platform] ?? true;
      else merged[field] = defaults[field as keyof Settings];
    }
    for (const [field, indexes] of Object.entries(dropped)) merged[field] = (merged[field] as unknown[]).filter((_, i) => !indexes.has(i));
  }
  return defaults;
}
