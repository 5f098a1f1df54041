import type { Language } from '../../../src/vocabulary/contact.ts';
import { LANGUAGE_NAMES, failed, mail, notificationHtml, passed, type DetectionCase } from './support.ts';

/**
 * Constructed LinkedIn mail: invitations in every supported language (2016 template, localised
 * the way LinkedIn localises it), the 2011–2013 shapes, and the look-alikes design.md names.
 */

interface Words {
  subject: string;
  greeting: string;
  phrase: string;
  accept: string;
  view: string;
  mutual: (count: number) => string;
  /** The 2011–2013 subject and default note. */
  oldSubject: string;
  oldPhrase: string;
  confirm: (name: string) => string;
  accepted: (name: string) => string;
  headline: string;
  location: string;
}

const WORDS: Record<Language, Words> = {
  en: {
    subject: 'I want to connect',
    greeting: 'Hi Morgan,',
    phrase: "I'd like to join your LinkedIn network.",
    accept: 'Accept',
    view: 'View profile',
    mutual: (count) => `${count} connections in common`,
    oldSubject: 'Invitation to connect on LinkedIn',
    oldPhrase: "I'd like to add you to my professional network on LinkedIn.",
    confirm: (name) => `Confirm that you know ${name}:`,
    accepted: (name) => `${name} accepted your invitation`,
    headline: 'Head of Engineering at Example Ventures',
    location: 'Boston, Massachusetts',
  },
  de: {
    subject: 'Ich möchte mich mit Ihnen vernetzen',
    greeting: 'Hallo Morgan,',
    phrase: 'Ich möchte gerne Ihrem LinkedIn-Netzwerk beitreten.',
    accept: 'Annehmen',
    view: 'Profil anzeigen',
    mutual: (count) => `${count} gemeinsame Kontakte`,
    oldSubject: 'Einladung zum Vernetzen auf LinkedIn',
    oldPhrase: 'Ich möchte Sie gerne zu meinem beruflichen Netzwerk auf LinkedIn hinzufügen.',
    confirm: (name) => `Einladung von ${name} annehmen`,
    accepted: (name) => `${name} hat Ihre Einladung angenommen`,
    headline: 'Leiterin Vertrieb bei Beispiel GmbH',
    location: 'Berlin, Deutschland',
  },
  fr: {
    subject: 'Je souhaite me connecter avec vous',
    greeting: 'Bonjour Morgan,',
    phrase: "J'aimerais rejoindre votre réseau LinkedIn.",
    accept: 'Accepter',
    view: 'Voir le profil',
    mutual: (count) => `${count} relations en commun`,
    oldSubject: 'Invitation à se connecter sur LinkedIn',
    oldPhrase: "J'aimerais vous inviter à rejoindre mon réseau professionnel en ligne, sur le site LinkedIn.",
    confirm: (name) => `Accepter l'invitation de ${name}`,
    accepted: (name) => `${name} a accepté votre invitation`,
    headline: 'Directrice commerciale chez Exemple SA',
    location: 'Lyon, France',
  },
  es: {
    subject: 'Quiero conectar contigo',
    greeting: 'Hola Morgan,',
    phrase: 'Me gustaría unirme a tu red de LinkedIn.',
    accept: 'Aceptar',
    view: 'Ver perfil',
    mutual: (count) => `${count} contactos en común`,
    oldSubject: 'Invitación para conectar en LinkedIn',
    oldPhrase: 'Me gustaría añadirte a mi red profesional en LinkedIn.',
    confirm: (name) => `Aceptar la invitación de ${name}`,
    accepted: (name) => `${name} ha aceptado tu invitación`,
    headline: 'Directora de ventas en Ejemplo SL',
    location: 'Madrid, España',
  },
  pt: {
    subject: 'Quero me conectar com você',
    greeting: 'Olá Morgan,',
    phrase: 'Gostaria de participar da sua rede do LinkedIn.',
    accept: 'Aceitar',
    view: 'Ver perfil',
    mutual: (count) => `${count} conexões em comum`,
    oldSubject: 'Convite para se conectar no LinkedIn',
    oldPhrase: 'Gostaria de adicioná-lo à minha rede profissional no LinkedIn.',
    confirm: (name) => `Aceitar o convite de ${name}`,
    accepted: (name) => `${name} aceitou seu convite`,
    headline: 'Diretora comercial na Exemplo Ltda',
    location: 'Lisboa, Portugal',
  },
  it: {
    subject: 'Voglio collegarmi con te',
    greeting: 'Ciao Morgan,',
    phrase: 'Vorrei entrare a far parte della tua rete LinkedIn.',
    accept: 'Accetta',
    view: 'Visualizza profilo',
    mutual: (count) => `${count} collegamenti in comune`,
    oldSubject: 'Invito a collegarsi su LinkedIn',
    oldPhrase: 'Vorrei aggiungerti alla mia rete professionale su LinkedIn.',
    confirm: (name) => `Accetta l'invito di ${name}`,
    accepted: (name) => `${name} ha accettato il tuo invito`,
    headline: 'Direttrice commerciale presso Esempio Srl',
    location: 'Milano, Italia',
  },
  nl: {
    subject: 'Ik wil met je connecten',
    greeting: 'Hallo Morgan,',
    phrase: 'Ik wil graag deel uitmaken van uw LinkedIn-netwerk.',
    accept: 'Accepteren',
    view: 'Profiel bekijken',
    mutual: (count) => `${count} gemeenschappelijke connecties`,
    oldSubject: 'Uitnodiging om te connecten op LinkedIn',
    oldPhrase: 'Ik wil u graag toevoegen aan mijn professionele netwerk op LinkedIn.',
    confirm: (name) => `Uitnodiging van ${name} accepteren`,
    accepted: (name) => `${name} heeft uw uitnodiging geaccepteerd`,
    headline: 'Commercieel directeur bij Voorbeeld BV',
    location: 'Utrecht, Nederland',
  },
};

