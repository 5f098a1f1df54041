import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformLabel, PLATFORMS } from '../../src/vocabulary/platforms.ts';
import { createSettingsStore, defaultSettings } from '../../src/settings/settings.ts';
import { formFromBody, readSettingsForm, settingsToForm } from '../../src/web/views/settings.ts';
import { all, attribute, one, parseHtml, text } from './dom.ts';
import { API_TOKEN, login, startWebTest, type WebTest } from './helpers.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const auth = { authorization: `Bearer ${API_TOKEN}` };

/** The settings form as the page shows it, as a browser would post it back (checkboxes repeat). */
function postedForm(page: string): URLSearchParams {
  const fields = new URLSearchParams();
  for (const match of page.matchAll(/<input ([^>]*)>/g)) {
    const attributes = match[1]!;
    const name = /name="([^"]+)"/.exec(attributes)?.[1];
    const value = /value="([^"]*)"/.exec(attributes)?.[1] ?? '';
    const type = /type="([^"]+)"/.exec(attributes)?.[1] ?? 'text';
    if (!name) continue;
    if ((type === 'checkbox' || type === 'radio') && !/\schecked/.test(attributes)) continue;
    const decoded = value.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
    // Checkboxes of one name repeat; the CSRF field of the logout form is the same token.
    if (type === 'checkbox') fields.append(name, decoded);
    else fields.set(name, decoded);
  }
  for (const match of page.matchAll(/<select name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    fields.set(match[1]!, /<option value="([^"]*)" selected>/.exec(match[2]!)?.[1] ?? '');
  }
  for (const match of page.matchAll(/<textarea id="[^"]+" name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields.set(match[1]!, match[2]!);
  return fields;
}

describe('settings form (pure)', () => {
  const defaults = defaultSettings({ responseDeadlineMs: 7 * DAY, dedupeWindowMs: 90 * DAY });

  it('shows saved settings in the largest exact unit and reads them back unchanged', () => {
    const settings = { ...defaults, deadlineMs: 36 * HOUR, reminderAfterMs: 2 * DAY, quietHours: { start: '21:00', end: '07:30' }, dailyCap: 40, domainHourlyCap: 5, breakerHourly: null, expireAfterMs: 30 * DAY, blockList: ['spam.example', 'x@y.example'] };
    const form = settingsToForm(settings);
    expect(form).toMatchObject({ deadlineAmount: '36', deadlineUnit: 'hours', reminder: 'on', reminderAmount: '2', reminderUnit: 'days', quiet: 'on', dailyCap: '40', blockList: 'spam.example\nx@y.example' });
    // The volume limits: empty is "no limit"; unacted requests are kept 30 days.
    expect(form).toMatchObject({ domainHourlyCap: '5', breakerHourly: '', expireAmount: '30', expireUnit: 'days' });
    expect(readSettingsForm(form, defaults)).toEqual({ candidate: settings, errors: {} });
  });

  it('names each field a person got wrong, in words', () => {
    const form = { ...settingsToForm(defaults), deadlineAmount: 'soon', quiet: 'on', quietStart: '25:00', dailyCap: '-3', timeZone: ' ', mode: 'sometimes' };
    const result = readSettingsForm(form, defaults);
    // What the form could not read keeps the value in force, for the store's check of the rest.
    expect(result.candidate).toMatchObject({ deadlineMs: defaults.deadlineMs, timeZone: defaults.timeZone, dailyCap: defaults.dailyCap, mode: defaults.mode });
    expect(result.errors).toEqual({
      deadline: 'Enter the deadline as a number greater than 0, such as 7.',
      quietStart: 'Enter a time of day such as 21:00.',
      timeZone: 'Enter a time zone such as Europe/Berlin, or UTC.',
      dailyCap: 'Enter a whole number from 1 to 100000, or leave it empty for no cap.',
      mode: 'Choose whether scripts go out on their own or wait for your approval.',
    });
  });

  it('reads unticked platforms as off, and repeated checkbox fields as a list', () => {
    const form = formFromBody({ ...Object.fromEntries(Object.entries(settingsToForm(defaults)).filter(([k]) => k !== 'platforms')), platforms: ['linkedin', 'email'] });
    const { candidate } = readSettingsForm(form, defaults);
    expect(candidate.platforms).toEqual(Object.fromEntries(PLATFORMS.map((p) => [p, p === 'linkedin' || p === 'email'])));
    const none = readSettingsForm(formFromBody({ ...form, platforms: undefined }), defaults);
    expect(Object.values(none.candidate.platforms).every((on) => !on)).toBe(true);
  });
});

