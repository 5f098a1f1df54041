import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { logIn, useDashboard, type PageWatch } from '../support/browser.ts';
import { linkedInInvitation2016, replaceHeader } from '../support/requests.ts';
import { signMail } from '../support/dkim.ts';
import { buildMail } from '../support/mail.ts';

/**
 * Hostile mail, delivered for real (Dovecot, the watcher, the classifier, the store), must only
 * ever become text on the dashboard. Every payload would set window.__xss, open a dialog or load
 * something from another host if it ran; the browser checks that none did, on every page, and
 * that the hostile text is shown, escaped. All mail here is constructed.
 */

/** The live preview waits a quarter second after typing, then asks the server: allow for a busy machine. */
const LIVE = { timeout: 10_000, interval: 50 };

const dashboard = useDashboard(['me']);

/** Real mail through Dovecot and the workers on a loaded CI machine: waits end on the event, this is only the limit. */
const MAIL_MS = 20_000;

/** Base64 RFC 2047 encoded word, so the payload only appears after the header is decoded. */
const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
const qEncodedWord = (text: string) =>
  `=?UTF-8?Q?${[...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`;

// Each payload names itself, so a failure says which one ran.
const NAME = `Eve <script>window.__xss='name';alert('name')</script><img src=x onerror="window.__xss='name-img'">`;
const ENCODED_NAME = `Mallory <svg onload="window.__xss='encoded-name';alert('encoded-name')"></svg>`;
const SUBJECT = `Let's connect "><img src=x onerror="window.__xss='subject'"><a href="javascript:window.__xss='subject-link'">`;
const BODY = [
  "Hi Morgan, I'd like to connect.",
  `<script>window.__xss='body'</script>`,
  `<a href="javascript:window.__xss='body-link'">my site</a> and javascript:alert('bare')`,
  `<img src="http://127.0.0.2:9/pixel.gif"> <style>body{display:none}</style>`,
].join('\n');
const ANSWER = [
  `I run <b onmouseover="window.__xss='answer'">Evil Corp</b>; see <a href="javascript:alert('answer-link')">this</a>.`,
  `<iframe src="javascript:window.__xss='answer-frame'"></iframe><form action="https://evil.example/"><button>Win</button></form>`,
  `"><script>window.__xss='answer-script'</script>`,
].join('\n');
const HEADLINE = `CEO <img src=x onerror="window.__xss='headline'"> & "Founder"`;
// Platform names lose anything with angle brackets on the way in; quotes that would end an attribute stay.
const AWAITING_NAME = `Trudy" autofocus onfocus="window.__xss='awaiting'" x='`;

interface PageState {
  xss: unknown;
  bad: string[];
  text: string;
}

/** What a document holds that could run: event handlers, javascript: URLs, foreign scripts, frames. */
const INSPECT = `(() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      if (/^on/i.test(attribute.name)) bad.push(el.tagName + ' ' + attribute.name);
      if (/^(href|src|action|formaction|xlink:href|srcdoc)$/i.test(attribute.name) && /^\\s*(javascript|data|vbscript):/i.test(attribute.value)) bad.push(el.tagName + ' ' + attribute.name + '=' + attribute.value);
    }
  }
  for (const script of document.querySelectorAll('script')) if (!/^\\/assets\\//.test(script.getAttribute('src') || '')) bad.push('script ' + (script.getAttribute('src') || 'inline'));
  for (const frame of document.querySelectorAll('iframe')) if (!/^\\/templates\\/(script|reminder)\\/preview-frame\\b/.test(frame.getAttribute('src') || '') || frame.getAttribute('sandbox') !== '') bad.push('iframe ' + frame.outerHTML.slice(0, 120));
  for (const form of document.querySelectorAll('form')) if (!/^\\//.test(form.getAttribute('action') || '/')) bad.push('form to ' + form.getAttribute('action'));
  return { xss: typeof window.__xss === 'undefined' ? null : window.__xss, bad, text: document.body ? document.body.innerText : '' };
})()`;

async function inspect(page: Page): Promise<PageState[]> {
  const states: PageState[] = [];
  for (const frame of page.frames()) {
    try {
      states.push((await frame.evaluate(INSPECT)) as PageState);
    } catch (error) {
      // The live preview swaps its frame for a new one; a frame removed meanwhile has nothing left to inspect.
      if (!frame.isDetached()) throw error;
    }
  }
  return states;
}

async function expectInert(page: Page, watch: PageWatch, where: string) {
  // Give anything that would run on hover or focus its chance: move over and tab through the page.
  await page.mouse.move(10, 10);
  const points = (await page.evaluate(
    "[...document.querySelectorAll('main *')].slice(0, 80).map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0 && r.y < innerHeight).map((r) => [r.x + 2, r.y + 2])",
  )) as Array<[number, number]>;
  for (const [x, y] of points) await page.mouse.move(x, y);
  for (let i = 0; i < 15; i++) await page.keyboard.press('Tab');
  const states = await inspect(page);
  for (const state of states) {
    expect(state.xss, `${where}: window.__xss`).toBeNull();
    expect(state.bad, `${where}: live markup`).toEqual([]);
  }
  expect(watch.dialogs, `${where}: dialogs`).toEqual([]);
  expect(watch.cspViolations, `${where}: CSP violations\n${watch.console.join('\n')}`).toEqual([]);
  expect(watch.pageErrors, `${where}: page errors`).toEqual([]);
  expect(watch.foreignRequests, `${where}: requests to other hosts`).toEqual([]);
  return states.map((state) => state.text).join('\n');
}