const PEOPLE: Record<Language, { name: string; first: string; slug: string }> = {
  en: { name: 'Jane Doe', first: 'Jane', slug: 'jane-doe-4b2a1' },
  de: { name: 'Jana Schmidt', first: 'Jana', slug: 'jana-schmidt-77' },
  fr: { name: 'Camille Martin', first: 'Camille', slug: 'camille-martin-fr' },
  es: { name: 'Lucía García', first: 'Lucía', slug: 'lucia-garcia-es' },
  pt: { name: 'Inês Costa', first: 'Inês', slug: 'ines-costa-pt' },
  it: { name: 'Giulia Rossi', first: 'Giulia', slug: 'giulia-rossi-it' },
  nl: { name: 'Sanne de Vries', first: 'Sanne', slug: 'sanne-de-vries' },
};

const LANGUAGES = Object.keys(WORDS) as Language[];
const TRK = 'trk=eml-email_m2m_invite_single_01-hero-3-prof~name&midToken=AQHz';
const INVITE_HEADERS = { 'X-LinkedIn-Class': 'INVITE', 'X-LinkedIn-Template': 'email_m2m_invite_single_01', 'List-Unsubscribe': '<https://www.linkedin.com/comm/psettings/email-unsubscribe?lipi=x>' };

/** Constructed: a 2016-template invitation (text and HTML), as LinkedIn sends it today. */
function invitation(language: Language, options: { id: string; note?: string; mutual?: number; connections?: string; photo?: 'real' | 'ghost'; auth?: string }) {
  const words = WORDS[language];
  const person = PEOPLE[language];
  const profile = `https://www.linkedin.com/comm/in/${person.slug}?${TRK}`;
  const accept = `https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/${options.id}/sharedKey/dlv2StPe/?trk=eml-email_m2m_invite_single_01-null-0-accept~cta`;
  const lines = [
    words.greeting,
    options.note ?? words.phrase,
    person.name,
    words.headline,
    words.location,
    ...(options.mutual !== undefined ? [words.mutual(options.mutual)] : []),
    ...(options.connections ? [options.connections] : []),
  ];
  const photo =
    options.photo === 'ghost'
      ? 'https://static.licdn.com/scds/common/u/images/themes/katy/ghosts/person/ghost_person_100x100_v1.png'
      : 'https://media.licdn.com/dms/image/v2/C4D03AQE/profile-displayphoto-shrink_100_100/0/1600000000000?e=1&v=beta&t=x';
  return mail({
    from: { name: person.name, address: 'invitations@linkedin.com' },
    subject: words.subject,
    headers: { ...INVITE_HEADERS, ...(options.auth ? { 'Authentication-Results': options.auth } : {}) },
    text: [lines[0], '', lines[1], '', ...lines.slice(2), '', `${words.accept}: ${accept}`, '', `${words.view}: ${profile}`, '', '.....', 'Unsubscribe: https://www.linkedin.com/e/v2?e=1&m=unsub'].join('\n'),
    html: notificationHtml({
      recipientLink: 'https://www.linkedin.com/comm/in/morgan-example?trk=eml-email_m2m_invite_single_01-header-6-profile',
      photoLink: options.photo ? `https://www.linkedin.com/comm/in/${person.slug}?trk=eml-email_m2m_invite_single_01-hero-1-prof~photo` : undefined,
      photo: options.photo ? photo : undefined,
      name: person.name,
      lines,
      buttons: [
        [words.accept, accept],
        [words.view, profile],
      ],
    }),
  });
}

