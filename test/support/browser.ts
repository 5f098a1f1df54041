// Real headless Chromium for the dashboard's browser tests and screenshots: Debian's `chromium`
// package (scripts/install-servers.sh), driven by playwright-core. No browser is ever downloaded.
//
//   const browser = await launchChromium();
//   try { const page = await browser.page(); ... } finally { await browser.close(); }
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { useSandbox, type TestWinnow, type TestWinnowOptions } from './winnow.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Exactly these flags, plus the profile folder and the pipe playwright talks over. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] as const;

export const DESKTOP = { width: 1280, height: 800 } as const;
/** A common phone: 390 CSS pixels wide (iPhone 12 to 15). */
export const PHONE = { width: 390, height: 844 } as const;

/** What a page did that a test may need to know: script it ran that it should not have. */
export interface PageWatch {
  /** Messages of every alert(), confirm() and prompt() (each is dismissed at once). */
  dialogs: string[];
  /** Console reports of the Content-Security-Policy or a frame's sandbox refusing something ("Refused to execute ..."). */
  cspViolations: string[];
  /** Uncaught exceptions in the page's scripts. */
  pageErrors: string[];
  /** Every console message, for failure messages. */
  console: string[];
  /** Requests that left the dashboard's origin (a hostile payload phoning home). */
  foreignRequests: string[];
}

export interface TestBrowser {
  browser: Browser;
  /** A new page in a context of its own (no shared cookies), watched from its first request. */
  page(options?: { viewport?: { width: number; height: number }; origin?: string; deviceScaleFactor?: number }): Promise<{ page: Page; context: BrowserContext; watch: PageWatch }>;
  /** Closes every page opened by page() so far, and with them their connections to the dashboard. */
  closePages(): Promise<void>;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile folder, removed again by close(). */
export async function launchChromium(): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'winnow-chromium-'));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Playwright's own long list of flags is left out; only ours go to the browser.
      ignoreDefaultArgs: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe'],
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium did not start from ${CHROMIUM} (install it with scripts/install-servers.sh): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const contexts: BrowserContext[] = [];
  const closePages = async () => {
    await Promise.allSettled(contexts.splice(0).map((context) => context.close()));
  };

  return {
    browser,
    async page(options = {}) {
      const viewport = options.viewport ?? DESKTOP;
      // A phone-sized page is a phone: touch, the viewport meta tag honoured, overlay scrollbars.
      const mobile = viewport.width <= 480;
      const context = await browser.newContext({ viewport, deviceScaleFactor: options.deviceScaleFactor ?? 1, isMobile: mobile, hasTouch: mobile, reducedMotion: 'reduce' });
      contexts.push(context);
      const page = await context.newPage();
      const watch = watchPage(page, options.origin);
      return { page, context, watch };
    },
    closePages,
    async close() {
      await closePages();
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function watchPage(page: Page, origin?: string): PageWatch {
  const watch: PageWatch = { dialogs: [], cspViolations: [], pageErrors: [], console: [], foreignRequests: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('console', (message: ConsoleMessage) => {
    const text = message.text();
    watch.console.push(`${message.type()}: ${text}`);
    // The policy refusing something, or a sandboxed frame refusing to run a script: either way,
    // something meant to run made it into a document.
    if (/Content Security Policy|Refused to (execute|load|apply|connect|frame|evaluate)|Blocked script execution/i.test(text)) watch.cspViolations.push(text);
  });
  page.on('pageerror', (error) => watch.pageErrors.push(error.message));
  page.on('request', (request) => {
    const url = request.url();
    if (origin && !url.startsWith(origin) && !/^(data|about|blob):/.test(url)) watch.foreignRequests.push(url);
  });
  return watch;
}

/** Logs in through the form as a person would: type the password, press Enter. */
export async function logIn(page: Page, baseUrl: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Dashboard password').fill(password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.getByLabel('Dashboard password').press('Enter')]);
}

/** Whether the page is wider than its window (content a phone user would have to scroll sideways to). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth') as Promise<boolean>;
}

export interface TestDashboard {
  winnow: TestWinnow;
  /** http://127.0.0.1:PORT, where this Winnow's dashboard listens. */
  baseUrl: string;
  password: string;
}

/** Starts Winnow with both roles on a sandbox user and makes its dashboard listen on a free port. */
export async function listenDashboard(winnow: TestWinnow): Promise<TestDashboard> {
  const app = winnow.runtime.app;
  if (!app) throw new Error('this Winnow has no web role');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { winnow, baseUrl: `http://127.0.0.1:${port}`, password: winnow.config.web.dashboardPassword };
}

/**
 * For a browser test file: the sandbox's servers and one Chromium for the file, a Winnow (worker
 * and dashboard) per test on a user of its own, stopped after each test.
 */
export function useDashboard(users: string[]) {
  const suite = useSandbox(users);
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  // The test's pages close before its Winnow stops (this hook is registered after useSandbox's,
  // and vitest runs afterEach hooks in reverse order), so no page of a finished test keeps talking
  // to a dashboard that is closing. A connection busy at that moment (the favicon a page asks for
  // after its load event, say) is kept open by Chromium for its next request, and Node's close
  // waits for it for the server's keep-alive timeout (72 s in Fastify), longer than a hook may take.
  afterEach(async () => {
    await browser?.closePages();
  });
  return {
    suite,
    get browser(): TestBrowser {
      if (!browser) throw new Error('Chromium is not started yet (use it inside a test)');
      return browser;
    },
    async start(user: string, options: Omit<TestWinnowOptions, 'user' | 'roles'> = {}): Promise<TestDashboard> {
      return listenDashboard(await suite.winnow(user, { ...options, roles: { worker: true, web: true } }));
    },
  };
}
