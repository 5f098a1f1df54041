/**
 * Held-out XING cases. Constructed: built with the project's mail helpers for this held-out set,
 * without looking at the classifier's rules. Sender addresses come from public mail filters and
 * tests (`XING <mailrobot@mail.xing.com>` for notifications, jobs@mail.xing.com for job digests,
 * news@mail.xing.com for news) and real subjects seen there ("Dein Wochencheck", "Neue
 * Recruiting-Nachricht", "Entdecke ähnliche Jobs wie …", "Neuigkeiten aus deiner Branche"); the
 * contact-request wording is from general knowledge of XING (Sie-form before about 2019, du-form
 * after).
 */
import { mail, passed, type DetectionCase } from '../cases/support.ts';
import { platformHtml } from './html.ts';

const LOGO = { src: 'https://www.xing.com/assets/frontend_minified/img/email/xing-logo.png', alt: 'XING', href: 'https://www.xing.com/' };
const GREEN = '#0698a0';

function xingHeaders(campaign: string, token: string): Record<string, string> {
  return {
    'Authentication-Results': passed('mail.xing.com', 'xing.com'),
    'List-Unsubscribe': `<https://www.xing.com/settings/notifications/unsubscribe?token=${token}&type=${campaign}>, <mailto:unsubscribe-${token}@mail.xing.com>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'X-Campaign': campaign,
  };
}

function xingId(seed: string): string {
  return `<${seed}.${seed.length * 7919}@mailrobot.xing.com>`;
}

const FOOTER_DE = [
  'Diese E-Mail wurde an morgan@example.test gesendet.',
  'Benachrichtigungen verwalten: https://www.xing.com/settings/notifications',
  'New Work SE, Am Strandkai 1, 20457 Hamburg, Deutschland. Vorstand: Petra von Strombeck (Vorsitzende). Sitz der Gesellschaft: Hamburg. Registergericht: Amtsgericht Hamburg, HRB 148078.',
];
const FOOTER_EN = [
  'This email was sent to morgan@example.test.',
  'Manage notifications: https://www.xing.com/settings/notifications',
  'New Work SE, Am Strandkai 1, 20457 Hamburg, Germany. Commercial register: Hamburg District Court, HRB 148078.',
];

interface ContactRequest {
  lang: 'de' | 'en';
  name: string;
  profile: string;
  headline: string;
  subject: string;
  lines: string[];
  note?: string;
  accept: string;
  view: string;
  date: string;
  token: string;
}

function contactRequest(r: ContactRequest): () => Promise<Buffer> {
  const accept = `https://www.xing.com/notifications/contact-requests?sc_o=mail_contact_request_accept&sc_p=${r.token}`;
  const profile = `https://www.xing.com/profile/${r.profile}?sc_o=mail_contact_request_profile&sc_p=${r.token}`;
  const footer = r.lang === 'de' ? FOOTER_DE : FOOTER_EN;
  return mail({
    from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
    subject: r.subject,
    date: r.date,
    messageId: xingId(r.token),
    headers: xingHeaders('contact_request', r.token),
    text: [...r.lines, '', r.name, r.headline, '', ...(r.note ? [r.note, ''] : []), `${r.accept}: ${accept}`, `${r.view}: ${profile}`, '', '--', ...footer].join('\n'),
    html: platformHtml({
      lang: r.lang,
      preheader: r.lines.join(' '),
      logo: LOGO,
      accent: GREEN,
      photo: { src: `https://profile-images.xing.com/images/${r.token}-1.jpg`, href: profile, alt: r.name },
      heading: r.name,
      lines: [r.headline, ...r.lines],
      ...(r.note ? { quote: r.note } : {}),
      buttons: [
        [r.accept, accept],
        [r.view, profile],
      ],
      footer,
    }),
  });
}

export const HELDOUT_CASES: DetectionCase[] = [
  {
    name: 'held-out: constructed XING Kontaktanfrage (de), du-Form',
    platform: 'xing',
    language: 'de',
    expect: 'request',
    requester: { name: 'Jana Becker' },
    build: contactRequest({
      lang: 'de',
      name: 'Jana Becker',
      profile: 'Jana_Becker12',
      headline: 'Senior Consultant SAP S/4HANA, Hamburg',
      subject: 'Jana Becker möchte sich mit dir vernetzen',
      lines: ['Hallo Morgan,', 'Jana Becker möchte dich als Kontakt hinzufügen.'],
      accept: 'Anfrage annehmen',
      view: 'Profil ansehen',
      date: 'Tue, 04 Jun 2024 07:48:12 +0200',
      token: 'a81f3c0e92',
    }),
  },
  {
    name: 'held-out: constructed XING Kontaktanfrage (de), Sie-Form, older "Kontaktanfrage von"',
    platform: 'xing',
    language: 'de',
    expect: 'request',
    requester: { name: 'Dr. Stefan Brandt' },
    build: contactRequest({
      lang: 'de',
      name: 'Dr. Stefan Brandt',
      profile: 'Stefan_Brandt7',
      headline: 'Geschäftsführer, Brandt & Partner Unternehmensberatung GmbH',
      subject: 'Kontaktanfrage von Dr. Stefan Brandt',
      lines: ['Guten Tag Morgan Example,', 'Dr. Stefan Brandt möchte Sie als Kontakt auf XING hinzufügen.'],
      note: 'Sehr geehrter Herr Example, wir sind uns auf dem IT-Gipfel in Frankfurt begegnet. Ich würde mich freuen, mit Ihnen in Kontakt zu bleiben. Beste Grüße, Stefan Brandt',
      accept: 'Kontaktanfrage bestätigen',
      view: 'Profil ansehen',
      date: 'Thu, 12 May 2016 14:03:55 +0200',
      token: 'c4d92a71b0',
    }),
  },
  {
    name: 'held-out: constructed XING Kontaktanfrage (de) with a personal message',
    platform: 'xing',
    language: 'de',
    expect: 'request',
    requester: { name: 'Mehmet Yılmaz' },
    build: contactRequest({
      lang: 'de',
      name: 'Mehmet Yılmaz',
      profile: 'Mehmet_Yilmaz34',
      headline: 'DevOps Engineer bei Rheinfunk Media, Köln',
      subject: 'Neue Kontaktanfrage von Mehmet Yılmaz',
      lines: ['Hallo Morgan,', 'Mehmet Yılmaz hat dir eine Kontaktanfrage geschickt.'],
      note: 'Hi Morgan, ich habe deinen Vortrag zu GitOps auf der Continuous Lifecycle gesehen – super spannend. Lass uns gerne vernetzen!',
      accept: 'Annehmen',
      view: 'Profil ansehen',
      date: 'Wed, 13 Nov 2024 18:21:40 +0100',
      token: 'e7b1d3f042',
    }),
  },
  {
    name: 'held-out: constructed XING contact request (en)',
    platform: 'xing',
    language: 'en',
    expect: 'request',
    requester: { name: 'Petra Novak' },
    build: contactRequest({
      lang: 'en',
      name: 'Petra Novak',
      profile: 'Petra_Novak3',
      headline: 'Head of Engineering, Vltava Systems s.r.o., Prague',
      subject: 'Petra Novak would like to add you as a contact',
      lines: ['Hi Morgan,', 'Petra Novak would like to add you as a contact on XING.'],
      accept: 'Accept request',
      view: 'View profile',
      date: 'Mon, 17 Feb 2025 09:10:27 +0100',
      token: 'f03a6c9e15',
    }),
  },
  {
    name: 'held-out: constructed XING Kontaktanfrage (de), Austrian sender, short',
    platform: 'xing',
    language: 'de',
    expect: 'request',
    requester: { name: 'Florian Gruber' },
    build: contactRequest({
      lang: 'de',
      name: 'Florian Gruber',
      profile: 'Florian_Gruber58',
      headline: 'Projektleiter Digitalisierung, Wiener Netze',
      subject: 'Florian Gruber möchte mit dir in Kontakt treten',
      lines: ['Florian Gruber möchte Teil deines Netzwerks werden.', '3 gemeinsame Kontakte'],
      accept: 'Bestätigen',
      view: 'Profil ansehen',
      date: 'Fri, 06 Sep 2024 11:32:08 +0200',
      token: '0b5e8d2c77',
    }),
  },

  // ---- not requests ----
  {
    name: 'held-out: constructed XING "hat deine Kontaktanfrage angenommen" (de)',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
      subject: 'Jana Becker hat deine Kontaktanfrage angenommen',
      date: 'Thu, 06 Jun 2024 20:12:31 +0200',
      messageId: xingId('a81f3c0e93'),
      headers: xingHeaders('contact_confirmation', 'a81f3c0e93'),
      text: ['Hallo Morgan,', '', 'Jana Becker ist jetzt einer deiner Kontakte.', '', 'Nachricht schreiben: https://www.xing.com/chats/new/Jana_Becker12', '', '--', ...FOOTER_DE].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed XING "Dein Wochencheck" profile-visits summary (de)',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
      subject: 'Dein Wochencheck',
      date: 'Mon, 14 Oct 2024 06:30:00 +0200',
      messageId: xingId('wochencheck41'),
      headers: xingHeaders('weekly_check', 'd9e0f1a2b3'),
      text: [
        'Hallo Morgan,',
        '',
        'so lief deine Woche auf XING:',
        '27 Besuche auf deinem Profil (+8 gegenüber Vorwoche)',
        '4 neue Kontaktvorschläge für dich',
        '',
        'Wer hat dich besucht? https://www.xing.com/profile/visitors',
        'Leute, die du kennen könntest: https://www.xing.com/network/suggestions',
        '',
        '--',
        ...FOOTER_DE,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed XING job digest from jobs@mail.xing.com (de)',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING Jobs', address: 'jobs@mail.xing.com' },
      subject: 'Entdecke ähnliche Jobs wie Platform Engineer (m/w/d)',
      date: 'Wed, 19 Feb 2025 08:15:44 +0100',
      messageId: xingId('jobs-digest-0219'),
      headers: xingHeaders('job_recommendations', '11ab22cd33'),
      text: [
        'Jobs, die zu dir passen',
        '',
        'Platform Engineer (m/w/d) – Hafenkraft Logistik GmbH – Hamburg',
        'https://www.xing.com/jobs/hamburg-platform-engineer-118822004',
        '',
        'Cloud Engineer Kubernetes (m/w/d) – Südwind Energie AG – Remote',
        'https://www.xing.com/jobs/remote-cloud-engineer-118822337',
        '',
        '--',
        ...FOOTER_DE,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed XING news newsletter (de)',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING News', address: 'news@mail.xing.com' },
      subject: 'Neuigkeiten aus deiner Branche',
      date: 'Sat, 07 Dec 2024 07:05:12 +0100',
      messageId: xingId('news-1207'),
      headers: { ...xingHeaders('news_digest', '44ef55ab66'), Precedence: 'bulk' },
      text: [
        'Die wichtigsten Nachrichten der Woche für IT & Telekommunikation',
        '',
        'KI im Mittelstand: Warum viele Projekte im Pilot stecken bleiben',
        'https://www.xing.com/news/articles/ki-im-mittelstand-5512093',
        '',
        'Netzwerken ohne Smalltalk: 5 Tipps für die nächste Konferenz',
        'https://www.xing.com/news/articles/netzwerken-ohne-smalltalk-5512101',
        '',
        '--',
        ...FOOTER_DE,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed XING new message notification (de)',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
      subject: 'Neue Nachricht von Mehmet Yılmaz',
      date: 'Fri, 15 Nov 2024 09:40:01 +0100',
      messageId: xingId('msg-e7b1d3f043'),
      headers: xingHeaders('message', 'e7b1d3f043'),
      text: [
        'Hallo Morgan,',
        '',
        'Mehmet Yılmaz hat dir eine Nachricht geschickt:',
        '„Danke fürs Annehmen! Hast du die Folien zu deinem Vortrag irgendwo online?“',
        '',
        'Antworten: https://www.xing.com/chats/Mehmet_Yilmaz34',
        '',
        '--',
        ...FOOTER_DE,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed XING "Neue Recruiting-Nachricht" (de)',
    platform: 'xing',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
      subject: 'Neue Recruiting-Nachricht',
      date: 'Tue, 21 Jan 2025 15:26:38 +0100',
      messageId: xingId('recruiting-0121'),
      headers: xingHeaders('recruiter_message', '77bc88de99'),
      text: [
        'Hallo Morgan,',
        '',
        'Sandra Lehmann (Personalberaterin, Nordlicht Executive Search) hat dir eine Nachricht zu einer Position geschickt:',
        '„Head of Platform Engineering (m/w/d) – Hamburg/Remote – ich würde mich über einen kurzen Austausch freuen.“',
        '',
        'Nachricht lesen: https://www.xing.com/chats/Sandra_Lehmann9',
        '',
        '--',
        ...FOOTER_DE,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed XING birthday notification (en)',
    platform: 'xing',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
      subject: "It's Petra Novak's birthday today",
      date: 'Sun, 23 Mar 2025 06:00:09 +0100',
      messageId: xingId('birthday-0323'),
      headers: xingHeaders('birthday', 'f03a6c9e16'),
      text: [
        'Hi Morgan,',
        '',
        'Petra Novak is celebrating her birthday today. Why not send her your best wishes?',
        '',
        'Send congratulations: https://www.xing.com/chats/new/Petra_Novak3',
        '',
        '--',
        ...FOOTER_EN,
      ].join('\n'),
    }),
  },
];
