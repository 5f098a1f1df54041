/**
 * npm run screenshots: pictures of every dashboard page, for the README, in docs/screenshots/.
 *
 * Starts the sandbox (private Redis, Dovecot and SMTP peer), runs Winnow with both roles on it,
 * and fills it the way a user's inbox fills over a month: connection requests arrive as mail
 * (personal emails, LinkedIn invitations in the old format with the person's address, and in the
 * 2016 format without one), scripts go out through SMTP, and some people answer by mail. Winnow's
 * clock is set back while each day's mail is read, so the month shows on the overview; at the end
 * the deadlines that passed in that month are let fire. The people are made up and their mail
 * constructed, except two real LinkedIn invitations from the corpus. Then Debian's Chromium logs
 * in, makes two decisions, and photographs each page at a desktop and a phone width.
 *
 * SCREENSHOTS_DIR=folder writes the pictures there instead; SCREENSHOTS_FULL=1 photographs whole
 * pages on the phone too (for a walk through every page; the README shows first screens).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Contact } from '../src/vocabulary/contact.ts';
import { closeQueues, createQueues } from '../src/queues/queues.ts';
import { DESKTOP, launchChromium, listenDashboard, logIn, PHONE } from '../test/support/browser.ts';
import { corpusDir } from '../test/support/corpus.ts';
import { buildMail } from '../test/support/mail.ts';
import { linkedInInvitation2016, oldLinkedInInvitation, RECEIVING_SERVER, receivedBy } from '../test/support/requests.ts';
import { startSandbox } from '../test/support/sandbox.ts';
import { startWinnow, until } from '../test/support/winnow.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Taller desktop pages are cut here (CSS pixels); the top of a page is what a reader looks at. */
const MAX_DESKTOP_HEIGHT = 2400;
const OUT = process.env.SCREENSHOTS_DIR ? path.resolve(process.env.SCREENSHOTS_DIR) : path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');
const FULL_PHONE = process.env.SCREENSHOTS_FULL === '1';

interface Asker {
  daysAgo: number;
  name: string;
  address: string;
  headline: string;
  via: 'email' | 'linkedin';
  subject?: string;
  request?: string;
  /** What they answer to the script, a day later; undefined: they stay silent. */
  answer?: string;
}

