import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsStore, defaultSettings, readSaved, SettingsError, validateSettings, type Settings } from '../../src/settings/settings.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

const DAY = 86_400_000;
const config = { responseDeadlineMs: 7 * DAY, dedupeWindowMs: 90 * DAY };

function problemsOf(candidate: unknown): string[] {
  try {
    validateSettings(candidate);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems.map((p) => `${p.field} ${p.message}`);
    throw error;
  }
  return [];
}

describe('settings', () => {
  const defaults = defaultSettings(config);

  it('start from the environment: the deadline and dedupe window, hands-off, every platform on, bounded volume', () => {
    expect(defaults).toMatchObject({ deadlineMs: 7 * DAY, dedupeWindowMs: 90 * DAY, mode: 'hands_off', reminderAfterMs: null, quietHours: null, timeZone: 'UTC' });
    // Bounded by default: 50 a day, 10 an hour to one domain, the breaker above 20 an hour; unacted requests kept 90 days.
    expect(defaults).toMatchObject({ dailyCap: 50, domainHourlyCap: 10, breakerHourly: 20, expireAfterMs: 90 * DAY });
    expect(Object.values(defaults.platforms).every(Boolean)).toBe(true);
  });

  it('name each wrong field, so the settings page can show the error beside it', () => {
    const problems = problemsOf({ ...defaults, timeZone: 'Mars/Olympus', dailyCap: 0, quietHours: { start: '25:00', end: '07:00' }, blockList: ['not an address'] });
    expect(problems.join('\n')).toMatch(/timeZone is not a time zone/);
    expect(problems.join('\n')).toMatch(/dailyCap/);
    expect(problems.join('\n')).toMatch(/quietHours.start must be a time of day/);
    expect(problems.join('\n')).toMatch(/blockList.0 must be an address .* or a domain/);
  });

  it('refuse a reminder that would come after the deadline, and quiet hours that start when they end', () => {
    expect(problemsOf({ ...defaults, reminderAfterMs: 8 * DAY })).toEqual(['reminderAfterMs must come before the deadline']);
    expect(problemsOf({ ...defaults, quietHours: { start: '22:00', end: '22:00' } })).toEqual(['quietHours start and end must differ']);
  });

  it('list every problem at once: the fields, the rules between them, and fields that are not settings', () => {
    const problems = problemsOf({ ...defaults, timeZone: 'Mars/Olympus', reminderAfterMs: 8 * DAY, quietHours: { start: '22:00', end: '22:00' }, colour: 'blue' });
    expect(problems).toHaveLength(4);
    expect(problems).toContain('reminderAfterMs must come before the deadline');
    expect(problems).toContain('quietHours start and end must differ');
    expect(problems.find((p) => p.startsWith('colour '))).toMatch(/^colour is not a setting \(the settings are deadlineMs, reminderAfterMs/);
  });

  it('keep block and allow lists lower-cased, addresses and domains alike', () => {
    const settings = validateSettings({ ...defaults, blockList: ['Spammer@Example.COM', 'listbuilders.example'] });
    expect(settings.blockList).toEqual(['spammer@example.com', 'listbuilders.example']);
  });
});

describe('the settings store', () => {
  let sandbox: Sandbox;
  let redis: Redis;
  beforeAll(async () => {
    sandbox = await startSandbox({ imap: false, smtp: false });
    redis = new Redis(sandbox.redisUrl);
  });
  afterAll(async () => {
    redis?.disconnect();
    await sandbox?.stop();
  });

  it('gives the defaults until something is saved, then what was saved, to every process alike', async () => {
    const one = createSettingsStore(redis, 'settings-test:a', config);
    const other = createSettingsStore(redis, 'settings-test:a', config);
    expect(await one.get()).toEqual(one.defaults);
    const changed: Settings = { ...one.defaults, mode: 'approval', dailyCap: 20, quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Berlin' };
    await one.save(changed);
    expect(await other.get()).toEqual(changed);
  });

  it('saves nothing when a field is wrong', async () => {
    const store = createSettingsStore(redis, 'settings-test:b', config);
    await expect(store.save({ ...store.defaults, deadlineMs: -1 })).rejects.toBeInstanceOf(SettingsError);
    expect(await store.get()).toEqual(store.defaults);
  });

  it('sees a change saved by another process at once, however often it read them before', async () => {
    const one = createSettingsStore(redis, 'settings-test:d', config);
    const other = createSettingsStore(redis, 'settings-test:d', config);
    await one.save({ ...one.defaults, dailyCap: 5 });
    expect((await one.get()).dailyCap).toBe(5);
    expect((await one.get()).dailyCap).toBe(5);
    await other.save({ ...other.defaults, dailyCap: 6, mode: 'approval' });
    expect(await one.get()).toMatchObject({ dailyCap: 6, mode: 'approval' });
  });

  it('keep what still holds when stored settings break a rule tightened since (approval mode stays, so does the rest of the block list)', async () => {
    const store = createSettingsStore(redis, 'settings-test:e', config);
    // Written as an older version might have: one block-list entry, the cap, a time zone and a
    // platform that this version refuses or does not know.
    await redis.set(
      'settings-test:e',
      JSON.stringify({ ...store.defaults, mode: 'approval', deadlineMs: 3 * DAY, blockList: ['spam.example', 'not an entry', 'seller@pitch.example'], dailyCap: 0, timeZone: 'Mars/Olympus', platforms: { linkedin: false, myspace: true } }),
    );
    const settings = await store.get();
    expect(settings).toMatchObject({ mode: 'approval', deadlineMs: 3 * DAY, blockList: ['spam.example', 'seller@pitch.example'], dailyCap: store.defaults.dailyCap, timeZone: 'UTC' });
    expect(settings.platforms).toEqual({ ...store.defaults.platforms, linkedin: false });
  });

  it('fills a platform added after the settings were saved with its default (on)', async () => {
    const store = createSettingsStore(redis, 'settings-test:c', config);
    const saved = { ...store.defaults, platforms: { linkedin: false } };
    await redis.set('settings-test:c', JSON.stringify(saved));
    const settings = await store.get();
    expect(settings.platforms.linkedin).toBe(false);
    expect(settings.platforms.facebook).toBe(true);
  });
});

describe('settings saved by an earlier version', () => {
  const defaults = defaultSettings({ responseDeadlineMs: 7 * 86_400_000, dedupeWindowMs: 90 * 86_400_000 });

  it('get the default daily cap where they carried the old "no cap", which nobody chose; a cap chosen since stays as chosen', () => {
    // Before the volume limits, saving the settings page stored dailyCap: null, the default then.
    const old = JSON.stringify({ ...defaults, dailyCap: null, domainHourlyCap: undefined, breakerHourly: undefined, expireAfterMs: undefined });
    expect(readSaved(old, defaults).dailyCap).toBe(50);
    expect(readSaved(JSON.stringify({ ...defaults, dailyCap: 12 }), defaults).dailyCap).toBe(12);
    // Saved with the limits in place, "no cap" is the user's choice and is kept.
    expect(readSaved(JSON.stringify({ ...defaults, dailyCap: null }), defaults).dailyCap).toBeNull();
  });
});
