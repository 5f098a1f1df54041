/**
 * The people of `npm run demo`: eighteen made-up requesters whose mail is constructed (except one
 * real LinkedIn invitation from the corpus), chosen so that every status, flag and platform the
 * dashboard knows shows up. Their requests arrive first; then, over the first minutes, some answer
 * (at length, with a sales pitch, in a word, in French or German, with a refusal or an insult),
 * one address bounces, and the rest say nothing until their deadline passes.
 *
 * Everything goes through real mail: requests and answers are filed into the user's Dovecot INBOX,
 * the scripts leave through the SMTP peer, and an answer threads to the script it answers. Every
 * address is under example.* (RFC 2606), so nothing could reach anyone.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Contact, Flag, Status } from '../src/vocabulary/contact.ts';
import { corpusDir } from '../test/support/corpus.ts';
import { buildMail } from '../test/support/mail.ts';
import {
  deliveryReport,
  facebookFriendRequest,
  linkedInInvitation2016,
  oldLinkedInInvitation,
  ordinaryMail,
  receivedBy,
  xingContactRequest,
} from '../test/support/requests.ts';
import type { ReceivedMail, Sandbox } from '../test/support/sandbox.ts';
import type { TestWinnow } from '../test/support/winnow.ts';

/** A domain on the demo's block list: requests from it are skipped. */
export const BLOCKED_DOMAIN = 'leadgen-pro.example';

interface Person {
  name: string;
  /** The person's own address; null for platform mail that carries none. */
  address: string | null;
  /** What the dashboard should show once the seed has played out. */
  expect: { status: Status | readonly Status[]; flags?: readonly Flag[] };
  /** The request as it lands in the inbox (the receiving server's verdict already on top). */
  request(me: string): Promise<Buffer>;
  /** Seconds after the start at which they answer their script (times the pace). */
  answerAfter?: number;
  answer?: string;
  /** Seconds after the start at which their script comes back undeliverable. */
  bounceAfter?: number;
  /** Mail the user sent them before (in Sent), which makes them known. */
  wroteBefore?: boolean;
}

/** A personal "let's connect" mail, authenticated by the sender's domain. */
const personal = (name: string, address: string, subject: string, text: string, verified = true) => async (me: string) => {
  const raw = await buildMail({ from: { name, address }, to: me, subject, text });
  return verified ? receivedBy(raw, domainOf(address)) : raw;
};
/** A 2011–2013 LinkedIn invitation, sent from the person's own mailbox and signed by LinkedIn. */
const linkedInOld = (name: string, address: string, headline: string) => async (me: string) =>
  receivedBy(await oldLinkedInInvitation({ name, address, headline }, me), domainOf(address), 'pass', 'linkedin.com');

