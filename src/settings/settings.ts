import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import { PLATFORMS, type Platform } from '../vocabulary/platforms.ts';
import { isDomainName, isMailboxAddress } from '../text/address.ts';

const DAY = 86_400_000;

/**
 * Bounded by default: Winnow writes from the user's own account, unattended, so however much mail
 * arrives it sends at most this much unless the user says otherwise. A person rarely gets more than
 * a few requests a day; fifty covers a busy week-day, and a burst above twenty in an hour looks
 * more like a flood (or a forged-sender campaign) than like a network.
 */
export const DEFAULT_DAILY_CAP = 50;
/** One recipient domain: a company, or a provider such as gmail.com; ten in an hour is already many. */
export const DEFAULT_DOMAIN_HOURLY_CAP = 10;
export const DEFAULT_BREAKER_HOURLY = 20;

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
  .refine((entry) => (entry.includes('@') ? isMailboxAddress(entry) : isDomainName(entry)), 'must be an address (jane@example.org) or a domain (example.org)');

/**
 * What the user sets on the dashboard's settings page, kept in Redis so every process agrees.
 * The environment gives the first values (RESPONSE_DEADLINE, DEDUPE_WINDOW); saved settings win.
 */
export const settingsSchema = z.object({
  /** How long a person has to answer the script. */
  deadlineMs: z.number({ message: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(1000, 'must be between 1000 (1 second) and 31536000000 (365 days)').max(365 * DAY, 'must be between 1000 (1 second) and 31536000000 (365 days)'),
  /** One reminder this long after the script, or null for none. Must fall before the deadline. */
  reminderAfterMs: z
    .number({ message: 'must be a number of milliseconds, or null for no reminder' })
    .int('must be a whole number of milliseconds')
    .min(60_000, 'must be between 60000 (1 minute) and 31536000000 (365 days), or null for no reminder')
    .max(365 * DAY, 'must be between 60000 (1 minute) and 31536000000 (365 days), or null for no reminder')
    .nullable(),
  /** Scripts are not sent between start and end (local time in `timeZone`); null sends any time. */
  quietHours: z.object({ start: clock, end: clock }, { message: 'must be { start, end } (times such as 21:00) or null' }).nullable(),
  timeZone,
  /** At most this many scripts a day (in `timeZone`); null for no cap. */
  dailyCap: z.number({ message: 'must be a number, or null for no cap' }).int('must be a whole number').min(1, 'must be between 1 and 100000, or null for no cap').max(100_000, 'must be between 1 and 100000, or null for no cap').nullable(),
  /** At most this many scripts to one recipient domain in any hour; null for no cap. */
  domainHourlyCap: z.number({ message: 'must be a number, or null for no cap' }).int('must be a whole number').min(1, 'must be between 1 and 100000, or null for no cap').max(100_000, 'must be between 1 and 100000, or null for no cap').nullable(),
  /** More than this many scripts in any hour stops sending until the user resumes it; null for no breaker. */
  breakerHourly: z.number({ message: 'must be a number, or null for no limit' }).int('must be a whole number').min(1, 'must be between 1 and 100000, or null for no limit').max(100_000, 'must be between 1 and 100000, or null for no limit').nullable(),
  /** People skipped, or waiting for an address or approval, untouched this long are erased. */
  expireAfterMs: z.number({ message: 'must be a duration in milliseconds' }).int('must be a whole number of milliseconds').min(DAY, 'must be between 1 day and 3650 days').max(3650 * DAY, 'must be between 1 day and 3650 days'),
  /** `approval`: each script waits for the user's click; `hands_off`: scripts go out on their own. */
  mode: z.enum(['hands_off', 'approval'], { message: 'must be hands_off or approval' }),
  dedupeWindowMs: z.number({ message: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(60_000, 'must be between 60000 (1 minute) and 315360000000 (3650 days)').max(3650 * DAY, 'must be between 60000 (1 minute) and 315360000000 (3650 days)'),
  /** Never answered, whatever they send. */
  blockList: z.array(addressOrDomain, { message: 'must be a list of addresses and domains' }).max(10_000, 'may hold at most 10000 entries'),
  /** Always answered when they ask, even when a rule would skip them (never when authentication failed). */
  allowList: z.array(addressOrDomain, { message: 'must be a list of addresses and domains' }).max(10_000, 'may hold at most 10000 entries'),
  /** Requests from a platform that is off are recorded as skipped, with no script. */
  platforms: z.record(z.enum(PLATFORMS), z.boolean({ message: 'must be true or false' }), { message: `must be an object of platforms (${PLATFORMS.join(', ')}) to true or false` }),
  /**
   * Requests whose sender could not be authenticated: wait for approval (approve), answered
   * hands-off and flagged (accept: anyone can then make Winnow write to any address), or left
   * alone (ignore). The first value comes from UNVERIFIED_MAIL.
   */
  unverifiedMail: z.enum(['approve', 'accept', 'ignore'], { message: 'must be approve, accept or ignore' }),
  /**
   * A platform's reply relay (InMail's …@reply.linkedin.com, from a notice whose DKIM passed for
   * the platform) is used as the address of someone waiting for one. Off by default: a relay is
   * not the person's own address, and what the platform does with mail to it is the platform's.
   */
  sendToRelays: z.boolean({ message: 'must be true or false' }),
  /**
   * A digest of what needs the user, mailed to their own address: never, daily at `hour`, or
   * every `hours` hours (local time in `timeZone`, outside the quiet hours), only when something is new.
   */
  digest: z.object(
    {
      every: z.enum(['off', 'day', 'hours'], { message: 'must be off, day or hours' }),
      hour: z.number({ message: 'must be an hour from 0 to 23' }).int('must be a whole hour').min(0, 'must be an hour from 0 to 23').max(23, 'must be an hour from 0 to 23'),
      hours: z.number({ message: 'must be a number of hours from 1 to 24' }).int('must be a whole number of hours').min(1, 'must be a number of hours from 1 to 24').max(24, 'must be a number of hours from 1 to 24'),
    },
    { message: 'must be an object with every (off, day or hours), hour and hours' },
  ),
});

export type Settings = z.infer<typeof settingsSchema>;

/** What the settings take from the configuration; UNVERIFIED_MAIL may be absent (approve). */
export type SettingsConfig = Pick<Config, 'responseDeadlineMs' | 'dedupeWindowMs'> & Partial<Pick<Config, 'unverifiedMail'>>;

export function defaultSettings(config: SettingsConfig): Settings {
  return {
    deadlineMs: config.responseDeadlineMs,
    reminderAfterMs: null,
    quietHours: null,
    timeZone: 'UTC',
    dailyCap: DEFAULT_DAILY_CAP,
    domainHourlyCap: DEFAULT_DOMAIN_HOURLY_CAP,
    breakerHourly: DEFAULT_BREAKER_HOURLY,
    expireAfterMs: 90 * DAY,
    mode: 'hands_off',
    dedupeWindowMs: config.dedupeWindowMs,
    blockList: [],
    allowList: [],
    platforms: Object.fromEntries(PLATFORMS.map((platform) => [platform, true])) as Record<Platform, boolean>,
    digest: { every: 'off', hour: 8, hours: 6 },
    unverifiedMail: config.unverifiedMail ?? 'approve',
    sendToRelays: false,
  };
}

export interface SettingsProblem {
  /** The setting (`timeZone`), or a part of it (`blockList.2`, `quietHours.start`). */
  field: string;
  message: string;
}

export class SettingsError extends Error {
  readonly problems: SettingsProblem[];

  constructor(problems: SettingsProblem[]) {
    super(`The settings were not saved: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    this.problems = problems;
    this.name = 'SettingsError';
  }
}

const SETTING_NAMES = Object.keys(settingsSchema.shape);

/**
 * What a save checks: the fields, unknown fields refused (a misspelt name would otherwise answer
 * "saved" and change nothing), and the rules between fields. Those run even when another field is
 * wrong (zod skips them unless told), so every problem is listed in one answer, not in rounds.
 * Reading what was saved earlier stays lenient (readSaved), as a later version may drop a field.
 */
const savingSchema = settingsSchema.strict().superRefine(
  (candidate, context) => {
    // Other fields may be invalid here: each rule reads only fields that passed their own check.
    const raw = candidate as Record<string, unknown>;
    const { shape } = settingsSchema;
    const deadline = shape.deadlineMs.safeParse(raw.deadlineMs);
    const reminder = shape.reminderAfterMs.safeParse(raw.reminderAfterMs);
    if (deadline.success && reminder.success && reminder.data !== null && reminder.data >= deadline.data) {
      context.addIssue({ code: 'custom', path: ['reminderAfterMs'], message: 'must come before the deadline' });
    }
    const quiet = shape.quietHours.safeParse(raw.quietHours);
    if (quiet.success && quiet.data && quiet.data.start === quiet.data.end) {
      context.addIssue({ code: 'custom', path: ['quietHours'], message: 'start and end must differ' });
    }
  },
  { when: () => true },
);

/** Every problem with a settings object at once; empty when it can be saved. */
export function settingsProblems(candidate: unknown): SettingsProblem[] {
  const result = savingSchema.safeParse(candidate);
  if (result.success) return [];
  return result.error.issues.flatMap((issue): SettingsProblem[] => {
    const field = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) =>
        field === 'platforms'
          ? { field: `platforms.${key}`, message: `is not a platform Winnow knows (${PLATFORMS.join(', ')})` }
          : { field: field ? `${field}.${key}` : key, message: `is not a setting (the settings are ${SETTING_NAMES.join(', ')})` },
      );
    }
    return [{ field: field || 'settings', message: issue.message }];
  });
}

/** Checks a whole settings object; throws SettingsError naming every field that is wrong. */
export function validateSettings(candidate: unknown): Settings {
  const result = savingSchema.safeParse(candidate);
  if (!result.success) throw new SettingsError(settingsProblems(candidate));
  return result.data;
}

export function createSettingsStore(redis: Redis, key: string, config: SettingsConfig) {
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
  // Settings saved before the volume limits existed (no breakerHourly) carry the old default of no
  // daily cap, which nobody chose: they get today's default, so every installation is bounded.
  if (!('breakerHourly' in saved) && saved.dailyCap === null) delete saved.dailyCap;
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
