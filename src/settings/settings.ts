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
  };
}

export class SettingsError extends Error {
  constructor(readonly problems: Array<{ field: string; message: string }>) {
    super(`The settings were not saved: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
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
  return {
    defaults,
    /** The settings in force: saved values over the defaults (a field added later gets its default). */
    async get(): Promise<Settings> {
      const raw = await redis.get(key);
      if (!raw) return defaults;
      const saved = JSON.parse(raw) as Partial<Settings>;
      const merged = { ...defaults, ...saved, platforms: { ...defaults.platforms, ...saved.platforms } };
      const result = settingsSchema.safeParse(merged);
      // Saved settings were valid when saved; should a later version tighten a rule, fall back
      // field by field rather than stop sending.
      return result.success ? result.data : defaults;
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
