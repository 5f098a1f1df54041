import type { FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { platformLabel, PLATFORMS } from '../../src/vocabulary/platforms.ts';
import { createSettingsStore, defaultSettings } from '../../src/settings/settings.ts';
import { formFromBody, readSettingsForm, settingsToForm } from '../../src/web/views/settings.ts';
import { all, attribute, has, one, parseHtml, rawText, text } from '../support/dom.ts';
import { API_TOKEN, login, useWebTest } from './helpers.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const auth = { authorization: `Bearer ${API_TOKEN}` };

/** The settings form as the page shows it, as a browser would post it back (checkboxes repeat). */
function postedForm(page: string): URLSearchParams {
  const fields = new URLSearchParams();
  const form = one(parseHtml(page), 'form[action="/settings"]');
  for (const input of all(form, 'input[name]')) {
    const type = attribute(input, 'type') ?? 'text';
    if ((type === 'checkbox' || type === 'radio') && attribute(input, 'checked') === undefined) continue;
    // Checkboxes of one name repeat.
    if (type === 'checkbox') fields.append(attribute(input, 'name')!, attribute(input, 'value') ?? 'on');
    else fields.set(attribute(input, 'name')!, attribute(input, 'value') ?? '');
  }
  for (const select of all(form, 'select[name]')) fields.set(attribute(select, 'name')!, attribute(all(select, 'option[selected]')[0] ?? one(select, 'option'), 'value') ?? '');
  for (const textarea of all(form, 'textarea[name]')) fields.set(attribute(textarea, 'name')!, rawText(textarea).replace(/^\n/, ''));
  return fields;
}

/** The problems the page shows beside its fields, by field. */
function fieldErrors(page: string): Record<string, string> {
  return Object.fromEntries(all(parseHtml(page), 'p.field-error[id$="-error"]').map((error) => [attribute(error, 'id')!.replace(/-error$/, ''), text(error)]));
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
  const web = useWebTest();
  let app: FastifyInstance;
  let session = '';

  beforeEach(async () => {
    app = await web.app();
    session = await login(app);
  });

  const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
  const post = (url: string, fields: URLSearchParams) =>
    app.inject({ method: 'POST', url, payload: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: { winnow_session: session } });
  const settingsStore = () => createSettingsStore(web.redis, web.store.keys.settings, web.config);

  it('shows every setting with a label, the values in force and the navigation', async () => {
    const response = await get('/settings');
    expect(response.statusCode).toBe(200);
    const doc = parseHtml(response.body);
    for (const id of ['deadlineAmount', 'reminderAmount', 'quietStart', 'quietEnd', 'timeZone', 'dailyCap', 'dedupeAmount', 'blockList', 'allowList']) {
      expect(text(one(doc, `label[for="${id}"]`)), id).not.toBe('');
      expect(has(doc, `#${id}`), id).toBe(true);
    }
    expect(text(one(doc, 'a[href="/settings"][aria-current="page"]'))).toBe('Settings');
    const nav = all(one(doc, 'nav[aria-label="Main"]'), 'a').map(text);
    for (const label of ['Overview', 'People', 'Awaiting address', 'Templates', 'Health']) expect(nav).toContain(label);
    expect(has(doc, 'input[value="hands_off"][checked]')).toBe(true);
    expect(has(doc, 'option[value="Europe/Berlin"]')).toBe(true);
    // Every platform can be switched, each with its readable name.
    for (const platform of PLATFORMS) {
      const box = one(doc, `input[type="checkbox"][name="platforms"][value="${platform}"][checked]`);
      expect(box.parent!.type === 'tag' && (box.parent as typeof box).name, platform).toBe('label');
      expect(text(box.parent!), platform).toBe(platform === 'email' ? 'Personal email' : platformLabel(platform));
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
      const input = one(doc, `input#${field}`);
      // A text field, not type="time", which a browser shows as "09:00 PM" in some locales.
      expect(attribute(input, 'type'), field).toBe('text');
      expect(attribute(input, 'value'), field).toBe(value);
    }
    const hint = text(one(doc, 'input#quietEnd').parent!.parent!);
    expect(hint).toContain('24-hour clock (21:00, not 9 PM)');
    // The reminder's delay and the quiet hours are disabled while their option is off, by the page's
    // script (a file of this origin); the stylesheet dims them without it.
    const reminder = one(doc, 'div[data-enabled-by="reminder=on"]');
    expect(all(reminder, 'input').map((input) => attribute(input, 'name'))).toEqual(['reminderAmount']);
    expect(all(reminder, 'select').map((select) => attribute(select, 'name'))).toEqual(['reminderUnit']);
    const quiet = one(doc, 'div[data-enabled-by="quiet=on"]');
    expect(all(quiet, 'input').map((input) => attribute(input, 'name'))).toEqual(['quietStart', 'quietEnd']);
    expect(all(doc, 'script').map((script) => attribute(script, 'src'))).toEqual([expect.stringMatching(/^\/assets\/settings\.js\?v=/)]);
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

    const page = parseHtml((await get('/settings?saved=1')).body);
    expect(text(one(page, 'p.notice[role="status"]'))).toMatch(/^Settings saved\./);
    expect(has(page, 'input[value="approval"][checked]')).toBe(true);
    expect(attribute(one(page, 'input#deadlineAmount'), 'value')).toBe('3');
    expect(has(page, 'input[value="facebook"][checked]')).toBe(false);
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
    const doc = parseHtml(response.body);
    expect(text(doc)).toContain('The settings were not saved.');
    // The store checks the whole object; its first problem is shown at its field.
    const problems = fieldErrors(response.body);
    expect(problems.timeZone).toContain('"Mars/Olympus_Mons" is not a time zone');
    const timeZone = one(doc, 'input#timeZone');
    expect([attribute(timeZone, 'value'), attribute(timeZone, 'aria-invalid'), attribute(timeZone, 'aria-describedby')]).toEqual(['Mars/Olympus_Mons', 'true', 'timeZone-error']);
    // What was typed stays, as text.
    expect(rawText(one(doc, 'textarea#allowList')).replace(/^\n/, '')).toBe('friend@example.org\nnot an address <b>');
    expect(has(one(doc, 'textarea#allowList'), 'b')).toBe(false);
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
    expect(fieldErrors(response.body).reminderAmount).toBe('The reminder must go out before the deadline.');
  });

  it('says which line of a list is not an address or a domain', async () => {
    const fields = postedForm((await get('/settings')).body);
    fields.set('blockList', 'ok.example\nnot a domain');
    const response = await post('/settings', fields);
    expect(response.statusCode).toBe(400);
    expect(fieldErrors(response.body).blockList).toBe('"not a domain" must be an address (jane@example.org) or a domain (example.org).');
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
    expect(fieldErrors(response.body)).toEqual({
      reminderAmount: 'The reminder must go out before the deadline.',
      timeZone: '"Mars/Olympus_Mons" is not a time zone; use a name such as Europe/Berlin, America/New_York or UTC.',
      dailyCap: 'Enter a whole number from 1 to 100000, or leave it empty for no cap.',
      dedupe: 'Enter the dedupe window as a number greater than 0, such as 7.',
      blockList: '"not a domain" must be an address (jane@example.org) or a domain (example.org).',
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

  it('writes to a platform\'s reply relay only when the user ticks it, and says a relay is not the person\'s own address', async () => {
    const before = (await get('/settings')).body;
    const relays = (body: string) => one(parseHtml(body), 'input[type="checkbox"][name="relays"][value="on"][aria-describedby="relays-hint"]');
    expect(attribute(relays(before), 'checked')).toBeUndefined();
    expect(text(parseHtml(before))).toContain("A relay is not the person's own address");
    expect((await settingsStore().get()).sendToRelays).toBe(false);
    const fields = postedForm(before);
    fields.set('relays', 'on');
    expect((await post('/settings', fields)).statusCode).toBe(303);
    expect((await settingsStore().get()).sendToRelays).toBe(true);
    expect(attribute(relays((await get('/settings')).body), 'checked')).toBe('');
    fields.delete('relays');
    expect((await post('/settings', fields)).statusCode).toBe(303);
    expect((await settingsStore().get()).sendToRelays).toBe(false);
  });

  it('offers the authserv-id that tops most recent mail for AUTHSERV_ID, without believing it', async () => {
    for (const id of ['mx.example.org', 'mx.example.org', null, 'mx.example.org', 'mx.example.org']) await web.store.noteAuthservId(id);
    const doc = parseHtml((await get('/settings')).body);
    const question = all(doc, 'strong').find((strong) => text(strong) === 'Is mx.example.org your receiving server?')!;
    expect(text(one(question, 'code'))).toBe('mx.example.org');
    expect(text(question.parent!)).toContain('Is mx.example.org your receiving server? It wrote the topmost Authentication-Results of 4 of your last 5 mails.');
    expect(text(question.parent!)).toContain('set AUTHSERV_ID=mx.example.org and restart');
    expect(all(doc, 'code').map(text)).toContain('AUTHSERV_ID=mx.example.org');
  });
});