/** Constructed: a 2011–2013 invitation sent by LinkedIn from the inviter's own mailbox. */
function oldInvitation(language: Language, from: { name: string; address: string }, extra: { replyTo?: string; auth?: string } = {}) {
  const words = WORDS[language];
  const person = PEOPLE[language];
  return mail({
    from,
    ...(extra.replyTo ? { replyTo: extra.replyTo } : {}),
    subject: words.oldSubject,
    headers: { Sender: 'messages-noreply@bounce.linkedin.com', 'X-LinkedIn-Class': 'INVITE-MBR', ...(extra.auth ? { 'Authentication-Results': extra.auth } : {}) },
    text: [
      'LinkedIn',
      '------------',
      '',
      person.name,
      words.headline,
      '',
      words.oldPhrase,
      '',
      `- ${person.first}`,
      '',
      words.confirm(person.name),
      'https://www.linkedin.com/e/-3wy1w2-h0w2x1/isd/9876543210/AbCdEf/?hs=false&tok=3x',
      '',
      '© 2012, LinkedIn Corporation',
    ].join('\n'),
  });
}

const positives: DetectionCase[] = LANGUAGES.flatMap((language, index): DetectionCase[] => {
  const person = PEOPLE[language];
  const id = `70123456789012345${String(index).padStart(2, '0')}`;
  const words = WORDS[language];
  return [
    {
      name: `constructed: LinkedIn invitation, 2016 template, ${LANGUAGE_NAMES[language]}, authenticated`,
      platform: 'linkedin',
      language,
      expect: 'request',
      requester: {
        name: person.name,
        firstName: person.first,
        invitationId: id,
        profileUrl: `https://www.linkedin.com/in/${person.slug}`,
        headline: words.headline,
        location: words.location,
        mutualConnections: 12,
        hasPhoto: true,
        note: null,
        email: null,
      },
      flags: [],
      reason: /^LinkedIn invitation \(2016 format\)$/,
      build: invitation(language, { id, mutual: 12, photo: 'real', auth: passed('linkedin.com') }),
    },
    {
      name: `constructed: LinkedIn invitation with a personal note, no photo, few connections, ${LANGUAGE_NAMES[language]}, no Authentication-Results`,
      platform: 'linkedin',
      language,
      expect: 'request',
      requester: { name: person.name, invitationId: `${id}9`, note: `Timber Summit 2024 – ${person.first} (LION)`, hasPhoto: false, connectionCount: 37 },
      flags: ['few_connections', 'no_photo', 'open_networker', 'unverified'],
      build: invitation(language, {
        id: `${id}9`,
        note: `Timber Summit 2024 – ${person.first} (LION)`,
        photo: 'ghost',
        connections: { en: '37 connections', de: '37 Kontakte', fr: '37 relations', es: '37 contactos', pt: '37 conexões', it: '37 collegamenti', nl: '37 connecties' }[language],
      }),
    },
    {
      name: `constructed: LinkedIn invitation, 2011–2013 format from the inviter's own mailbox, ${LANGUAGE_NAMES[language]}`,
      platform: 'linkedin',
      language,
      expect: 'request',
      requester: { name: person.name, headline: words.headline, email: `${person.slug}@example.org` },
      replyTo: `${person.slug}@example.org`,
      flags: [],
      reason: /2011–2013 format, from the inviter's own address/,
      build: oldInvitation(language, { name: person.name, address: `${person.slug}@example.org` }, { auth: passed('linkedin.com') }),
    },
    {
      name: `constructed: LinkedIn notice that an invitation was accepted, ${LANGUAGE_NAMES[language]}`,
      platform: 'linkedin',
      language,
      expect: 'not-request',
      reason: /^suppressed: LinkedIn notice that an invitation was accepted/,
      build: mail({
        from: { name: person.name, address: 'invitations@linkedin.com' },
        subject: words.accepted(person.name),
        headers: { 'X-LinkedIn-Class': 'INVITE', 'X-LinkedIn-Template': 'email_m2m_invite_accepted_01', 'Authentication-Results': passed('linkedin.com') },
        text: `${words.accepted(person.name)}\n\n${words.view}: https://www.linkedin.com/comm/in/${person.slug}?${TRK}`,
      }),
    },
  ];
});