export const DEMO_PEOPLE: readonly Person[] = [
  {
    name: 'Priya Raman',
    address: 'priya.raman@northwind-analytics.example',
    request: personal(
      'Priya Raman',
      'priya.raman@northwind-analytics.example',
      'Introduction via Tom Becker',
      "Hi Morgan,\n\nTom Becker suggested I get in touch. I'd like to connect: we are both working on timber construction in cities.\n\nBest,\nPriya",
    ),
    answerAfter: 20,
    answer:
      'Hi Morgan,\n\nThanks for asking. I lead the data team at Northwind Analytics; we model the carbon footprint of mid-rise timber buildings for developers.\n\nTom mentioned your work on fire safety in CLT. I think we could help each other: you would get our embodied-carbon figures for your projects, and we would learn how fire engineers think about exposed timber.\n\nPriya',
    expect: { status: 'answered' },
  },
  {
    name: 'Daniel Okafor',
    address: 'daniel@okafor-timber.example',
    request: linkedInOld('Daniel Okafor', 'daniel@okafor-timber.example', 'Owner, Okafor Timber & CLT'),
    answerAfter: 35,
    answer:
      'Hello Morgan, I run a small sawmill and CLT press in Kent. I want to connect because we are looking for engineers who specify local timber, and I can offer site visits and test panels for your students.',
    expect: { status: 'answered' },
  },
  {
    name: 'Chloé Martin',
    address: 'chloe.martin@atelier-bois.example',
    request: personal('Chloé Martin', 'chloe.martin@atelier-bois.example', 'Demande de mise en relation', "Bonjour Morgan,\n\nJ'aimerais me connecter avec vous : nous nous sommes rencontrés au salon du bois à Lyon.\n\nChloé"),
    answerAfter: 50,
    answer:
      "Bonjour Morgan,\n\nNous nous sommes rencontrés au salon du bois à Lyon, lors de la table ronde sur les façades. Mon agence conçoit des logements en bois et nous cherchons un ingénieur pour un concours au printemps ; je serais ravie de travailler ensemble, et je peux vous présenter nos partenaires.\n\nChloé",
    expect: { status: 'answered' },
  },
  {
    name: 'Lena Vogel',
    address: 'lena.vogel@holzbau-vogel.example',
    request: personal('Lena Vogel', 'lena.vogel@holzbau-vogel.example', 'Kontaktanfrage', 'Hallo Morgan,\n\nich würde mich gerne mit Ihnen vernetzen. Ich habe Ihren Vortrag über Brettsperrholz gehört.\n\nViele Grüße\nLena Vogel'),
    answerAfter: 65,
    answer:
      'Hallo Morgan,\n\ndanke für Ihre Fragen. Ich leite einen Holzbaubetrieb in Freiburg mit 40 Mitarbeitern. Ich möchte mich vernetzen, weil wir für mehrgeschossige Bauten Tragwerksplaner suchen; im Gegenzug kann ich Ihnen Einblick in unsere Vorfertigung geben.\n\nViele Grüße\nLena',
    expect: { status: 'answered' },
  },
  {
    name: 'Sofia Lindqvist',
    address: 'sofia@growthloop-agency.example',
    request: linkedInOld('Sofia Lindqvist', 'sofia@growthloop-agency.example', 'Growth Hacker | LION | 30k+ connections'),
    answerAfter: 40,
    answer:
      'Hi Morgan! We help engineering consultancies 10x their inbound leads with our proven outreach system. Book a free 15-minute strategy call here: https://growthloop-agency.example/book and get 20% off this month. Limited spots!',
    expect: { status: 'answered', flags: ['sales_pitch', 'open_networker'] },
  },
  {
    name: 'Oliver Grant',
    address: 'oliver.grant@example.co.uk',
    request: linkedInOld('Oliver Grant', 'oliver.grant@example.co.uk', 'Quantity surveyor'),
    answerAfter: 80,
    answer: 'Sure, why not.',
    expect: { status: 'answered', flags: ['very_short'] },
  },
  {
    name: 'Marco Bellini',
    address: 'marco.bellini@bellini-fasteners.example',
    request: personal('Marco Bellini', 'marco.bellini@bellini-fasteners.example', 'Collegamento', 'Ciao Morgan,\n\nvorrei collegarmi con te. Lavoro nel settore dei fissaggi per il legno.\n\nMarco'),
    answerAfter: 30,
    answer: 'No thanks. I do not answer questionnaires to connect. Please remove me from your list.',
    expect: { status: 'declined' },
  },
  {
    name: 'Brad Kessler',
    address: 'brad@kessler-consulting.example',
    request: personal('Brad Kessler', 'brad@kessler-consulting.example', "Let's connect", "Hi Morgan, let's connect. Always good to grow the network.\n\nBrad"),
    answerAfter: 55,
    answer: 'Are you serious? Who do you think you are, sending me a questionnaire? What a waste of time.',
    expect: { status: 'declined', flags: ['hostile'] },
  },
  {
    name: 'Hannah Weiss',
    address: 'hannah.weiss@talentbridge.example',
    request: linkedInOld('Hannah Weiss', 'hannah.weiss@talentbridge.example', 'Recruiter at TalentBridge'),
    expect: { status: 'no_response' },
  },
  {
    name: 'Kenji Watanabe',
    address: 'kenji@watanabe-design.example',
    request: personal('Kenji Watanabe', 'kenji@watanabe-design.example', "Let's connect", "Hello Morgan,\n\nlet's connect. I enjoyed your article on glulam beams.\n\nKenji"),
    expect: { status: 'no_response' },
  },
  {
    name: 'Ravi Patel',
    address: 'ravi.patel@patel-construction.example',
    request: linkedInOld('Ravi Patel', 'ravi.patel@patel-construction.example', 'Site manager, Patel Construction'),
    bounceAfter: 25,
    expect: { status: 'bounced' },
  },
  {
    name: 'Laura Chen',
    address: null,
    request: async (me) =>
      receivedBy(await linkedInInvitation2016({ name: 'Laura Chen', headline: 'Head of Sustainability at Meridian Developments', invitationId: '6132985418842456101' }, me), 'linkedin.com'),
    expect: { status: 'awaiting_address' },
  },
  {
    // A real invitation (test/fixtures/corpus/SOURCES.md), as the receiving server would have stored it.
    name: 'Michael McAuliffe',
    address: null,
    request: async () => receivedBy(await readFile(path.join(corpusDir(), 'positive/linkedin-invite-2016-05-02.eml')), 'linkedin.com'),
    expect: { status: 'awaiting_address' },
  },
  {
    name: 'Jonas Fischer',
    address: null,
    request: async (me) =>
      receivedBy(
        await xingContactRequest(
          {
            name: 'Jonas Fischer',
            slug: 'Jonas_Fischer7',
            position: 'Projektleiter Holzbau, Fischer & Partner',
            subject: 'Jonas Fischer möchte Sie als Kontakt hinzufügen',
            line: 'Jonas Fischer möchte Sie als Kontakt hinzufügen.',
            mutual: '4 gemeinsame Kontakte',
            note: 'Wir haben uns auf der Holzbau-Messe in Köln gesehen.',
            accept: 'Kontaktanfrage annehmen',
          },
          me,
        ),
        'xing.com',
        'pass',
        'mail.xing.com',
      ),
    expect: { status: 'awaiting_address' },
  },
  {
    name: 'Lucía Fernández',
    address: null,
    request: async (me) =>
      receivedBy(
        await facebookFriendRequest(
          { name: 'Lucía Fernández', id: '100004455667788', subject: 'Lucía Fernández te envió una solicitud de amistad', line: 'Lucía Fernández quiere ser tu amiga en Facebook.', mutual: '3 amigos en común' },
          me,
        ),
        'facebookmail.com',
      ),
    expect: { status: 'awaiting_address' },
  },
  {
    // No verdict of the receiving server on this one (it came in by a route that checks nothing):
    // nobody can say the From is really hers, so the script must not go out on its own.
    name: 'Viktor Petrov',
    address: 'viktor.petrov@example.net',
    request: personal('Viktor Petrov', 'viktor.petrov@example.net', 'Connect?', "Hi, I'd like to connect with you. I work in construction finance.\n\nViktor", false),
    // Unsigned: unverified mail waits for the user's approval (UNVERIFIED_MAIL=approve, the default).
    expect: { status: ['awaiting_approval'], flags: ['unverified'] },
  },
  {
    name: 'Sam Taylor',
    address: 'sam.taylor@taylor-eng.example',
    wroteBefore: true,
    request: personal('Sam Taylor', 'sam.taylor@taylor-eng.example', "Let's connect", "Morgan, good to see you last week. Let's connect here too.\n\nSam"),
    expect: { status: 'skipped' },
  },
  {
    name: 'Growth Leads',
    address: `team@${BLOCKED_DOMAIN}`,
    request: personal('Growth Leads', `team@${BLOCKED_DOMAIN}`, "I'd like to connect", "Hi Morgan,\n\nI'd like to connect and show you how we fill your pipeline.\n\nThe Growth Leads team"),
    expect: { status: 'skipped' },
  },
];

