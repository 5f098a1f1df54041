/**
 * npm run screenshots: pictures of every dashboard page, for the README, in docs/screenshots/.
 *
 * Starts the sandbox (private Redis, Dovecot and SMTP peer), runs Winnow with both roles on it,
 * and fills it the way a user's inbox fills: connection requests arrive as mail (personal emails,
 * LinkedIn invitations in the old format with the person's address, and in the 2016 format
 * without one), scripts go out through SMTP, and some people answer by mail. The people are made
 * up; the mail is constructed, except two real LinkedIn invitations from the corpus. Then Debian's
 * Chromium logs in and photographs each page at a desktop and a phone width.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Contact } from '../src/contacts/types.ts';
import { DESKTOP, launchChromium, linkedInInvitation2016, listenDashboard, logIn, PHONE } from '../test/support/browser.ts';
import { corpusDir } from '../test/support/corpus.ts';
import { buildMail } from '../test/support/mail.ts';
import { oldLinkedInInvitation } from '../test/support/requests.ts';
import { startSandbox } from '../test/support/sandbox.ts';
import { startWinnow, until } from '../test/support/winnow.ts';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

interface Asker {
  name: string;
  address: string;
  via: 'email' | 'linkedin';
  subject?: string;
  request?: string;
  /** What they answer to the script; undefined: they stay silent. */
  answer?: string;
}

// Made-up people; every address is under example.* (RFC 2606), so nothing could reach anyone.
const ASKERS: Asker[] = [
  {
    name: 'Priya Raman',
    address: 'priya.raman@northwind-analytics.example',
    via: 'email',
    subject: 'Introduction via Tom Becker',
    request: "Hi Morgan,\n\nTom Becker suggested I get in touch. I'd like to connect: we are both working on timber construction in cities.\n\nBest,\nPriya",
    answer:
      'Hi Morgan,\n\nThanks for asking. I lead the data team at Northwind Analytics; we model the carbon footprint of mid-rise timber buildings for developers.\n\nTom mentioned your work on fire safety in CLT. I think we could help each other: you would get our embodied-carbon figures for your projects, and we would learn how fire engineers think about exposed timber.\n\nPriya',
  },
  {
    name: 'Daniel Okafor',
    address: 'daniel@okafor-timber.example',
    via: 'linkedin',
    answer: 'Hello Morgan, I run a small sawmill and CLT press in Kent. I want to connect because we are looking for engineers who specify local timber, and I can offer site visits and test panels for your students.',
  },
  {
    name: 'Sofia Lindqvist',
    address: 'sofia@growthloop-agency.example',
    via: 'email',
    subject: "Let's connect",
    request: "Hi Morgan,\n\nI'd like to connect! I came across your profile and was impressed.\n\nSofia",
    answer:
      'Hi Morgan! We help engineering consultancies 10x their inbound leads with our proven outreach system. Book a free 15-minute strategy call here: https://growthloop-agency.example/book and get 20% off this month. Limited spots!',
  },
  { name: 'Marco Bellini', address: 'marco.bellini@example.it', via: 'linkedin', answer: 'No thanks. I do not answer questionnaires to connect. Please remove me.' },
  {
    name: 'Amara Nwosu',
    address: 'amara.nwosu@citybuild.example',
    via: 'email',
    subject: 'Request to connect',
    request: "Dear Morgan,\n\nI would like to connect with you on LinkedIn. I'm a structural engineer at CityBuild.\n\nAmara",
    answer: 'Hi Morgan, I am a structural engineer at CityBuild, working on a six-storey school in timber. I would value your view on connections; in return I can share our test results.',
  },
  { name: 'Hannah Weiss', address: 'hannah.weiss@example.de', via: 'linkedin' },
  { name: 'Kenji Watanabe', address: 'kenji@watanabe-design.example', via: 'email', subject: "Let's connect", request: "Hello Morgan,\n\nlet's connect. I enjoyed your article on glulam beams.\n\nKenji" },
];

const AWAITING = [
  { name: 'Laura Chen', headline: 'Head of Sustainability at Meridian Developments', invitationId: '6132985418842456101' },
  { name: 'Tomás García', headline: 'Architect, Taller Madera', invitationId: '6132985418842456102' },
];

const sandbox = await startSandbox({ users: ['me'] });
const winnow = await startWinnow(sandbox, { user: 'me', roles: { worker: true, web: true }, deadline: '7d' });
const target = await listenDashboard(winnow);
const browser = await launchChromium();
const me = winnow.user.address;