const lookAlikes: DetectionCase[] = [
  {
    name: 'constructed: LinkedIn invitation in Japanese (a language without phrases): recognised by its template and Accept link',
    platform: 'linkedin',
    language: null,
    expect: 'request',
    requester: { name: '佐藤 花子', invitationId: '7300000000000000001', profileUrl: 'https://www.linkedin.com/in/hanako-sato' },
    build: mail({
      from: { name: '佐藤 花子', address: 'invitations@linkedin.com' },
      subject: 'つながりを申請します',
      headers: { ...INVITE_HEADERS, 'Authentication-Results': passed('linkedin.com') },
      text: [
        'Morganさん、',
        'LinkedInのネットワークに参加させてください。',
        '',
        '佐藤 花子',
        '株式会社サンプル 営業部長',
        '',
        '承認: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7300000000000000001/sharedKey/x/',
        'プロフィールを表示: https://www.linkedin.com/comm/in/hanako-sato?trk=eml-email_m2m_invite_single_01-hero-3-prof~name',
      ].join('\n'),
    }),
  },
  {
    name: 'constructed: "via LinkedIn" invitation with a personal Reply-To, LinkedIn’s signature checked out',
    platform: 'linkedin',
    language: 'en',
    expect: 'request',
    requester: { name: 'Jane Doe', email: 'jane.doe@example.org' },
    replyTo: 'jane.doe@example.org',
    reason: /2011–2013 format, sent through LinkedIn/,
    build: oldInvitation('en', { name: 'Jane Doe via LinkedIn', address: 'member@linkedin.com' }, { replyTo: 'jane.doe@example.org', auth: passed('linkedin.com') }),
  },
  {
    name: 'constructed: "via LinkedIn" invitation, authenticated, whose Reply-To is at another LinkedIn domain (linkedin.cn): no address',
    platform: 'linkedin',
    language: 'en',
    expect: 'request',
    requester: { name: 'Jane Doe', email: null },
    replyTo: null,
    build: oldInvitation('en', { name: 'Jane Doe via LinkedIn', address: 'member@linkedin.com' }, { replyTo: 'r-7f3a@relay.linkedin.cn', auth: passed('linkedin.com') }),
  },
  {
    name: 'constructed: LinkedIn invitation from the inviter’s own mailbox, both authenticated, with a do-not-respond Reply-To: the script goes to the From',
    platform: 'linkedin',
    language: 'en',
    expect: 'request',
    requester: { name: 'Jane Doe', email: 'jane.doe@example.org' },
    replyTo: 'jane.doe@example.org',
    build: oldInvitation(
      'en',
      { name: 'Jane Doe', address: 'jane.doe@example.org' },
      { replyTo: 'do-not-respond@example.org', auth: 'mx.example.test; dkim=pass header.d=linkedin.com; dkim=pass header.d=example.org; dmarc=pass header.from=example.org' },
    ),
  },
  {
    name: 'constructed: "via LinkedIn" invitation with a personal Reply-To, not authenticated: no address',
    platform: 'linkedin',
    language: 'en',
    expect: 'request',
    requester: { name: 'Jane Doe', email: null },
    flags: ['unverified'],
    build: oldInvitation('en', { name: 'Jane Doe via LinkedIn', address: 'member@linkedin.com' }, { replyTo: 'jane.doe@example.org' }),
  },
  {
    name: 'constructed: LinkedIn invitation whose DKIM and DMARC failed at the user’s server',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /^suppressed: LinkedIn mail that failed authentication \(dmarc=fail header\.from=linkedin\.com/,
    build: invitation('en', { id: '7000000000000000001', auth: failed('linkedin.com') }),
  },
  {
    name: 'constructed: LinkedIn invitation signed by another domain only (unverified: held for the user)',
    platform: 'linkedin',
    language: 'en',
    expect: 'request',
    flags: ['unverified'],
    build: invitation('en', { id: '7000000000000000002', auth: passed('evil.example') }),
  },
  {
    name: 'constructed: LinkedIn invitation whose only "pass" comes from a look-alike DKIM domain (unverified: held for the user)',
    platform: 'linkedin',
    language: 'en',
    expect: 'request',
    flags: ['unverified'],
    build: invitation('en', { id: '7000000000000000003', auth: 'mx.example.test; dkim=pass header.d=linkedin.com.evil.example; dmarc=pass header.from=linkedin-mail.com' }),
  },
  {
    name: 'constructed: LinkedIn invitation whose "pass" was written by another server (authserv-id not the user’s; unverified: held for the user)',
    platform: 'linkedin',
    language: 'en',
    expect: 'request',
    flags: ['unverified'],
    build: invitation('en', { id: '7000000000000000004', auth: 'mx.attacker.example; dkim=pass header.d=linkedin.com; dmarc=pass header.from=linkedin.com' }),
  },
  {
    name: 'constructed: LinkedIn invitation without Authentication-Results, UNVERIFIED_MAIL=ignore',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /UNVERIFIED_MAIL=ignore/,
    context: { unverifiedMail: 'ignore' },
    build: invitation('en', { id: '7000000000000000005' }),
  },
  {
    name: 'constructed: invitation from the look-alike domain linkedln.com',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /imitates linkedin\.com/,
    build: mail({
      from: { name: 'Jane Doe', address: 'invitations@linkedln.com' },
      subject: 'I want to connect',
      text: "Hi Morgan,\n\nI'd like to join your LinkedIn network.\n\nJane Doe\n\nAccept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7000000000000000006/",
    }),
  },
  {
    name: 'constructed: 2011-style invitation from linkedin-mail.com with a Reply-To',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /imitates linkedin\.com/,
    build: mail({
      from: { name: 'Jane Doe', address: 'jane@linkedin-mail.com' },
      replyTo: 'collector@example.net',
      subject: 'Invitation to connect on LinkedIn',
      text: "I'd like to add you to my professional network on LinkedIn.\n\n- Jane\n\nhttps://www.linkedin.com/e/-abc/accept/",
    }),
  },
  {
    name: 'constructed: invitation from linkedin.com.evil.example',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /imitates linkedin\.com/,
    build: mail({
      from: { name: 'LinkedIn', address: 'invitations@linkedin.com.evil.example' },
      subject: 'You have an invitation',
      headers: { 'X-LinkedIn-Template': 'email_m2m_invite_single_01' },
      text: "Jane Doe wants to connect.\n\nAccept: https://www.linkedin.com/comm/people/invite-accept?invitationId=7000000000000000007",
    }),
  },
  {
    name: 'constructed: LinkedIn InMail from a recruiter, Reply-To relaying through reply.linkedin.com',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /^suppressed: LinkedIn InMail/,
    build: mail({
      from: { name: 'Rita Recruiter', address: 'inmail-hit-reply@linkedin.com' },
      replyTo: { name: 'Rita Recruiter', address: 'c15c178d-5301-4d85-81dc-bfcca1ed21ad@reply.linkedin.com' },
      subject: 'Exciting opportunity: Senior Engineer',
      headers: { 'X-LinkedIn-Class': 'INMAIL', 'X-LinkedIn-Template': 'email_hire_inmail_initial_single_01', 'Authentication-Results': passed('linkedin.com') },
      text: "Hi Morgan, I'd like to connect about a role.",
    }),
  },
  {
    name: 'constructed: LinkedIn message notification ("just messaged you")',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /^suppressed: LinkedIn message/,
    build: mail({
      from: { name: 'Vikram Arikath via LinkedIn', address: 'messaging-digest-noreply@linkedin.com' },
      subject: 'Vikram just messaged you',
      headers: { 'Authentication-Results': passed('linkedin.com') },
      text: 'You have 1 new message.\nVikram Arikath\nView message: https://www.linkedin.com/comm/messaging/thread/123/',
    }),
  },
  {
    name: 'constructed: LinkedIn "people you may know"',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'LinkedIn', address: 'messages-noreply@linkedin.com' },
      subject: 'Morgan, do you know Jane Doe?',
      headers: { 'X-LinkedIn-Class': 'PYMK', 'X-LinkedIn-Template': 'email_pymk_02' },
      text: 'People you may know\nJane Doe\nHead of Engineering\nConnect: https://www.linkedin.com/comm/in/jane-doe-4b2a1',
    }),
  },
  {
    name: 'constructed: LinkedIn job alert',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'LinkedIn Job Alerts', address: 'jobalerts-noreply@linkedin.com' },
      subject: '"Software Engineer": Example Corp and more',
      headers: { 'X-LinkedIn-Class': 'JOBS-TO-MBR', 'X-LinkedIn-Template': 'email_job_alert_digest_01' },
      text: 'Your job alert for Software Engineer in Boston. New jobs match your preferences.',
    }),
  },
  {
    name: 'constructed: LinkedIn newsletter invitation',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Jane Doe', address: 'newsletters-noreply@linkedin.com' },
      subject: 'Jane Doe invited you to subscribe to Timber Weekly',
      text: 'Jane Doe invited you to subscribe to her newsletter.\nSubscribe: https://www.linkedin.com/comm/newsletters/123',
    }),
  },
  {
    name: 'constructed: LinkedIn security notice',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /security notice/,
    build: mail({
      from: { name: 'LinkedIn', address: 'security-noreply@linkedin.com' },
      subject: 'Morgan, your password was changed',
      text: 'Your password was successfully changed. If you did not, contact us.',
    }),
  },
  {
    name: 'constructed: a digest of two invitations',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /^suppressed: LinkedIn digest of invitations/,
    build: mail({
      from: { name: 'LinkedIn', address: 'invitations@linkedin.com' },
      subject: 'You have 2 new invitations',
      headers: INVITE_HEADERS,
      text: [
        'Jane Doe wants to connect',
        'Accept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7100000000000000001/sharedKey/a/',
        'John Roe wants to connect',
        'Accept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7100000000000000002/sharedKey/b/',
      ].join('\n'),
    }),
  },
  {
    name: 'constructed: a person’s "Re: Invitation to connect on LinkedIn" quoting the invitation',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Sam Friend', address: 'sam@example.net' },
      subject: 'Re: Invitation to connect on LinkedIn',
      inReplyTo: '<invite-1@linkedin.example>',
      references: '<invite-1@linkedin.example>',
      text: [
        'Sure, happy to - see you at the meetup on Thursday.',
        '',
        'On Tue, 5 Mar 2013 at 10:00, Jane Doe <jane.doe@example.org> wrote:',
        "> I'd like to add you to my professional network on LinkedIn.",
        '> - Jane',
      ].join('\n'),
    }),
  },
  {
    name: 'constructed: a colleague’s "Fwd: I want to connect" forwarding an invitation',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Alex Assistant', address: 'alex@example.net' },
      subject: 'Fwd: I want to connect',
      text: [
        'FYI, see below.',
        '',
        '---------- Forwarded message ---------',
        'From: Jane Doe <invitations@linkedin.com>',
        "I'd like to join your LinkedIn network.",
        'Accept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7200000000000000001/sharedKey/a/',
      ].join('\n'),
    }),
  },
  {
    name: 'constructed: LinkedIn invitation to a mailing list the user reads',
    platform: 'linkedin',
    language: 'en',
    expect: 'not-request',
    reason: /mailing list/,
    build: mail({
      from: { name: 'Jane Doe via LinkedIn', address: 'member@linkedin.com' },
      to: 'dev-users@lists.example.org',
      subject: '[dev-users] Invitation to connect on LinkedIn',
      headers: { 'List-Id': 'Developers <dev-users.lists.example.org>', 'X-LinkedIn-Class': 'INVITE-MBR' },
      text: "I'd like to add you to my professional network on LinkedIn.\n\n- Jane",
    }),
  },
];

