import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTemplateStore } from '../../src/script/store.ts';
import { loadDefaultTemplates, type CompiledScript } from '../../src/script/template.ts';
import type { ScriptPerson } from '../../src/script/render.ts';
import { TestSendError, type TestSendResult } from '../../src/script/test-send.ts';
import { addPerson, API_TOKEN, hiddenCsrf, login, startWebTest, type WebTest } from './helpers.ts';

const auth = { authorization: `Bearer ${API_TOKEN}` };

function cspOf(header: unknown): Record<string, string> {
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
}

/** The text of an element by id, with entities decoded as a browser shows them. */
function textOf(body: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(body);
  if (!match) throw new Error(`no element #${id}`);
  return match[1]!.replace(/^\n/, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('templates page', () => {
  let web: WebTest;
  let app: FastifyInstance;
  let session = '';
  let csrf = '';
  let defaults: Awaited<ReturnType<typeof loadDefaultTemplates>>;
  const tests: Array<{ compiled: CompiledScript; person: ScriptPerson }> = [];
  let refuseTests = false;

  beforeAll(async () => {
    web = await startWebTest();
    defaults = await loadDefaultTemplates();
    // A small stand-in for the SMTP side of "send a test to myself" (the browser test sends for real).
    const sendTest = async (compiled: CompiledScript, person: ScriptPerson): Promise<TestSendResult> => {
      if (refuseTests) throw new TestSendError('550 5.7.1 relaying denied', true);
      tests.push({ compiled, person });
      return { to: 'me@example.test', subject: `[Test] ${compiled.render({ name: person.name, firstName: person.firstName, platform: 'LinkedIn', userName: 'Morgan', originalSubject: person.subject }).subject}`, response: '250 2.0.0 Ok: queued' };
    };
    app = await web.app({ deps: { sendTest } });
    session = await login(app);
    csrf = hiddenCsrf((await get('/templates/script')).body);
  });

  afterAll(async () => {
    await web?.stop();
  });

  const templates = () => createTemplateStore(web.redis, web.store.keys.templates, defaults);
  const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, cookies: { winnow_session: session } });
  const source = (overrides: Partial<Record<'subject' | 'text' | 'html', string>> = {}) => ({ ...defaults.script.source, ...overrides });

  it('/templates opens the script', async () => {
    const response = await get('/templates');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/templates/script');
  });

  it('shows the script in labelled fields, the default in use, a sandboxed preview, versions and variables', async () => {
    const response = await get('/templates/script');
    expect(response.statusCode).toBe(200);
    const body = response.body;
    for (const [id, label] of [['subject', 'Subject'], ['text', 'Text part'], ['html', 'HTML part'], ['note', 'Note for this version']]) {
      expect(body).toContain(`<label for="${id}">${label}`);
    }
    expect(textOf(body, 'text')).toBe(defaults.script.source.text);
    expect(body).toContain('In use: <strong>the default</strong> from <code>templates/script/</code>');
    expect(body).toContain('No saved versions yet.');
    for (const name of ['name', 'firstName', 'platform', 'userName', 'originalSubject']) expect(body).toContain(`<dt><code>{{${name}}}</code></dt>`);
    // The preview: the sample person, the text as text, the HTML part only in a sandboxed frame.
    expect(textOf(body, 'preview-subject')).toBe('Re: Invitation to connect on LinkedIn');
    expect(textOf(body, 'preview-text')).toContain('Hi Sam,');
    expect(body).toMatch(/<iframe class="mail-html" src="\/templates\/script\/preview-frame\?v=[a-z0-9]+" sandbox="" referrerpolicy="no-referrer"/);
    expect(body).not.toContain('<p>Hi Sam,</p>');
    expect(body).toContain('<a href="/templates" aria-current="page">Templates</a>');
    // The live preview is a script file of this origin; nothing inline.
    expect(body).toMatch(/<script src="\/assets\/templates\.js\?v=[\w-]+" defer><\/script>/);
    expect(body).not.toMatch(/<script>|<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=/i);
    expect(cspOf(response.headers['content-security-policy'])).toEqual({
      'default-src': "'none'",
      'style-src': "'self'",
      'img-src': "'self'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      'script-src': "'self'",
      'connect-src': "'self'",
      'frame-src': "'self'",
    });
  });

  it('serves the preview frame as a sandbox of its own that can run and load nothing', async () => {
    const page = await get('/templates/script');
    const src = /<iframe class="mail-html" src="([^"]+)"/.exec(page.body)![1]!;
    const frame = await get(src);
    expect(frame.statusCode).toBe(200);
    expect(frame.body).toContain('<p>Hi Sam,</p>');
    expect(cspOf(frame.headers['content-security-policy'])).toEqual({
      'default-src': "'none'",
      'style-src': "'unsafe-inline'",
      'img-src': 'data:',
      'form-action': "'none'",
      'frame-ancestors': "'self'",
      'base-uri': "'none'",
      sandbox: '',
    });
    expect(frame.headers['cache-control']).toBe('no-store');
    // Another visitor's session cannot see this one's draft; without a session there is no frame.
    expect((await app.inject({ method: 'GET', url: src })).statusCode).toBe(303);
  });

  it('previews a draft as JSON for the live preview, and the frame then shows the draft', async () => {
    const response = await post('/templates/script/preview', { _csrf: csrf, person: 'sample', ...source({ subject: 'Hello {{firstName}}', html: '<p style="color:#333">Dear {{name}}</p>' }) }, { accept: 'application/json' });
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ ok: true, subject: 'Hello Sam' });
    expect(result.text).toContain('Hi Sam,');
    const frame = await get(result.frameUrl);
    expect(frame.body).toContain('<p style="color:#333">Dear Sam Sample</p>');
    // Nothing was saved.
    expect((await templates().current('script')).version).toBeNull();
  });

  it('answers a broken draft in the live preview with the part, line and column', async () => {
    const response = await post('/templates/script/preview', { _csrf: csrf, ...source({ html: '<p>Hi</p>\n<p>{{nme}}</p>' }) }, { accept: 'application/json' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: false, error: { part: 'html', line: 2, column: 6, problem: expect.stringContaining('unknown variable "nme"') } });
  });

  it('previews without JavaScript: the page comes back with the draft in the editor and in the preview', async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'preview', person: 'sample', note: 'kept', ...source({ subject: 'Nice to meet you, {{firstName}}' }) });
    expect(response.statusCode).toBe(200);
    expect(textOf(response.body, 'subject')).toBe('Nice to meet you, {{firstName}}');
    expect(textOf(response.body, 'preview-subject')).toBe('Nice to meet you, Sam');
    expect(response.body).toContain('Showing what the editor holds (not saved).');
    expect(response.body).toMatch(/<input id="note"[^>]*value="kept"/);
    expect((await templates().current('script')).version).toBeNull();
  });

  it('saves a version with its note; the page says so and lists it; the store has it in force', async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', person: 'sample', note: 'shorter subject', ...source({ subject: 'Hello from {{userName}}', text: 'Line one\r\nLine two\r\n' }) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/templates/script?saved=1');
    const current = await templates().current('script');
    expect(current.version).toBe(1);
    // Browsers send CRLF; the template keeps plain line feeds.
    expect(current.compiled.source.text).toBe('Line one\nLine two\n');

    const page = await get(response.headers.location!);
    expect(page.body).toContain('<p class="notice" role="status">Script saved as version 1.');
    expect(page.body).toMatch(/In use: <strong>version 1<\/strong>, saved <time[^>]*>[^<]+<\/time> \(“shorter subject”\)/);
    expect(page.body).toMatch(/<th scope="row">1 <span class="status status-accepted">in use<\/span><\/th>/);
    expect(textOf(page.body, 'subject')).toBe('Hello from {{userName}}');
  });

  it('refuses a broken template beside the field, keeps the draft, and the version in force stays', async () => {
    const broken = '<p>Hi {{firstName}}</p>\n<p>{{#each name}}x{{/each}}</p>';
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'broken', ...source({ html: broken }) });
    expect(response.statusCode).toBe(400);
    const body = response.body;
    expect(body).toContain('The script was not saved: the html part has a problem.</strong> Version 1 stays in use.');
    expect(body).toMatch(/<textarea id="html"[^>]*aria-describedby="html-hint html-error" aria-invalid="true">/);
    expect(body).toContain('<p class="field-error" id="html-error" data-part="html" data-line="2" data-column="4">Line 2, column 4: the block {{#each}} is not allowed: only {{#if}} and {{#unless}} are</p>');
    expect(textOf(body, 'html')).toBe(broken);
    const current = await templates().current('script');
    expect(current.version).toBe(1);
    expect(current.compiled.source.subject).toBe('Hello from {{userName}}');
    expect(await templates().versions('script')).toHaveLength(1);
  });

  it('shows a version, and restores an old one as a new version', async () => {
    await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'second', ...source({ subject: 'Second <subject> & co' }) });
    const view = await get('/templates/script/versions/2');
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('Second &lt;subject&gt; &amp; co');
    expect(view.body).toContain('This version is in use.');
    expect((await get('/templates/script/versions/99')).statusCode).toBe(404);

    const restore = await post('/templates/script/restore', { _csrf: csrf, version: '1' });
    expect(restore.statusCode).toBe(303);
    expect(restore.headers.location).toBe('/templates/script?restored=3');
    const current = await templates().current('script');
    expect(current.version).toBe(3);
    expect(current.compiled.source.subject).toBe('Hello from {{userName}}');
    const page = await get('/templates/script?restored=3');
    expect(page.body).toContain('Restored: the script in use is now version 3.');
    expect(page.body).toContain('restored version 1');
    expect((await post('/templates/script/restore', { _csrf: csrf, version: '42' })).statusCode).toBe(404);
  });

  it('previews against a real person with a hostile name: escaped in the page and in the frame', async () => {
    const id = await addPerson(web.store, { name: '<script>alert(1)</script> Mallory', firstName: '<img src=x onerror=alert(2)>', subject: '"><svg onload=alert(3)>' });
    const page = await get(`/templates/script?person=${id}`);
    expect(page.body).toMatch(new RegExp(`<option value="${id}" selected>&lt;script&gt;alert\\(1\\)&lt;/script&gt; Mallory`));
    expect(page.body).not.toMatch(/<img src=x|<svg|<script>alert/);
    const src = /<iframe class="mail-html" src="([^"]+)"/.exec(page.body)![1]!;
    const frame = await get(src);
    // Not a name: the script greets them neutrally and carries none of it.
    expect(frame.body).toContain('Hi there,');
    expect(frame.body).not.toMatch(/<img|onerror/);
  });

  it('refuses a variable in an unquoted attribute when saving, with its line and column', async () => {
    const unquoted = '<p>Hi {{firstName}}</p>\n<p><a title={{name}}>profile</a></p>';
    const before = await templates().versions('script');
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'unquoted', ...source({ html: unquoted }) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('The script was not saved: the html part has a problem.');
    expect(response.body).toMatch(/<p class="field-error" id="html-error" data-part="html" data-line="2" data-column="13">Line 2, column 13: \{\{name\}\} is in an attribute value without quotes/);
    expect(textOf(response.body, 'html')).toBe(unquoted);
    expect(await templates().versions('script')).toEqual(before);
  });

  it('sends a test of the draft to the user, for the chosen person, and says what the server answered', async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'test', person: 'sample', ...source({ subject: 'Test me, {{firstName}}' }) });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('A test went to me@example.test with the subject “[Test] Test me, Sam” (the mail server said: 250 2.0.0 Ok: queued). Nothing was saved.');
    expect(tests.at(-1)!.person.name).toBe('Sam Sample');
    expect(textOf(response.body, 'subject')).toBe('Test me, {{firstName}}');
    expect((await templates().current('script')).version).toBe(3);

    refuseTests = true;
    const refused = await post('/templates/script', { _csrf: csrf, intent: 'test', ...source() });
    refuseTests = false;
    expect(refused.statusCode).toBe(502);
    expect(refused.body).toContain('The test was not sent: 550 5.7.1 relaying denied');
  });

  it('keeps the reminder apart, and says whether reminders are on', async () => {
    const page = await get('/templates/reminder');
    expect(page.body).toContain('<a href="/templates/reminder" aria-current="page">Reminder</a>');
    expect(page.body).toContain('Reminders are off');
    expect(textOf(page.body, 'text')).toBe(defaults.reminder.source.text);
    expect((await get('/templates/nonsense')).statusCode).toBe(400);
  });

  it('refuses posts without the session CSRF token', async () => {
    expect((await post('/templates/script', { intent: 'save', ...source() })).statusCode).toBe(403);
    expect((await post('/templates/script/preview', { _csrf: 'forged', ...source() }, { accept: 'application/json' })).statusCode).toBe(403);
    expect((await post('/templates/script/restore', { version: '1' })).statusCode).toBe(403);
    expect((await templates().current('script')).version).toBe(3);
  });

  it('GET /api/templates and PUT /api/templates/:kind with the bearer token', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/templates' })).statusCode).toBe(401);
    const list = (await app.inject({ method: 'GET', url: '/api/templates', headers: auth })).json();
    expect(list.script.version).toBe(3);
    expect(list.script.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(list.reminder).toMatchObject({ version: null, source: defaults.reminder.source, versions: [] });

    const put = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { ...defaults.reminder.source, subject: 'Gentle nudge', note: 'from the API' } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ version: 1, kind: 'reminder', note: 'from the API' });

    const broken = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { ...defaults.reminder.source, text: 'Hi {{> partial}}' } });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ template: { part: 'text', line: 1, column: 4 } });
    expect((await templates().current('reminder')).version).toBe(1);
  });

  it('the API does what the page does: preview a draft for a person, send a test, restore a version', async () => {
    const api = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: auth, payload });
    for (const url of ['/api/templates/script/preview', '/api/templates/script/test', '/api/templates/script/restore']) {
      expect((await app.inject({ method: 'POST', url, payload: {} })).statusCode, url).toBe(401);
    }
    const id = await addPerson(web.store, { name: "Grace O'Hopper", firstName: 'Grace' });
    const draft = { subject: 'Hi {{firstName}}', text: 'Hello {{name}}', html: '<p>Hello {{name}}</p>' };

    const preview = await api('/api/templates/script/preview', { ...draft, person: id });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toEqual({ subject: 'Hi Grace', text: "Hello Grace O'Hopper", html: '<p>Hello Grace O&#x27;Hopper</p>' });
    expect((await api('/api/templates/script/preview', draft)).json()).toMatchObject({ subject: 'Hi Sam' });
    const broken = await api('/api/templates/script/preview', { ...draft, html: '{{#each name}}x{{/each}}' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ statusCode: 400, template: { part: 'html', line: 1, column: 1 } });
    expect((await api('/api/templates/script/preview', { ...draft, person: 'nobody' })).statusCode).toBe(404);
    expect((await api('/api/templates/script/preview', { subject: 'x' })).json().message).toContain('text: must be text');

    const sent = await api('/api/templates/script/test', { ...draft, person: id });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ to: 'me@example.test', subject: '[Test] Hi Grace', response: '250 2.0.0 Ok: queued' });
    expect(tests.at(-1)!.person.name).toBe("Grace O'Hopper");
    refuseTests = true;
    const refused = await api('/api/templates/script/test', draft);
    refuseTests = false;
    expect(refused.statusCode).toBe(502);
    expect(refused.json().message).toBe('The test was not sent: 550 5.7.1 relaying denied');

    const before = (await templates().current('script')).version!;
    const restored = await api('/api/templates/script/restore', { version: 1 });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ version: before + 1, kind: 'script', note: 'restored version 1' });
    expect((await templates().current('script')).version).toBe(before + 1);
    expect((await api('/api/templates/script/restore', { version: 99 })).statusCode).toBe(404);
    expect((await api('/api/templates/script/restore', { version: 'one' })).statusCode).toBe(400);
  });
});