describe('settings page and API', () => {
  let web: WebTest;
  let app: FastifyInstance;
  let session = '';

  beforeAll(async () => {
    web = await startWebTest();
    app = await web.app();
    session = await login(app);
  });

  afterAll(async () => {
    await web?.stop();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
  const post = (url: string, fields: URLSearchParams) =>
    app.inject({ method: 'POST', url, payload: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: { winnow_session: session } });
  const settingsStore = () => createSettingsStore(web.redis, web.store.keys.settings, web.config);

  it('shows every setting with a label, the values in force and the navigation', async () => {
    const response = await get('/settings');
    expect(response.statusCode).toBe(200);
    const body = response.body;
    for (const id of ['deadlineAmount', 'reminderAmount', 'quietStart', 'quietEnd', 'timeZone', 'dailyCap', 'dedupeAmount', 'blockList', 'allowList']) {
      expect(body, id).toMatch(new RegExp(`<label for="${id}"`));
      expect(body, id).toMatch(new RegExp(`id="${id}"`));
    }
    expect(body).toContain('<a href="/settings" aria-current="page">Settings</a>');
    for (const label of ['Overview', 'People', 'Awaiting address', 'Templates', 'Health']) expect(body).toContain(`>${label}</a>`);
    expect(body).toContain('value="hands_off" checked');
    expect(body).toContain('<option value="Europe/Berlin">');
    // Every platform can be switched, each with its readable name.
    for (const platform of PLATFORMS) {
      expect(body).toMatch(new RegExp(`<label><input type="checkbox" name="platforms" value="${platform}" checked> ${platform === 'email' ? 'Personal email' : platformLabel(platform)}</label>`));
    }
    // One script file of this origin (it disables the fields of an option that is off), nothing inline.
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('shows the quiet hours on the 24-hour clock its hint uses, and marks the fields that follow an option', async () => {
    const doc = parseHtml((await get('/settings')).body);
    for (const [field, value] of [
      ['quietStart', '21:00'],
      ['quietEnd', '08:00'],
    ] as const) {
      const input = one(doc, { tag: 'input', id: field });
      // A text field, not type="time", which a browser shows as "09:00 PM" in some locales.
      expect(attribute(input, 'type'), field).toBe('text');
      expect(attribute(input, 'value'), field).toBe(value);
    }
    const hint = text(one(doc, { tag: 'input', id: 'quietEnd' }).parent!.parent!);
    expect(hint).toContain('24-hour clock (21:00, not 9 PM)');
    // The reminder's delay and the quiet hours are disabled while their option is off, by the page's
    // script (a file of this origin); the stylesheet dims them without it.
    const reminder = one(doc, { tag: 'div', 'data-enabled-by': 'reminder=on' });
    expect(all(reminder, { tag: 'input' }).map((input) => attribute(input, 'name'))).toEqual(['reminderAmount']);
    expect(all(reminder, { tag: 'select' }).map((select) => attribute(select, 'name'))).toEqual(['reminderUnit']);
    const quiet = one(doc, { tag: 'div', 'data-enabled-by': 'quiet=on' });
    expect(all(quiet, { tag: 'input' }).map((input) => attribute(input, 'name'))).toEqual(['quietStart', 'quietEnd']);
    expect(all(doc, { tag: 'script' }).map((script) => attribute(script, 'src'))).toEqual([expect.stringMatching(/^\/assets\/settings\.js\?v=/)]);
  });

  it('saves a changed form, redirects with a notice, and the store holds the new settings', async () => {
    const fields = postedForm((await get('/settings')).body);
    fields.set('deadlineAmount', '3');
    fields.set('deadlineUnit', 'days');
    fields.set('reminder', 'on');
    fields.set('reminderAmount', '36');
    fields.set('reminderUnit', 'hours');
    fields.set('quiet', 'on');
    fields.set('quietStart', '22:00');
    fields.set('quietEnd', '07:00');
    fields.set('timeZone', 'Europe/Berlin');
    fields.set('dailyCap', '25');
    fields.set('mode', 'approval');
    fields.set('blockList', 'Spam.Example\r\nseller@pushy.example\r\n\r\n');
    fields.delete('platforms');
    for (const platform of PLATFORMS.filter((p) => p !== 'facebook')) fields.append('platforms', platform);
    const response = await post('/settings', fields);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/settings?saved=1');

    const saved = await settingsStore().get();
    expect(saved).toMatchObject({
      deadlineMs: 3 * DAY,
      reminderAfterMs: 36 * HOUR,
      quietHours: { start: '22:00', end: '07:00' },
      timeZone: 'Europe/Berlin',
      dailyCap: 25,
      mode: 'approval',
      blockList: ['spam.example', 'seller@pushy.example'],
    });
    expect(saved.platforms.facebook).toBe(false);
    expect(saved.platforms.linkedin).toBe(true);

    const page = await get('/settings?saved=1');
    expect(page.body).toContain('<p class="notice" role="status">Settings saved.');
    expect(page.body).toContain('value="approval" checked');
    expect(page.body).toMatch(/<input id="deadlineAmount"[^>]*value="3"/);
    expect(page.body).not.toMatch(/value="facebook" checked/);
  });

  it('refuses a wrong form with the problem beside each field, keeps what was typed, and changes nothing', async () => {
    const before = await settingsStore().get();
    const fields = postedForm((await get('/settings')).body);
    fields.set('timeZone', 'Mars/Olympus_Mons');
    fields.set('reminder', 'on');
    fields.set('reminderAmount', '10');
    fields.set('reminderUnit', 'days');
    fields.set('deadlineAmount', '2');
    fields.set('deadlineUnit', 'days');
    fields.set('allowList', 'friend@example.org\nnot an address <b>');
    const response = await post('/settings', fields);
    expect(response.statusCode).toBe(400);
    const body = response.body;
    expect(body).toContain('The settings were not saved.');
    // The store checks the whole object; its first problem is shown at its field.
    const problems = [...body.matchAll(/<p class="field-error" id="([^"]+)-error">([^<]*)<\/p>/g)].map((m) => [m[1], m[2]]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map(([field]) => field)).toContain('timeZone');
    expect(body).toContain('&quot;Mars/Olympus_Mons&quot; is not a time zone');
    expect(body).toMatch(/<input id="timeZone"[^>]*value="Mars\/Olympus_Mons"[^>]*aria-invalid="true" aria-describedby="timeZone-error"/);
    // What was typed stays, escaped.
    expect(body).toContain('friend@example.org\nnot an address &lt;b&gt;</textarea>');
    expect(await settingsStore().get()).toEqual(before);
  });

  it('says when the reminder would come after the deadline', async () => {
    const fields = postedForm((await get('/settings')).body);
    fields.set('deadlineAmount', '2');
    fields.set('deadlineUnit', 'days');
    fields.set('reminder', 'on');
    fields.set('reminderAmount', '3');
    fields.set('reminderUnit', 'days');
    const response = await post('/settings', fields);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<p class="field-error" id="reminderAmount-error">The reminder must go out before the deadline.</p>');
  });

  it('says which line of a list is not an address or a domain', async () => {
    const fields = postedForm((await get('/settings')).body);
    fields.set('blockList', 'ok.example\nnot a domain');
    const response = await post('/settings', fields);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<p class="field-error" id="blockList-error">&quot;not a domain&quot; must be an address (jane@example.org) or a domain (example.org).</p>');
  });

  it('lists every wrong value of a form in one answer: what the form reads, what the store checks, and the rules between fields', async () => {
    const before = await settingsStore().get();
    const fields = postedForm((await get('/settings')).body);
    fields.set('deadlineAmount', '2');
    fields.set('deadlineUnit', 'days');
    fields.set('reminder', 'on');
    fields.set('reminderAmount', '3');
    fields.set('reminderUnit', 'days');
    fields.set('timeZone', 'Mars/Olympus_Mons');
    fields.set('dailyCap', 'lots');
    fields.set('dedupeAmount', '0');
    fields.set('blockList', 'ok.example\nnot a domain');
    const response = await post('/settings', fields);
    expect(response.statusCode).toBe(400);
    const problems = Object.fromEntries([...response.body.matchAll(/<p class="field-error" id="([^"]+)-error">([^<]*)<\/p>/g)].map((m) => [m[1], m[2]]));
    expect(problems).toEqual({
      reminderAmount: 'The reminder must go out before the deadline.',
      timeZone: '&quot;Mars/Olympus_Mons&quot; is not a time zone; use a name such as Europe/Berlin, America/New_York or UTC.',
      dailyCap: 'Enter a whole number from 1 to 100000, or leave it empty for no cap.',
      dedupe: 'Enter the dedupe window as a number greater than 0, such as 7.',
      blockList: '&quot;not a domain&quot; must be an address (jane@example.org) or a domain (example.org).',
    });
    expect(await settingsStore().get()).toEqual(before);
  });

  it('needs the session and its CSRF token', async () => {
    const page = await get('/settings');
    const fields = postedForm(page.body);
    fields.delete('_csrf');
    expect((await post('/settings', fields)).statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'GET', url: '/settings' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fsettings');
  });

  it('GET and PUT /api/settings with the bearer token; PUT keeps fields it is not given', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/settings' })).statusCode).toBe(401);
    const current = (await app.inject({ method: 'GET', url: '/api/settings', headers: auth })).json();
    expect(current).toEqual(await settingsStore().get());

    const put = await app.inject({ method: 'PUT', url: '/api/settings', headers: auth, payload: { dailyCap: 7, platforms: { xing: false } } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ dailyCap: 7, timeZone: current.timeZone, platforms: { xing: false, linkedin: current.platforms.linkedin } });

    const bad = await app.inject({ method: 'PUT', url: '/api/settings', headers: auth, payload: { timeZone: 'Nowhere/City', dailyCap: 0 } });
    expect(bad.statusCode).toBe(400);
    const body = bad.json();
    expect(body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['dailyCap', 'timeZone']);
    expect((await settingsStore().get()).dailyCap).toBe(7);

    // Five wrong values: five problems in one answer, and nothing saved.
    const five = await app.inject({
      method: 'PUT',
      url: '/api/settings',
      headers: auth,
      payload: { deadlineMs: 2 * DAY, reminderAfterMs: 3 * DAY, timeZone: 'Nowhere/City', dailyCap: 0, mode: 'sometimes', blockList: ['ok.example', 'not a domain'] },
    });
    expect(five.statusCode).toBe(400);
    expect(five.json().problems).toEqual([
      { field: 'timeZone', message: 'is not a time zone (use a name such as Europe/Berlin or UTC)' },
      { field: 'dailyCap', message: 'must be between 1 and 100000, or null for no cap' },
      { field: 'mode', message: 'must be hands_off or approval' },
      { field: 'blockList.1', message: 'must be an address (jane@example.org) or a domain (example.org)' },
      { field: 'reminderAfterMs', message: 'must come before the deadline' },
    ]);
    expect(await settingsStore().get()).toMatchObject({ dailyCap: 7, deadlineMs: current.deadlineMs });

    // A field that is not a setting (a typo, or a setting of another version) is refused by name.
    const unknown = await app.inject({ method: 'PUT', url: '/api/settings', headers: auth, payload: { dailyCap: 9, dailycap: 9, quietHour: null, platforms: { myspace: true } } });
    expect(unknown.statusCode).toBe(400);
    const refused = unknown.json();
    expect(refused.problems.map((p: { field: string }) => p.field).sort()).toEqual(['dailycap', 'platforms.myspace', 'quietHour']);
    expect(refused.message).toMatch(/dailycap is not a setting \(the settings are deadlineMs, .*dailyCap/);
    expect((await settingsStore().get()).dailyCap).toBe(7);

    // A form post to the API is not a way around the token.
    const unauthorised = await app.inject({ method: 'PUT', url: '/api/settings', payload: { dailyCap: 1 } });
    expect(unauthorised.statusCode).toBe(401);
  });
  it('holds unverified senders for approval by default; answering them hands-off saves with a warning on the page', async () => {
    const before = (await get('/settings')).body;
    expect(before).toContain('name="unverifiedMail" value="approve" checked');
    expect(before).not.toContain('id="unverified-warning"');
    const fields = postedForm(before);
    fields.set('unverifiedMail', 'accept');
    expect((await post('/settings', fields)).statusCode).toBe(303);
    expect((await settingsStore().get()).unverifiedMail).toBe('accept');
    const after = (await get('/settings')).body;
    expect(after).toContain('name="unverifiedMail" value="accept" checked');
    expect(after).toContain('id="unverified-warning"');
    expect(after).toContain("anyone can write to you in someone else's name");
    fields.set('unverifiedMail', 'approve');
    expect((await post('/settings', fields)).statusCode).toBe(303);
  });

  it('offers the authserv-id that tops most recent mail for AUTHSERV_ID, without believing it', async () => {
    for (const id of ['mx.example.org', 'mx.example.org', null, 'mx.example.org', 'mx.example.org']) await web.store.noteAuthservId(id);
    const body = (await get('/settings')).body;
    expect(body).toContain('<strong>Is <code>mx.example.org</code> your receiving server?</strong> It wrote the topmost Authentication-Results of 4 of your last 5 mails.');
    expect(body).toContain('set <code>AUTHSERV_ID=mx.example.org</code> and restart');
  });
});