export const LINKEDIN_CASES: DetectionCase[] = [...positives, ...lookAlikes, ...localisedNegatives()];

/** Constructed: LinkedIn's message notices and forwarded invitations in other languages. */
function localisedNegatives(): DetectionCase[] {
  const messages: Array<[Language, string]> = [
    ['de', 'Jana Schmidt hat Ihnen eine Nachricht gesendet'],
    ['fr', 'Camille Martin vous a envoyé un message'],
    ['es', 'Lucía García te ha enviado un mensaje'],
    ['pt', 'Inês Costa enviou uma mensagem para você'],
    ['it', 'Giulia Rossi ti ha inviato un messaggio'],
    ['nl', 'Sanne de Vries heeft je een bericht gestuurd'],
  ];
  // A colleague forwarding an invitation, with the prefix their mail client writes in their language.
  const forwards: Array<[Language, string]> = [
    ['de', 'WG'],
    ['fr', 'TR'],
    ['es', 'RV'],
    ['pt', 'ENC'],
    ['it', 'I'],
    ['nl', 'Doorst'],
  ];
  const forwarded = forwards.map(([language, prefix]): DetectionCase => ({
    name: `constructed: a colleague’s "${prefix}: ${WORDS[language].oldSubject}" forwarding an invitation, ${LANGUAGE_NAMES[language]}`,
    platform: 'linkedin',
    language,
    expect: 'not-request',
    build: mail({
      from: { name: 'Alex Assistant', address: 'alex@example.net' },
      subject: `${prefix}: ${WORDS[language].oldSubject}`,
      text: [`${PEOPLE[language].first}:`, '', WORDS[language].oldPhrase, '', `- ${PEOPLE[language].first}`].join('\n'),
    }),
  }));
  // The other look-alikes the issue names, sent the way LinkedIn sends them, in every language.
  const notices: Record<Language, { pymk: string; security: string; newsletter: string }> = {
    en: { pymk: 'Morgan, people you may know', security: 'Security alert: new sign-in to your account', newsletter: 'Jane Doe invited you to subscribe to Timber Weekly' },
    de: { pymk: 'Personen, die Sie kennen könnten', security: 'Sicherheitshinweis: neue Anmeldung', newsletter: 'Jana Schmidt hat Sie eingeladen, Holzbau Heute zu folgen' },
    fr: { pymk: 'Personnes que vous pourriez connaître', security: 'Alerte de sécurité : nouvelle connexion', newsletter: 'Camille Martin vous a invité à suivre Bois Hebdo' },
    es: { pymk: 'Personas que quizá conozcas', security: 'Alerta de seguridad: nuevo inicio de sesión', newsletter: 'Lucía García te ha invitado a seguir Madera Semanal' },
    pt: { pymk: 'Pessoas que talvez você conheça', security: 'Alerta de segurança: novo acesso', newsletter: 'Inês Costa convidou você para seguir Madeira Semanal' },
    it: { pymk: 'Persone che potresti conoscere', security: 'Avviso di sicurezza: nuovo accesso', newsletter: 'Giulia Rossi ti ha invitato a seguire Legno Settimanale' },
    nl: { pymk: 'Mensen die u misschien kent', security: 'Beveiligingsmelding: nieuwe aanmelding', newsletter: 'Sanne de Vries heeft u uitgenodigd om Hout Wekelijks te volgen' },
  };
  const noticeCases = (Object.keys(notices) as Language[]).flatMap((language): DetectionCase[] =>
    (
      [
        ['pymk', 'people you may know', /people you may know/],
        ['security', 'security notice', /security notice/],
        ['newsletter', 'newsletter invitation', /event, a page or a newsletter/],
      ] as const
    ).map(([kind, what, reason]) => ({
      name: `constructed: LinkedIn ${what}, ${LANGUAGE_NAMES[language]}`,
      platform: 'linkedin',
      language,
      expect: 'not-request',
      reason,
      build: mail({
        from: { name: 'LinkedIn', address: 'messages-noreply@linkedin.com' },
        subject: notices[language][kind],
        headers: { 'Authentication-Results': passed('linkedin.com') },
        text: `${notices[language][kind]}\n\n${PEOPLE[language].name}\nhttps://www.linkedin.com/comm/in/${PEOPLE[language].slug}`,
      }),
    })),
  );
  return [...forwarded, ...noticeCases, ...messages.map(([language, subject]): DetectionCase => ({
    name: `constructed: LinkedIn message notification, ${LANGUAGE_NAMES[language]}`,
    platform: 'linkedin',
    language,
    expect: 'not-request',
    reason: /^suppressed: LinkedIn message/,
    build: mail({
      from: { name: `${PEOPLE[language].name} via LinkedIn`, address: 'messaging-digest-noreply@linkedin.com' },
      subject,
      headers: { 'Authentication-Results': passed('linkedin.com') },
      text: `${subject}\n\nhttps://www.linkedin.com/comm/messaging/thread/123/`,
    }),
  }))];
}

