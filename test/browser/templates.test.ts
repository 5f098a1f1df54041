import { simpleParser } from 'mailparser';
import type { Frame, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ReceivedMail } from '../support/sandbox.ts';
import { logIn, overflowsSideways, PHONE, useDashboard, type PageWatch, type TestDashboard } from '../support/browser.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';

/**
 * The user's third job in a real browser: edit the script with a live preview, save it, and the
 * next script that goes out uses it; a broken template is refused and the one in force stays.
 * Requests are constructed mail (old LinkedIn format, the person's own address in From) delivered
 * through the sandbox's Dovecot; scripts are read at the sandbox's SMTP peer.
 */

/** The live preview waits a quarter second after typing, then asks the server: allow for a busy machine. */
const LIVE = { timeout: 10_000, interval: 50 };

const dashboard = useDashboard(['me1', 'me2', 'me3', 'me4', 'me5', 'me6', 'alice', 'bob', 'carol']);

/** Real mail through Dovecot and the workers on a loaded CI machine: waits end on the event, this is only the limit. */
const MAIL_MS = 20_000;

async function parse(mail: ReceivedMail) {
  const parsed = await simpleParser(mail.raw);
  return { subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '' };
}

/** The text of the preview frame that is showing (the live preview swaps frames as it goes). */
async function previewFrameText(page: Page): Promise<string> {
  const frames = page.frames().filter((frame: Frame) => frame.url().includes('/preview-frame'));
  const texts = await Promise.all(frames.map((frame) => frame.evaluate('document.body ? document.body.innerText : ""').catch(() => '') as Promise<string>));
  return texts.join('\n---\n');
}

/** Evaluates `expression` in the newest preview frame (the one the live preview shows last). */
async function inPreviewFrame(page: Page, expression: string): Promise<unknown> {
  const frames = page.frames().filter((frame: Frame) => frame.url().includes('/preview-frame'));
  return frames.at(-1)?.evaluate(expression).catch(() => null) ?? null;
}

/** Clicks a form's button and waits for the page the server answers with. */
async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

function expectNoScriptTrouble(watch: PageWatch) {
  expect(watch.cspViolations, watch.console.join('\n')).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.dialogs).toEqual([]);
}

