/**
 * Held-out Meetup cases. Constructed: built with the project's mail helpers for this held-out set,
 * without looking at the classifier's rules. The sender `Meetup <info@meetup.com>` appears in
 * public sample inboxes; everything else (member-to-member message notifications, event reminders,
 * organizer broadcasts, recommendations, localised wording) is from general knowledge of Meetup's
 * mail. A Meetup member who writes to the user to get to know them or meet up is labelled a
 * request; Meetup's own announcements and messages about logistics are not.
 */
import { mail, passed, type DetectionCase } from '../cases/support.ts';
import { platformHtml } from './html.ts';

const LOGO = { src: 'https://secure.meetupstatic.com/next/images/email/meetup-logo-script.png', alt: 'Meetup', href: 'https://www.meetup.com/' };
const RED = '#f65858';

function muHeaders(kind: string, token: string, bulk = false): Record<string, string> {
  return {
    'Authentication-Results': passed('meetup.com'),
    'List-Unsubscribe': `<https://www.meetup.com/account/comm/unsub/?t=${token}&kind=${kind}>, <mailto:unsubscribe+${token}@meetup.com>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'X-Meetup-Type': kind,
    ...(bulk ? { Precedence: 'bulk' } : {}),
  };
}

function muId(seed: string): string {
  return `<${seed}.${seed.length * 104729}.JavaMail.nobody@mail-${seed.slice(0, 4)}.meetup.com>`;
}

const FOOT: Record<string, string[]> = {
  en: ['Never miss a message: get the Meetup app.', 'Manage email settings: https://www.meetup.com/account/comm/', 'Meetup LLC, POB 4668 #37895, New York, NY 10163-4668'],
  de: ['Keine Nachricht verpassen: Hol dir die Meetup-App.', 'E-Mail-Einstellungen verwalten: https://www.meetup.com/de-DE/account/comm/', 'Meetup LLC, POB 4668 #37895, New York, NY 10163-4668'],
  fr: ['Ne manquez aucun message : téléchargez l\'application Meetup.', 'Gérer les paramètres des e-mails : https://www.meetup.com/fr-FR/account/comm/', 'Meetup LLC, POB 4668 #37895, New York, NY 10163-4668'],
  es: ['No te pierdas ningún mensaje: descarga la app de Meetup.', 'Gestionar la configuración de email: https://www.meetup.com/es-ES/account/comm/', 'Meetup LLC, POB 4668 #37895, New York, NY 10163-4668'],
  it: ['Gestisci le impostazioni email: https://www.meetup.com/it-IT/account/comm/', 'Meetup LLC, POB 4668 #37895, New York, NY 10163-4668'],
};

interface MemberMessage {
  lang: string;
  name: string;
  memberId: string;
  group: string;
  subject: string;
  intro: string;
  message: string;
  reply: string;
  date: string;
  token: string;
}

function memberMessage(m: MemberMessage): () => Promise<Buffer> {
  const link = `https://www.meetup.com/messages/?conversationId=${m.token}&_xtd=gatlbWFpbF9jbGlja9oAJDE`;
  const footer = FOOT[m.lang] ?? FOOT.en!;
  return mail({
    from: { name: 'Meetup', address: 'info@meetup.com' },
    subject: m.subject,
    date: m.date,
    messageId: muId(m.token),
    headers: muHeaders('member_message', m.token),
    text: [m.intro, '', m.message, '', `${m.reply}: ${link}`, '', `${m.name} · ${m.group}`, `https://www.meetup.com/members/${m.memberId}/`, '', '---', ...footer].join('\n'),
    html: platformHtml({
      lang: m.lang,
      preheader: m.message.slice(0, 90),
      logo: LOGO,
      accent: RED,
      photo: { src: `https://secure.meetupstatic.com/photos/member/${m.memberId}/thumb.jpeg`, href: `https://www.meetup.com/members/${m.memberId}/`, alt: m.name },
      heading: m.intro,
      lines: [m.group],
      quote: m.message,
      buttons: [[m.reply, link]],
      footer,
    }),
  });
}

export const HELDOUT_CASES: DetectionCase[] = [
  {
    name: 'held-out: constructed Meetup member message asking to connect (en)',
    platform: 'meetup',
    language: 'en',
    expect: 'request',
    requester: { name: 'Hannah Osei' },
    build: memberMessage({
      lang: 'en',
      name: 'Hannah Osei',
      memberId: '318827164',
      group: 'Berlin Rust Hack & Learn',
      subject: 'Hannah Osei sent you a message',
      intro: 'Hannah Osei sent you a message',
      message: "Hi Morgan! I just joined Berlin Rust Hack & Learn and saw you're one of the organizers. I'm moving into embedded work and would love to connect — any chance you'd be up for a coffee before the next hack night?",
      reply: 'Reply',
      date: 'Mon, 15 Apr 2024 19:22:05 +0000',
      token: '9a3f21c7e4',
    }),
  },
  {
    name: 'held-out: constructed Meetup member message asking to meet (de)',
    platform: 'meetup',
    language: 'de',
    expect: 'request',
    requester: { name: 'Tobias Wendt' },
    build: memberMessage({
      lang: 'de',
      name: 'Tobias Wendt',
      memberId: '277109385',
      group: 'Kubernetes Stammtisch Kassel',
      subject: 'Neue Nachricht von Tobias Wendt',
      intro: 'Tobias Wendt hat dir eine Nachricht gesendet',
      message: 'Hallo Morgan, wir haben uns beim letzten Stammtisch kurz über GitOps unterhalten. Hättest du Lust, dich mal auf einen Kaffee zu treffen? Ich würde mich gern mit dir vernetzen und mehr über euer Plattform-Team hören.',
      reply: 'Antworten',
      date: 'Thu, 07 Nov 2024 20:48:33 +0000',
      token: '4b8e02d6f1',
    }),
  },
  {
    name: 'held-out: constructed Meetup member message asking to get to know each other (fr)',
    platform: 'meetup',
    language: 'fr',
    expect: 'request',
    requester: { name: 'Inès Lefèvre' },
    build: memberMessage({
      lang: 'fr',
      name: 'Inès Lefèvre',
      memberId: '290114728',
      group: 'Paris Data Engineering',
      subject: 'Inès Lefèvre vous a envoyé un message',
      intro: 'Inès Lefèvre vous a envoyé un message',
      message: 'Bonjour Morgan, je viens de rejoindre le groupe Paris Data Engineering et j\'ai vu que vous aviez présenté sur dbt l\'an dernier. J\'aimerais beaucoup faire votre connaissance et échanger autour d\'un café si vous êtes disponible.',
      reply: 'Répondre',
      date: 'Tue, 21 May 2024 08:15:47 +0000',
      token: '7c1d9e3a5b',
    }),
  },
  {
    name: 'held-out: constructed Meetup member message asking to connect (es)',
    platform: 'meetup',
    language: 'es',
    expect: 'request',
    requester: { name: 'Marta Iglesias' },
    build: memberMessage({
      lang: 'es',
      name: 'Marta Iglesias',
      memberId: '301882546',
      group: 'Madrid DevOps',
      subject: 'Marta Iglesias te ha enviado un mensaje',
      intro: 'Marta Iglesias te ha enviado un mensaje',
      message: 'Hola Morgan, soy nueva en Madrid DevOps. Vi tu charla sobre SLOs en el último encuentro y me encantaría conectar contigo. ¿Te apetece tomar un café algún día?',
      reply: 'Responder',
      date: 'Wed, 12 Feb 2025 17:03:28 +0000',
      token: '2e6f8a0c4d',
    }),
  },

  // ---- not requests ----
  {
    name: 'held-out: constructed Meetup event reminder (en)',
    platform: 'meetup',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Meetup', address: 'info@meetup.com' },
      subject: 'Reminder: Rust Hack Night #42 is tomorrow',
      date: 'Tue, 16 Apr 2024 16:00:00 +0000',
      messageId: muId('reminder42x'),
      headers: muHeaders('rsvp_reminder', 'r42a8b9c0d'),
      text: [
        "You're going to Rust Hack Night #42",
        'Berlin Rust Hack & Learn',
        '',
        'Wednesday, April 17, 2024, 7:00 PM CEST',
        'c-base, Rungestraße 20, Berlin',
        '',
        "Can't make it? Update your RSVP: https://www.meetup.com/berlin-rust-hack-and-learn/events/300112233/",
        '',
        '---',
        ...FOOT.en!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Meetup new event announcement (en)',
    platform: 'meetup',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Berlin Rust Hack & Learn', address: 'info@meetup.com' },
      subject: 'New event: Rust Hack Night #43 — come meet fellow Rustaceans',
      date: 'Thu, 18 Apr 2024 09:30:11 +0000',
      messageId: muId('newevent43'),
      headers: muHeaders('event_announce', 'e43c1d2e3f', true),
      text: [
        'Berlin Rust Hack & Learn scheduled a new event',
        '',
        'Rust Hack Night #43',
        'Wednesday, May 15, 2024, 7:00 PM CEST · c-base',
        '',
        'Bring a laptop and a project, or just come to meet and connect with other Rust folks. Beginners welcome!',
        '',
        'RSVP: https://www.meetup.com/berlin-rust-hack-and-learn/events/300445566/',
        '',
        '---',
        ...FOOT.en!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Meetup organizer broadcast to all members (de)',
    platform: 'meetup',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'Kubernetes Stammtisch Kassel', address: 'info@meetup.com' },
      subject: 'Nachricht vom Organisator: Raumänderung am Donnerstag',
      date: 'Mon, 11 Nov 2024 12:10:43 +0000',
      messageId: muId('broadcast1111'),
      headers: muHeaders('organizer_broadcast', 'b11d2e3f4a', true),
      text: [
        'Petra Seidel (Organisator) hat allen Mitgliedern von Kubernetes Stammtisch Kassel geschrieben:',
        '',
        'Hallo zusammen, wegen Renovierung treffen wir uns diesen Donnerstag ausnahmsweise im Science Park, Raum 2.14. Start wie immer 18:30 Uhr. Bis dann!',
        '',
        'Zur Gruppe: https://www.meetup.com/de-DE/kubernetes-stammtisch-kassel/',
        '',
        '---',
        ...FOOT.de!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Meetup member message about logistics (en), not asking to connect',
    platform: 'meetup',
    language: 'en',
    expect: 'not-request',
    build: memberMessage({
      lang: 'en',
      name: 'Oliver Grant',
      memberId: '322019847',
      group: 'Berlin Rust Hack & Learn',
      subject: 'Oliver Grant sent you a message',
      intro: 'Oliver Grant sent you a message',
      message: "Hi, quick question about tomorrow's hack night: is the venue step-free? I use a wheelchair. Thanks!",
      reply: 'Reply',
      date: 'Tue, 16 Apr 2024 18:44:19 +0000',
      token: '5d0e7f1a2b',
    }),
  },
  {
    name: 'held-out: constructed Meetup group recommendations (it)',
    platform: 'meetup',
    language: 'it',
    expect: 'not-request',
    build: mail({
      from: { name: 'Meetup', address: 'info@meetup.com' },
      subject: 'Gruppi che potrebbero interessarti a Milano',
      date: 'Sat, 05 Oct 2024 10:00:00 +0000',
      messageId: muId('recs1005it'),
      headers: muHeaders('group_recommendations', 'g10a5b6c7d', true),
      text: [
        'Trova la tua gente',
        '',
        'Milano Python — 3.412 membri',
        'https://www.meetup.com/it-IT/milano-python/',
        '',
        'Cloud Native Milano — 1.908 membri',
        'https://www.meetup.com/it-IT/cloud-native-milano/',
        '',
        'Unisciti e conosci persone con i tuoi stessi interessi.',
        '',
        ...FOOT.it!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Meetup organizer notice, a new member joined the group (en)',
    platform: 'meetup',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Meetup', address: 'info@meetup.com' },
      subject: 'New member: Hannah Osei joined Berlin Rust Hack & Learn',
      date: 'Sun, 14 Apr 2024 21:05:39 +0000',
      messageId: muId('newmember0414'),
      headers: muHeaders('organizer_new_member', 'n04c5d6e7f'),
      html: platformHtml({
        lang: 'en',
        preheader: 'Your group is growing!',
        logo: LOGO,
        accent: RED,
        heading: 'Hannah Osei has joined Berlin Rust Hack & Learn',
        lines: ['Your group is growing! Say hello and make them feel welcome.', 'Berlin Rust Hack & Learn now has 1,287 members.'],
        buttons: [['View member', 'https://www.meetup.com/berlin-rust-hack-and-learn/members/318827164/']],
        footer: FOOT.en!,
      }),
    }),
  },
];