// Real mail and a real browser on a shared 2-core machine: more time than a unit test.
describe('hostile mail on every page', { timeout: 60_000 }, () => {
  it('is shown as text, and no script of it runs, anywhere', async () => {
    const target = await dashboard.start('me');
    const { sandbox } = dashboard.suite;
    const me = target.winnow.user.address;

    // 1. A personal request with a hostile name, subject and body; its sender answers the script with a hostile answer.
    // Signed by her domain: a hostile sender can be a genuine one, and genuine ones get the script.
    await sandbox.deliver(me, await signMail(await buildMail({ from: { name: NAME, address: 'eve@evil.example' }, to: me, subject: SUBJECT, text: BODY })));
    const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes('eve@evil.example'), MAIL_MS);
    // Recorded as asked (the script's Message-ID with it) before she answers it, as in life.
    await target.winnow.waitForContact((c) => c.email === 'eve@evil.example' && c.status === 'asked', MAIL_MS);
    await sandbox.deliver(
      me,
      await buildMail({
        from: { name: NAME, address: 'eve@evil.example' },
        to: me,
        headers: { Subject: { prepared: true, value: qEncodedWord(`Re: <script>window.__xss='answer-subject'</script>`) } },
        inReplyTo: script.messageId!,
        references: [script.messageId!],
        text: ANSWER,
        html: `<p>${ANSWER}</p><script>window.__xss='answer-html'</script>`,
      }),
    );
    // 2. A request whose name only turns hostile once its RFC 2047 encoded word is decoded.
    const encoded = await buildMail({
      from: { name: 'Placeholder', address: 'mallory@evil.example' },
      to: me,
      headers: { Subject: { prepared: true, value: encodedWord(`Let's connect <img src=x onerror="window.__xss='encoded-subject'">`) } },
      text: `Hello Morgan, I'd like to connect.\n${HEADLINE}`,
    });
    await sandbox.deliver(me, replaceHeader(encoded, 'From', `${encodedWord(ENCODED_NAME)} <mallory@evil.example>`));
    // 3. A platform invitation with no address: the person waits on the awaiting-address page.
    await sandbox.deliver(me, await linkedInInvitation2016({ name: AWAITING_NAME, headline: HEADLINE, invitationId: '6132985418842456999', fromHeader: `${encodedWord(AWAITING_NAME)} <invitations@linkedin.com>` }, me));

    const eve = await target.winnow.waitForContact((c) => c.email === 'eve@evil.example' && c.status === 'answered', MAIL_MS);
    const mallory = await target.winnow.waitForContact((c) => c.email === 'mallory@evil.example', MAIL_MS);
    const trudy = await target.winnow.waitForContact((c) => c.status === 'awaiting_address', MAIL_MS);
    // The store holds the payloads as text: they reached the pages' data for real.
    expect(eve.name).toContain("<script>window.__xss='name'");
    expect(eve.answerText).toContain(`<b onmouseover="window.__xss='answer'">`);
    expect(mallory.name).toContain('<svg onload=');
    expect(trudy.name).toContain('onfocus=');

    const { page, watch } = await dashboard.browser.page({ origin: target.baseUrl });
    await logIn(page, target.baseUrl, target.password);

    const visits: Array<{ url: string; shows: string[] }> = [
      { url: '/', shows: [] },
      { url: '/people', shows: ["<script>window.__xss='name';alert('name')</script>", `<svg onload="window.__xss='encoded-name'`, 'I run <b onmouseover='] },
      { url: `/contacts/${eve.id}`, shows: ["<script>window.__xss='name'", 'I run <b onmouseover=', `"><img src=x onerror="window.__xss='subject'"`] },
      { url: `/contacts/${mallory.id}`, shows: [`<svg onload="window.__xss='encoded-name'`] },
      { url: `/contacts/${trudy.id}`, shows: [`Trudy" autofocus onfocus="window.__xss='awaiting'"`] },
      { url: '/awaiting', shows: [`Trudy" autofocus onfocus="window.__xss='awaiting'"`] },
      { url: `/templates/script?person=${eve.id}`, shows: ['Hi Eve,'] },
      { url: `/templates/script?person=${trudy.id}`, shows: ['Trudy'] },
      { url: '/templates/reminder', shows: [] },
    ];
    for (const visit of visits) {
      const response = await page.goto(`${target.baseUrl}${visit.url}`);
      // goto waits for the load event, which waits for the preview frame too.
      expect(response?.status(), visit.url).toBe(200);
      const text = await expectInert(page, watch, visit.url);
      for (const shown of visit.shows) expect(text, `${visit.url} shows the hostile text as text`).toContain(shown);
    }
    await page.goto(`${target.baseUrl}/templates/script?person=${eve.id}`);
    expect(await page.locator('#person option:checked').textContent()).toContain("Eve <script>window.__xss='name'");

    // The live preview, chosen from the list, renders Eve's name into the HTML part made from the
    // message: still text, in the sandboxed frame.
    await page.goto(`${target.baseUrl}/templates/script`);
    await page.getByLabel('As sent to').selectOption(eve.id);
    await page.getByLabel('Message').fill('Dear {{name}}, about "{{originalSubject}}"\n\n- {{{name}}}');
    await expect
      .poll(async () => (await inspect(page)).map((state) => state.text).join('\n'), LIVE)
      .toContain("Dear Eve <script>window.__xss='name';alert('name')</script>");
    await expectInert(page, watch, 'live preview');
  });
});