async function openTemplates(target: TestDashboard, options: { viewport?: { width: number; height: number } } = {}) {
  const { page, watch } = await dashboard.browser.page({ ...options, origin: target.baseUrl });
  await logIn(page, target.baseUrl, target.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await page.waitForURL('**/templates/script');
  return { page, watch };
}

// Real mail and a real browser on a shared 2-core machine: more time than a unit test.
describe('editing the script in the browser', { timeout: 45_000 }, () => {
  it('previews as you type, inserts variables from the list, saves a version, and the next script sent uses it', async () => {
    const target = await dashboard.start('me1');
    const { page, watch } = await openTemplates(target);
    expect(await page.locator('#preview-subject').textContent()).toBe('Re: Invitation to connect on LinkedIn');
    await expect.poll(() => previewFrameText(page), LIVE).toContain('Hi Sam,');

    // Typing updates the preview without a click.
    await page.getByLabel('Subject').fill('Why connect, {{firstName}}?');
    await expect.poll(() => page.locator('#preview-subject').textContent(), LIVE).toBe('Why connect, Sam?');

    // One message: typed, with variables put in at the cursor from the list, never typed.
    const message = page.getByLabel('Message');
    const insert = page.getByRole('group', { name: 'Insert at the cursor' });
    await message.fill('');
    await insert.getByRole('button', { name: 'Greeting', exact: true }).click();
    await message.press('End');
    await message.pressSequentially('\n\nWhat is your business, ');
    await insert.getByRole('button', { name: 'First name' }).click();
    await message.pressSequentially('?\n- and why {{platform}}\n\nSee https://example.com/about');
    expect(await message.inputValue()).toBe('{{greeting}}\n\nWhat is your business, {{firstName}}?\n- and why {{platform}}\n\nSee https://example.com/about');
    // Both parts follow: the text as written, the HTML made from it (paragraphs, a list, a link).
    await expect.poll(() => page.locator('#preview-text').textContent(), LIVE).toBe('Hi Sam,\n\nWhat is your business, Sam?\n- and why LinkedIn\n\nSee https://example.com/about');
    await expect.poll(() => previewFrameText(page), LIVE).toContain('What is your business, Sam?');
    await expect.poll(() => inPreviewFrame(page, 'document.querySelector("li") && document.querySelector("li").textContent'), LIVE).toBe('and why LinkedIn');
    await expect.poll(() => inPreviewFrame(page, 'document.querySelector("a") && document.querySelector("a").getAttribute("href")'), LIVE).toBe('https://example.com/about');
    expect(await page.locator('#preview-state').textContent()).toBe('Showing what the editor holds (not saved).');

    // A variable goes where the cursor is, in the field last used: here, the start of the subject.
    await page.getByLabel('Subject').focus();
    await page.getByLabel('Subject').press('Home');
    await insert.getByRole('button', { name: 'Greeting in your words' }).click();
    expect(await page.getByLabel('Subject').inputValue()).toBe('{{#if firstName}}Dear {{firstName}},{{else}}Hello,{{/if}}Why connect, {{firstName}}?');
    await expect.poll(() => page.locator('#preview-subject').textContent(), LIVE).toBe('Dear Sam,Why connect, Sam?');
    await page.getByLabel('Subject').fill('Why connect, {{firstName}}?');
    // The frame holds the HTML part in a sandbox: no script, no same-origin access.
    expect(await page.locator('iframe.mail-html').last().getAttribute('sandbox')).toBe('');

    await page.getByLabel('Note for this version (optional)').fill('asks about business first');
    await Promise.all([page.waitForURL('**/templates/script?saved=1'), page.getByRole('button', { name: 'Save as a new version' }).click()]);
    expect(await page.getByRole('status').first().textContent()).toContain('Script saved as version 1.');
    expect(await page.locator('.lead').textContent()).toContain('In use: version 1');
    expect(await page.locator('table.versions tbody').textContent()).toContain('asks about business first');

    const alice = target.winnow.user.address.replace('me1', 'alice');
    await dashboard.suite.sandbox.deliver(target.winnow.user.address, await oldLinkedInInvitation({ name: 'Alice Asker', address: alice }, target.winnow.user.address, '<browser-invite-1@linkedin.example>'));
    const script = await parse(await dashboard.suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(alice), MAIL_MS));
    expect(script.subject).toBe('Why connect, Alice?');
    expect(script.text).toBe('Hi Alice,\n\nWhat is your business, Alice?\n- and why LinkedIn\n\nSee https://example.com/about');
    expect(script.html).toBe('<p>Hi Alice,</p>\n<p>What is your business, Alice?</p>\n<ul>\n<li>and why LinkedIn</li>\n</ul>\n<p>See <a href="https://example.com/about">https://example.com/about</a></p>\n');
    expectNoScriptTrouble(watch);
  });

  it('refuses a broken template with the line and column beside the field; the version in force stays and is sent', async () => {
    const target = await dashboard.start('me2');
    const { page, watch } = await openTemplates(target);
    await page.getByLabel('Subject').fill('Saved subject for {{firstName}}');
    await Promise.all([page.waitForURL('**/templates/script?saved=1'), page.getByRole('button', { name: 'Save as a new version' }).click()]);

    // The live preview already says what is wrong, next to the field.
    await page.getByLabel('Message').fill('Hi {{firstName}}\n  {{#each name}}- x{{/each}}');
    const fieldError = page.locator('#body-error');
    await fieldError.waitFor({ state: 'visible' });
    expect(await fieldError.textContent()).toBe('Line 2, column 3: the block {{#each}} is not allowed: only {{#if}} and {{#unless}} are');
    expect(await page.getByLabel('Message').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.locator('#preview-state').textContent(), LIVE).toBe('The message has a problem at line 2, column 3; the preview shows the last version without problems.');

    // Saving it anyway is refused, clearly, and nothing typed is lost.
    await submit(page, page.getByRole('button', { name: 'Save as a new version' }));
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toContain('The script was not saved: the message has a problem.');
    expect(await alert.textContent()).toContain('Version 1 stays in use.');
    expect(await page.locator('#body-error').textContent()).toContain('Line 2, column 3');
    expect(await page.getByLabel('Message').inputValue()).toContain('{{#each name}}');
    // The link in the message takes the keyboard to the field.
    await alert.getByRole('link').click();
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id'), LIVE).toBe('body');

    const bob = target.winnow.user.address.replace('me2', 'bob');
    await dashboard.suite.sandbox.deliver(target.winnow.user.address, await oldLinkedInInvitation({ name: 'Bob Builder', address: bob }, target.winnow.user.address, '<browser-invite-2@linkedin.example>'));
    const script = await parse(await dashboard.suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(bob), MAIL_MS));
    expect(script.subject).toBe('Saved subject for Bob');
    expectNoScriptTrouble(watch);
  });

  it('writes the HTML part apart on request, says as you type that the parts differ, and goes back to one message', async () => {
    const target = await dashboard.start('me6');
    const { page, watch } = await openTemplates(target);
    await page.getByLabel('Message').fill('Hello {{firstName}}\n\nWhat is your business?');
    await submit(page, page.getByRole('button', { name: 'Edit the HTML part separately' }));
    // The parts start as what the message made, and the page says they are now apart.
    expect(await page.getByLabel('Text part').inputValue()).toBe('Hello {{firstName}}\n\nWhat is your business?');
    expect(await page.getByLabel('HTML part').inputValue()).toBe('<p>Hello {{firstName}}</p>\n<p>What is your business?</p>\n');
    const notice = page.locator('#parts-notice');
    expect(await notice.textContent()).toContain('The text and HTML parts are edited separately. They match for now');

    await page.getByLabel('HTML part').fill('<p>Hello <b>{{firstName}}</b></p>\n<p>What is your business?</p>');
    await expect.poll(() => notice.textContent(), LIVE).toContain('The two parts differ: a change to the text part does not reach the HTML part');
    await expect.poll(() => previewFrameText(page), LIVE).toContain('Hello Sam');
    await page.getByLabel('Text part').fill('Hello {{firstName}}, in plain text');
    await expect.poll(() => page.locator('#preview-text').textContent(), LIVE).toBe('Hello Sam, in plain text');
    await Promise.all([page.waitForURL('**/templates/script?saved=1'), page.getByRole('button', { name: 'Save as a new version' }).click()]);
    expect(await page.locator('table.versions tbody').textContent()).toContain('text and HTML apart');

    const carol = target.winnow.user.address.replace('me6', 'carol');
    await dashboard.suite.sandbox.deliver(target.winnow.user.address, await oldLinkedInInvitation({ name: 'Carol Chen', address: carol }, target.winnow.user.address, '<browser-invite-6@linkedin.example>'));
    const script = await parse(await dashboard.suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(carol), MAIL_MS));
    expect(script.text).toBe('Hello Carol, in plain text');
    expect(script.html).toBe('<p>Hello <b>Carol</b></p>\n<p>What is your business?</p>');

    // Back to one message: the text part becomes it, and the HTML part is made from it again.
    await submit(page, page.getByRole('button', { name: 'Use one message again' }));
    expect(await page.getByLabel('Message').inputValue()).toBe('Hello {{firstName}}, in plain text');
    expect(await page.getByRole('status').first().textContent()).toContain('One message again');
    await expect.poll(() => previewFrameText(page), LIVE).toContain('Hello Sam, in plain text');
    expect(await page.locator('#parts-notice').count()).toBe(0);
    expectNoScriptTrouble(watch);
  });

  it('sends a test of the draft to the user, and restores an older version', async () => {
    const target = await dashboard.start('me3');
    const me = target.winnow.user.address;
    const { page, watch } = await openTemplates(target);
    await page.getByLabel('Subject').fill('First version');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.waitForURL('**/templates/script?saved=1');
    await page.getByLabel('Subject').fill('Draft for {{firstName}}');
    await submit(page, page.getByRole('button', { name: 'Send a test to myself' }));
    const test = await dashboard.suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(me), MAIL_MS);
    expect((await parse(test)).subject).toBe('[Test] Draft for Sam');
    expect(await page.getByRole('status').first().textContent()).toMatch(/A test went to me3@example\.test .*Nothing was saved\./);
    // The draft is still in the editor, unsaved.
    expect(await page.getByLabel('Subject').inputValue()).toBe('Draft for {{firstName}}');

    await page.getByLabel('Subject').fill('Second version');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.waitForURL('**/templates/script?saved=2');
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await page.waitForURL('**/templates/script?restored=3');
    expect(await page.getByLabel('Subject').inputValue()).toBe('First version');
    expect(await page.locator('table.versions tbody tr').first().textContent()).toContain('restored version 1');
    expectNoScriptTrouble(watch);
  });

  it('works without JavaScript: the preview button renders on the server, and saving works', async () => {
    const target = await dashboard.start('me4');
    const context = await dashboard.browser.browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await logIn(page, target.baseUrl, target.password);
      await page.goto(`${target.baseUrl}/templates/script`);
      await page.getByLabel('Subject').fill('No script needed, {{firstName}}');
      await submit(page, page.getByRole('button', { name: 'Update the preview' }));
      expect(await page.locator('#preview-subject').textContent()).toBe('No script needed, Sam');
      await page.getByRole('button', { name: 'Save as a new version' }).click();
      await page.waitForURL('**/templates/script?saved=1');
      const saved = await target.winnow.runtime.app!.inject({ method: 'GET', url: '/api/templates', headers: { authorization: `Bearer ${target.winnow.config.web.apiToken}` } });
      expect(saved.json().script).toMatchObject({ version: 1, source: { subject: 'No script needed, {{firstName}}' } });
      // The switch to the parts apart, and back, are form posts too.
      await submit(page, page.getByRole('button', { name: 'Edit the HTML part separately' }));
      expect(await page.locator('#parts-notice').textContent()).toContain('The text and HTML parts are edited separately. They match for now');
      await submit(page, page.getByRole('button', { name: 'Use one message again' }));
      expect(await page.getByLabel('Message').inputValue()).toContain('{{greeting}}');
      await page.goto(`${target.baseUrl}/settings`);
      await page.getByLabel('Daily cap').fill('12');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.waitForURL('**/settings?saved=1');
      expect(await page.getByLabel('Daily cap').inputValue()).toBe('12');
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL('**/login?out=1');
      expect(await page.getByRole('status').textContent()).toBe('You are logged out.');
    } finally {
      await context.close();
    }
  });

  it('is usable on a phone and by keyboard', async () => {
    const target = await dashboard.start('me5');
    const { page, watch } = await dashboard.browser.page({ viewport: PHONE, origin: target.baseUrl });
    await logIn(page, target.baseUrl, target.password);
    // A saved version, so the page shows its table of versions (a visually hidden label in it
    // once made the page wider than a phone).
    await page.goto(`${target.baseUrl}/templates/script`);
    await page.getByLabel('Note for this version (optional)').fill('a note long enough to need the room of a phone');
    // Enter in the note saves, as the form's first button (not the switch to editing HTML apart).
    await Promise.all([page.waitForURL('**/templates/script?saved=1'), page.getByLabel('Note for this version (optional)').press('Enter')]);
    for (const path of ['/templates/script', '/settings']) {
      await page.goto(`${target.baseUrl}${path}`);
      expect(await overflowsSideways(page), path).toBe(false);
      // The first Tab reaches the skip link, which is then visible and leads to the content.
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Skip to content');
      // On screen once focused (it waits off-screen until then).
      expect((await skip.boundingBox())!.x).toBeGreaterThanOrEqual(0);
      expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
      await page.keyboard.press('Enter');
      // Following the link moves the focus; wait for it rather than assume it happened with the key press.
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id'), LIVE).toBe('main');
    }
    // Settings: a wrong value is shown beside its field, the rest of the form kept.
    await page.getByLabel('Time zone').fill('Europe/Atlantis');
    await page.getByLabel('Daily cap').fill('30');
    await submit(page, page.getByRole('button', { name: 'Save settings' }));
    expect(await page.locator('#timeZone-error').textContent()).toContain('"Europe/Atlantis" is not a time zone');
    expect(await page.getByLabel('Daily cap').inputValue()).toBe('30');
    expect(await overflowsSideways(page)).toBe(false);
    await page.getByLabel('Time zone').fill('Europe/Lisbon');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL('**/settings?saved=1');
    expect((await target.winnow.runtime.app!.inject({ method: 'GET', url: '/api/settings', headers: { authorization: `Bearer ${target.winnow.config.web.apiToken}` } })).json()).toMatchObject({ timeZone: 'Europe/Lisbon', dailyCap: 30 });
    expectNoScriptTrouble(watch);
  });
});