export interface SeedOptions {
  /** Multiplies every delay (1: answers over the first minute and a half; 0: at once). */
  pace?: number;
  /** Told about each step, for the demo's terminal. */
  say?: (line: string) => void;
  signal?: AbortSignal;
}

export interface Seed {
  /** Resolves when every request is in the inbox, with the UID of the last one. */
  requested: Promise<number>;
  /** Resolves when every answer and bounce has been delivered. */
  finished: Promise<void>;
}

/**
 * Plays the seed on a running Winnow: the user's block list and Sent folder first (as they would
 * be in a real mailbox), then the requests, then each answer and bounce at its time.
 */
export function seedDemo(sandbox: Sandbox, winnow: TestWinnow, options: SeedOptions = {}): Seed {
  const pace = options.pace ?? 1;
  const say = options.say ?? (() => {});
  const me = winnow.user.address;
  const start = Date.now();

  const requested = (async () => {
    const app = winnow.runtime.app;
    if (!app) throw new Error('the demo seed needs the web role (it sets the block list through the API)');
    const response = await app.inject({ method: 'PUT', url: '/api/settings', headers: { authorization: `Bearer ${winnow.config.web.apiToken}` }, payload: { blockList: [BLOCKED_DOMAIN] } });
    if (response.statusCode !== 200) throw new Error(`could not set the block list: ${response.statusCode} ${response.body}`);
    for (const person of DEMO_PEOPLE.filter((p) => p.wroteBefore && p.address)) {
      await sandbox.deliver(me, await ordinaryMail(me, { name: person.name, address: person.address! }, 'Slides from the site visit'), 'Sent');
    }
    let last = 0;
    for (const person of DEMO_PEOPLE) {
      if (options.signal?.aborted) return last;
      last = (await sandbox.deliver(me, await person.request(me))).uid;
    }
    say(`${DEMO_PEOPLE.length} requests delivered to ${me}; answers and a bounce follow over the next ${Math.round(90 * pace)} s`);
    return last;
  })();

  const later = DEMO_PEOPLE.filter((person) => person.address && (person.answer || person.bounceAfter !== undefined)).map(async (person) => {
    const address = person.address!;
    await requested;
    const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(address), 60_000);
    await sleep(start + ((person.answerAfter ?? person.bounceAfter ?? 0) * 1000 * pace) - Date.now(), options.signal);
    if (options.signal?.aborted) return;
    if (person.answer) await sandbox.deliver(me, receivedBy(await answerTo(script, person.name, address, person.answer), domainOf(address)));
    else await sandbox.deliver(me, deliveryReport(me, address, script.messageId!, { action: 'failed', status: '5.1.1', diagnostic: `550 5.1.1 <${address}>: Recipient address rejected: User unknown` }));
  });
  const finished = Promise.all([requested, ...later]).then(() => undefined);
  return { requested, finished };
}

/** Whether a person ended as the seed says: the status (or one of them) and every flag. */
export function matchesExpectation(person: (typeof DEMO_PEOPLE)[number], contact: Pick<Contact, 'status' | 'flags'>): boolean {
  const statuses: readonly Status[] = typeof person.expect.status === 'string' ? [person.expect.status] : person.expect.status;
  return statuses.includes(contact.status) && (person.expect.flags ?? []).every((flag) => contact.flags.includes(flag));
}

function answerTo(script: ReceivedMail, name: string, address: string, text: string): Promise<Buffer> {
  return buildMail({
    from: { name, address },
    to: script.headers.get('from') ?? '',
    subject: `Re: ${script.headers.get('subject') ?? ''}`,
    inReplyTo: script.messageId!,
    references: [script.messageId!],
    text: `${text}\n\nOn ${new Date(script.acceptedAt).toUTCString()}, Morgan Example wrote:\n> Thank you for wanting to connect.`,
  });
}

function domainOf(address: string): string {
  return address.split('@')[1]!;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