try {
  await mkdir(OUT, { recursive: true });

  // Requests arrive as mail.
  for (const [i, asker] of ASKERS.entries()) {
    const mail =
      asker.via === 'linkedin'
        ? await oldLinkedInInvitation({ name: asker.name, address: asker.address }, me, `<screenshots-${i}@linkedin.example>`)
        : await buildMail({ from: { name: asker.name, address: asker.address }, to: me, subject: asker.subject, text: asker.request });
    await sandbox.deliver(me, mail);
  }
  for (const person of AWAITING) await sandbox.deliver(me, await linkedInInvitation2016(person, me));
  for (const file of ['linkedin-invite-2016-04-04.eml', 'linkedin-invite-2016-05-02.eml']) {
    await sandbox.deliver(me, await readFile(path.join(corpusDir(), 'positive', file)));
  }

  // Scripts go out; some people answer them.
  for (const asker of ASKERS) {
    const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(asker.address), 20_000);
    if (asker.answer === undefined) continue;
    await sandbox.deliver(
      me,
      await buildMail({
        from: { name: asker.name, address: asker.address },
        to: me,
        subject: `Re: ${script.headers.get('subject') ?? ''}`,
        inReplyTo: script.messageId!,
        references: [script.messageId!],
        text: `${asker.answer}\n\nOn Mon, Morgan Example wrote:\n> Thank you for wanting to connect.`,
      }),
    );
  }
  const answering = ASKERS.filter((asker) => asker.answer !== undefined).map((asker) => asker.address);
  await until(
    async () => (await winnow.store.list({ limit: 100 })).contacts.filter((c) => c.email && answering.includes(c.email) && ['answered', 'declined'].includes(c.status)).length === answering.length,
    20_000,
    'every answer to be read',
  );
  const people = (await winnow.store.list({ limit: 100 })).contacts;
  const byName = (name: string): Contact => {
    const found = people.find((contact) => contact.name === name);
    if (!found) throw new Error(`${name} is not among the people: ${people.map((c) => `${c.name} (${c.status})`).join(', ')}`);
    return found;
  };

  // The user's own settings and a template with some history, through the API as a script would.
  const api = (method: 'PUT', url: string, payload: object) =>
    winnow.runtime.app!.inject({ method, url, payload, headers: { authorization: `Bearer ${winnow.config.web.apiToken}` } });
  const current = (await winnow.runtime.app!.inject({ method: 'GET', url: '/api/templates', headers: { authorization: `Bearer ${winnow.config.web.apiToken}` } })).json();
  const source = current.script.source as { subject: string; text: string; html: string };
  await api('PUT', '/api/templates/script', { ...source, note: 'Default wording, saved to start a history' });
  await api('PUT', '/api/templates/script', { ...source, text: source.text.replace('I appreciate you reaching out.', 'I appreciate you reaching out, and I answer everyone.'), note: 'Warmer first paragraph' });
  await api('PUT', '/api/settings', { quietHours: { start: '21:00', end: '07:30' }, timeZone: 'Europe/London', reminderAfterMs: 3 * 86_400_000, dailyCap: 40 });

  // Decisions are made in the dashboard, as the user makes them.
  const { page: decider } = await browser.page({ origin: target.baseUrl });
  await logIn(decider, target.baseUrl, target.password);
  for (const [name, decision] of [['Daniel Okafor', 'Accept'], ['Sofia Lindqvist', 'Reject']] as const) {
    await decider.goto(`${target.baseUrl}/contacts/${byName(name).id}`);
    await decider.getByRole('button', { name: decision, exact: true }).first().click();
    await decider.waitForLoadState();
  }

  const shots: Array<{ name: string; url: string; anonymous?: boolean }> = [
    { name: 'login', url: '/login', anonymous: true },
    { name: 'overview', url: '/' },
    { name: 'responders', url: '/responders' },
    { name: 'person', url: `/contacts/${byName('Priya Raman').id}` },
    { name: 'awaiting-address', url: '/awaiting' },
    { name: 'templates', url: `/templates/script?person=${byName('Priya Raman').id}` },
    { name: 'settings', url: '/settings' },
  ];
  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const { page: signedIn } = await browser.page({ viewport, origin: target.baseUrl, deviceScaleFactor: width === 'phone' ? 2 : 1 });
    await logIn(signedIn, target.baseUrl, target.password);
    const { page: visitor } = await browser.page({ viewport, origin: target.baseUrl, deviceScaleFactor: width === 'phone' ? 2 : 1 });
    for (const shot of shots) {
      const page: Page = shot.anonymous ? visitor : signedIn;
      await page.goto(`${target.baseUrl}${shot.url}`);
      await page.waitForLoadState('networkidle');
      const file = path.join(OUT, `${shot.name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
} finally {
  await browser.close();
  await winnow.stop();
  await sandbox.stop();
}