// Made-up people; every address is under example.* (RFC 2606), so nothing could reach anyone.
const ASKERS: Asker[] = [
  {
    daysAgo: 27,
    name: 'Daniel Okafor',
    address: 'daniel@okafor-timber.example',
    headline: 'Owner, Okafor Timber & CLT',
    via: 'linkedin',
    answer: 'Hello Morgan, I run a small sawmill and CLT press in Kent. I want to connect because we are looking for engineers who specify local timber, and I can offer site visits and test panels for your students.',
  },
  { daysAgo: 25, name: 'Hannah Weiss', address: 'hannah.weiss@example.de', headline: 'Recruiter at TalentBridge', via: 'linkedin' },
  {
    daysAgo: 23,
    name: 'Sofia Lindqvist',
    address: 'sofia@growthloop-agency.example',
    headline: 'Growth Hacker | LION | 30k+ connections',
    via: 'email',
    subject: "Let's connect",
    request: "Hi Morgan,\n\nI'd like to connect! I came across your profile and was impressed.\n\nSofia",
    answer: 'Hi Morgan! We help engineering consultancies 10x their inbound leads with our proven outreach system. Book a free 15-minute strategy call here: https://growthloop-agency.example/book and get 20% off this month. Limited spots!',
  },
  { daysAgo: 21, name: 'Marco Bellini', address: 'marco.bellini@example.it', headline: 'Sales Director, Bellini Fasteners', via: 'linkedin', answer: 'No thanks. I do not answer questionnaires to connect. Please remove me from your list.' },
  {
    daysAgo: 18,
    name: 'Amara Nwosu',
    address: 'amara.nwosu@citybuild.example',
    headline: 'Structural engineer at CityBuild',
    via: 'email',
    subject: 'Request to connect',
    request: "Dear Morgan,\n\nI would like to connect with you on LinkedIn. I'm a structural engineer at CityBuild.\n\nAmara",
    answer: 'Hi Morgan, I am a structural engineer at CityBuild, working on a six-storey school in timber. I would value your view on connections; in return I can share our fire test results.',
  },
  { daysAgo: 16, name: 'Kenji Watanabe', address: 'kenji@watanabe-design.example', headline: 'Industrial designer', via: 'email', subject: "Let's connect", request: "Hello Morgan,\n\nlet's connect. I enjoyed your article on glulam beams.\n\nKenji" },
  { daysAgo: 14, name: 'Oliver Grant', address: 'oliver.grant@example.co.uk', headline: 'Quantity surveyor', via: 'linkedin', answer: 'Sure, why not.' },
  {
    daysAgo: 11,
    name: 'Fatima Zahra',
    address: 'fatima.zahra@example.ma',
    headline: 'PhD candidate, timber acoustics',
    via: 'email',
    subject: 'Connection request',
    request: "Dear Morgan,\n\nI would love to connect. I am researching sound insulation in timber floors.\n\nFatima",
    answer: 'Thank you for the questions. I am a PhD candidate in building acoustics; your firm designs the kind of timber floors I measure. I would like to connect to ask whether you would host a measurement on one of your sites, and I would share the results with your team.',
  },
  { daysAgo: 9, name: 'Lukas Becker', address: 'lukas.becker@example.de', headline: 'Founder at Example Ventures', via: 'linkedin' },
  {
    daysAgo: 6,
    name: 'Chloé Martin',
    address: 'chloe.martin@atelier-bois.example',
    headline: 'Architect, Atelier Bois',
    via: 'email',
    subject: "Let's connect",
    request: "Bonjour Morgan,\n\nI'd like to connect: we met at the Lyon timber summit.\n\nChloé",
    answer: 'We met at the Lyon timber summit, on the panel about facades. My practice designs housing in timber and we need an engineer for a competition in the spring; I would be glad to work together on it.',
  },
  {
    daysAgo: 3,
    name: 'Priya Raman',
    address: 'priya.raman@northwind-analytics.example',
    headline: 'Head of Data, Northwind Analytics',
    via: 'email',
    subject: 'Introduction via Tom Becker',
    request: "Hi Morgan,\n\nTom Becker suggested I get in touch. I'd like to connect: we are both working on timber construction in cities.\n\nBest,\nPriya",
    answer:
      'Hi Morgan,\n\nThanks for asking. I lead the data team at Northwind Analytics; we model the carbon footprint of mid-rise timber buildings for developers.\n\nTom mentioned your work on fire safety in CLT. I think we could help each other: you would get our embodied-carbon figures for your projects, and we would learn how fire engineers think about exposed timber.\n\nPriya',
  },
  { daysAgo: 2, name: 'Ravi Patel', address: 'ravi.patel@example.in', headline: 'Site manager, Patel Construction', via: 'linkedin' },
  { daysAgo: 0.2, name: 'Emily Carter', address: 'emily.carter@example.com', headline: 'Journalist, Building Weekly', via: 'email', subject: "Let's connect", request: "Hi Morgan, I'd like to connect. I write about timber buildings.\n\nEmily" },
];

const AWAITING = [
  { daysAgo: 19, name: 'Laura Chen', headline: 'Head of Sustainability at Meridian Developments', invitationId: '6132985418842456101' },
  { daysAgo: 12, name: 'Tomás García', headline: 'Architect, Taller Madera', invitationId: '6132985418842456102' },
];
const CORPUS_INVITATIONS = [
  { daysAgo: 7, file: 'linkedin-invite-2016-04-04.eml' },
  { daysAgo: 1, file: 'linkedin-invite-2016-05-02.eml' },
];

// Winnow reads the time through this clock; it is set back while each day's mail is handled.
let shift = 0;
const clock = () => Date.now() - shift;
const at = (daysAgo: number) => {
  shift = Math.round(daysAgo * DAY);
  return new Date(clock());
};

const AUTHSERV_ID = RECEIVING_SERVER;
const authenticated = (mail: Buffer, domain: string) => receivedBy(mail, domain);
const domainOf = (address: string) => address.split('@')[1]!;

const sandbox = await startSandbox({ users: ['me'] });
const winnow = await startWinnow(sandbox, { user: 'me', roles: { worker: true, web: true }, deadline: '7d', now: clock, env: { AUTHSERV_ID } });
const target = await listenDashboard(winnow);
const browser = await launchChromium();
const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
const me = winnow.user.address;

const people = async () => (await winnow.store.list({ limit: 100 })).contacts;
const personAt = async (test: (contact: Contact) => boolean, what: string) => {
  let found: Contact | undefined;
  await until(async () => (found = (await people()).find(test)) !== undefined, 20_000, what);
  return found!;
};

try {
  await mkdir(OUT, { recursive: true });

  // A month of mail, oldest first; each step is finished before the clock moves on.
  const events = [
    ...ASKERS.map((asker) => ({ daysAgo: asker.daysAgo, run: () => ask(asker) })),
    ...AWAITING.map((person) => ({ daysAgo: person.daysAgo, run: async () => waitingFor(authenticated(await linkedInInvitation2016(person, me), 'linkedin.com'), person.name) })),
    ...CORPUS_INVITATIONS.map((sample) => ({ daysAgo: sample.daysAgo, run: async () => waitingFor(await readFile(path.join(corpusDir(), 'positive', sample.file)), sample.file) })),
  ].sort((a, b) => b.daysAgo - a.daysAgo);
  for (const event of events) {
    at(event.daysAgo);
    await event.run();
  }

  // Back to today: the deadlines that passed during the month fire now.
  shift = 0;
  const overdue = (await people()).filter((contact) => contact.status === 'asked' && contact.deadlineAt !== null && contact.deadlineAt < Date.now());
  for (const job of await queues.deadline.getDelayed()) if (overdue.some((contact) => contact.id === job.data.contactId)) await job.promote();
  for (const contact of overdue) await personAt((c) => c.id === contact.id && c.status === 'no_response', `${contact.name} to pass the deadline`);

  // The user's own settings and a template with some history, through the API as a script would.
  const auth = { authorization: `Bearer ${winnow.config.web.apiToken}` };
  const app = winnow.runtime.app!;
  const source = (await app.inject({ method: 'GET', url: '/api/templates', headers: auth })).json().script.source as { subject: string; body: string };
  const warmer = (part: string) => part.replace('I appreciate you reaching out.', 'I appreciate you reaching out, and I answer everyone.');
  await app.inject({ method: 'PUT', url: '/api/templates/script', headers: auth, payload: { ...source, note: 'Default wording, saved to start a history' } });
  await app.inject({ method: 'PUT', url: '/api/templates/script', headers: auth, payload: { ...source, body: warmer(source.body), note: 'Warmer first paragraph' } });
  await app.inject({ method: 'PUT', url: '/api/settings', headers: auth, payload: { quietHours: { start: '21:00', end: '07:30' }, timeZone: 'Europe/London', reminderAfterMs: 3 * DAY, dailyCap: 40 } });

  // Decisions are made in the dashboard, as the user makes them.
  const byName = async (name: string) => personAt((contact) => contact.name === name, name);
  const { page: decider } = await browser.page({ origin: target.baseUrl });
  await logIn(decider, target.baseUrl, target.password);
  for (const [name, decision] of [
    ['Daniel Okafor', 'Accept'],
    ['Amara Nwosu', 'Accept'],
    ['Sofia Lindqvist', 'Reject'],
  ] as const) {
    await decider.goto(`${target.baseUrl}/contacts/${(await byName(name)).id}`);
    await Promise.all([decider.waitForNavigation(), decider.getByRole('button', { name: `${decision} ${name}` }).click()]);
  }

  const priya = (await byName('Priya Raman')).id;
  const shots: Array<{ name: string; url: string; anonymous?: boolean }> = [
    { name: 'login', url: '/login', anonymous: true },
    { name: 'overview', url: '/' },
    { name: 'people', url: '/people' },
    { name: 'person', url: `/contacts/${priya}` },
    { name: 'awaiting-address', url: '/awaiting' },
    { name: 'templates', url: `/templates/script?person=${priya}` },
    { name: 'settings', url: '/settings' },
    { name: 'health', url: '/health' },
  ];
  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const scale = width === 'phone' ? 2 : 1;
    const { page: signedIn } = await browser.page({ viewport, origin: target.baseUrl, deviceScaleFactor: scale });
    await logIn(signedIn, target.baseUrl, target.password);
    const { page: visitor } = await browser.page({ viewport, origin: target.baseUrl, deviceScaleFactor: scale });
    for (const shot of shots) {
      const page: Page = shot.anonymous ? visitor : signedIn;
      await page.setViewportSize(viewport);
      await page.goto(`${target.baseUrl}${shot.url}`);
      await page.waitForLoadState('networkidle');
      // A phone shows its first screen; a desktop the whole page, up to a limit. The window is made
      // as tall as the picture rather than using fullPage, which leaves the preview frame blank.
      const whole = Math.min((await page.evaluate('document.documentElement.scrollHeight')) as number, width === 'phone' ? 4 * MAX_DESKTOP_HEIGHT : MAX_DESKTOP_HEIGHT);
      const height = width === 'phone' && !FULL_PHONE ? viewport.height : whole;
      await page.setViewportSize({ width: viewport.width, height });
      await page.waitForLoadState('networkidle');
      const file = path.join(OUT, `${shot.name}-${width}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
} finally {
  await browser.close();
  await closeQueues(queues);
  await winnow.stop();
  await sandbox.stop();
}

/** A request arrives; the script goes out; the person may answer a day later. */
async function ask(asker: Asker): Promise<void> {
  const date = new Date(clock());
  const mail =
    asker.via === 'linkedin'
      ? // Signed by LinkedIn, from the person's own mailbox (DMARC for their domain).
        receivedBy(await oldLinkedInInvitation(asker, me, undefined, { date }), domainOf(asker.address), 'pass', 'linkedin.com')
      : authenticated(await buildMail({ from: { name: asker.name, address: asker.address }, to: me, date, subject: asker.subject, text: asker.request }), domainOf(asker.address));
  await sandbox.deliver(me, mail);
  const script = await sandbox.smtp.waitFor((received) => received.recipients.includes(asker.address), 20_000);
  await personAt((c) => c.email === asker.address && c.status === 'asked', `${asker.name} to be asked`);
  if (asker.answer === undefined) return;
  shift -= 26 * HOUR;
  const answer = await buildMail({
    from: { name: asker.name, address: asker.address },
    to: me,
    date: new Date(clock()),
    subject: `Re: ${script.headers.get('subject') ?? ''}`,
    inReplyTo: script.messageId!,
    references: [script.messageId!],
    text: `${asker.answer}\n\nOn ${date.toUTCString()}, Morgan Example wrote:\n> Thank you for wanting to connect.`,
  });
  await sandbox.deliver(me, authenticated(answer, domainOf(asker.address)));
  await personAt((c) => c.email === asker.address && (c.status === 'answered' || c.status === 'declined'), `${asker.name}'s answer to be read`);
}

/** A platform invitation without an address arrives and waits for one. */
async function waitingFor(mail: Buffer, what: string): Promise<void> {
  const before = (await people()).filter((c) => c.status === 'awaiting_address').length;
  await sandbox.deliver(me, mail);
  await until(async () => (await people()).filter((c) => c.status === 'awaiting_address').length > before, 20_000, `${what} to await an address`);
}
