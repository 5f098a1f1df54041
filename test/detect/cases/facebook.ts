import type { Language } from '../../../src/vocabulary/contact.ts';
import { LANGUAGE_NAMES, failed, mail, notificationHtml, passed, type DetectionCase } from './support.ts';

/**
 * Constructed Facebook mail, after the real headers of a friend request: From
 * notification+…@facebookmail.com, Reply-To noreply@facebookmail.com,
 * `X-Facebook-Notify: friend; from=<id>; mailid=…`, subject "<Name> wants to be friends on Facebook".
 */

interface Words {
  subject: (name: string) => string;
  body: (name: string) => string;
  mutual: (count: number) => string;
  confirm: string;
  accepted: (name: string) => string;
  suggestion: string;
}

const WORDS: Record<Language, Words> = {
  en: {
    subject: (name) => `${name} wants to be friends on Facebook`,
    body: (name) => `${name} wants to be friends with you on Facebook.`,
    mutual: (count) => `${count} mutual friends`,
    confirm: 'Confirm request',
    accepted: (name) => `${name} confirmed you as a friend on Facebook`,
    suggestion: 'People you may know on Facebook',
  },
  de: {
    subject: (name) => `${name} hat dir eine Freundschaftsanfrage gesendet`,
    body: (name) => `${name} möchte auf Facebook mit dir befreundet sein.`,
    mutual: (count) => `${count} gemeinsame Freunde`,
    confirm: 'Bestätigen',
    accepted: (name) => `${name} hat deine Freundschaftsanfrage bestätigt`,
    suggestion: 'Personen, die du kennen könntest',
  },
  fr: {
    subject: (name) => `${name} vous a envoyé une invitation d'ami(e)`,
    body: (name) => `${name} veut être votre ami(e) sur Facebook.`,
    mutual: (count) => `${count} amis en commun`,
    confirm: 'Confirmer',
    accepted: (name) => `${name} a accepté votre invitation d'ami(e)`,
    suggestion: 'Personnes que vous connaissez peut-être',
  },
  es: {
    subject: (name) => `${name} te envió una solicitud de amistad`,
    body: (name) => `${name} quiere ser tu amiga en Facebook.`,
    mutual: (count) => `${count} amigos en común`,
    confirm: 'Confirmar',
    accepted: (name) => `${name} aceptó tu solicitud de amistad`,
    suggestion: 'Personas que quizá conozcas',
  },
  pt: {
    subject: (name) => `${name} enviou uma solicitação de amizade para você`,
    body: (name) => `${name} quer ser sua amiga no Facebook.`,
    mutual: (count) => `${count} amigos em comum`,
    confirm: 'Confirmar',
    accepted: (name) => `${name} aceitou sua solicitação de amizade`,
    suggestion: 'Pessoas que você talvez conheça',
  },
  it: {
    subject: (name) => `${name} ti ha inviato una richiesta di amicizia`,
    body: (name) => `${name} vuole stringere amicizia con te su Facebook.`,
    mutual: (count) => `${count} amici in comune`,
    confirm: 'Conferma',
    accepted: (name) => `${name} ha accettato la tua richiesta di amicizia`,
    suggestion: 'Persone che potresti conoscere',
  },
  nl: {
    subject: (name) => `${name} heeft je een vriendschapsverzoek gestuurd`,
    body: (name) => `${name} wil vrienden worden op Facebook.`,
    mutual: (count) => `${count} gemeenschappelijke vrienden`,
    confirm: 'Bevestigen',
    accepted: (name) => `${name} heeft je vriendschapsverzoek geaccepteerd`,
    suggestion: 'Mensen die je misschien kent',
  },
};

const PEOPLE: Record<Language, string> = {
  en: 'Prema Khan',
  de: 'Lena Weber',
  fr: 'Chloé Bernard',
  es: 'Sofía López',
  pt: 'Beatriz Santos',
  it: 'Chiara Bianchi',
  nl: 'Eva Jansen',
};

const LANGUAGES = Object.keys(WORDS) as Language[];
const FROM = { name: 'Facebook', address: 'notification+zj4yzx@facebookmail.com' };

function friendRequest(language: Language, id: string, options: { auth?: string; notify?: string; photo?: boolean } = {}) {
  const words = WORDS[language];
  const name = PEOPLE[language];
  const profile = `https://www.facebook.com/n/?profile.php&id=${id}&aref=1&medium=email&mid=abc`;
  return mail({
    from: FROM,
    replyTo: { name: 'noreply', address: 'noreply@facebookmail.com' },
    subject: words.subject(name),
    headers: {
      'X-Facebook-Notify': options.notify ?? `friend; from=${id}; mailid=2fc5f99G2738aab8Gca41707G2`,
      'X-FACEBOOK-PRIORITY': '0',
      'X-Auto-Response-Suppress': 'All',
      'List-Unsubscribe': '<https://www.facebook.com/o.php?k=AS2&u=1>',
      ...(options.auth ? { 'Authentication-Results': options.auth } : {}),
    },
    text: [words.body(name), '', words.mutual(3), '', `${words.confirm}: https://www.facebook.com/n/?reqs.php&profile_id=${id}`, '', 'Facebook, Inc., Attention: Community Support, 1 Facebook Way, Menlo Park, CA 94025'].join('\n'),
    html: notificationHtml({
      photoLink: `https://www.facebook.com/profile.php?id=${id}`,
      photo: options.photo ? `https://scontent.xx.fbcdn.net/v/t1.0-1/c0.0.100.100/p100x100/${id}_n.jpg` : undefined,
      name,
      lines: [words.body(name), words.mutual(3)],
      buttons: [[words.confirm, profile]],
    }),
  });
}

const positives: DetectionCase[] = LANGUAGES.flatMap((language, index): DetectionCase[] => {
  const id = `10000123456789${index}`;
  const name = PEOPLE[language];
  return [
    {
      name: `constructed: Facebook friend request, ${LANGUAGE_NAMES[language]}, authenticated`,
      platform: 'facebook',
      language,
      expect: 'request',
      requester: { name, profileUrl: `https://www.facebook.com/profile.php?id=${id}`, invitationId: id, mutualConnections: 3, hasPhoto: index % 2 === 0 ? true : null, email: null },
      flags: [],
      reason: /^Facebook friend request$/,
      build: friendRequest(language, id, { auth: passed('facebookmail.com'), photo: index % 2 === 0 }),
    },
    {
      name: `constructed: Facebook notice that a friend request was accepted, ${LANGUAGE_NAMES[language]}`,
      platform: 'facebook',
      language,
      expect: 'not-request',
      reason: /^suppressed: Facebook (?:notice that a friend request was accepted|notification that is not a friend request)/,
      build: mail({
        from: FROM,
        subject: WORDS[language].accepted(name),
        headers: { 'X-Facebook-Notify': `friend_confirmation; from=${id}`, 'Authentication-Results': passed('facebookmail.com') },
        text: `${WORDS[language].accepted(name)}.\n\nhttps://www.facebook.com/profile.php?id=${id}`,
      }),
    },
    {
      name: `constructed: Facebook friend suggestion, ${LANGUAGE_NAMES[language]}`,
      platform: 'facebook',
      language,
      expect: 'not-request',
      build: mail({
        from: FROM,
        subject: WORDS[language].suggestion,
        headers: { 'Authentication-Results': passed('facebookmail.com') },
        text: `${WORDS[language].suggestion}\n${name}\n${WORDS[language].mutual(8)}`,
      }),
    },
  ];
});

export const FACEBOOK_CASES: DetectionCase[] = [
  ...positives,
  {
    name: 'constructed: Facebook friend request in Polish (no phrases): recognised by X-Facebook-Notify',
    platform: 'facebook',
    language: null,
    expect: 'request',
    requester: { name: 'Anna Kowalska', profileUrl: 'https://www.facebook.com/profile.php?id=100009999999999' },
    build: mail({
      from: FROM,
      subject: 'Anna Kowalska chce dołączyć do grona Twoich znajomych na Facebooku',
      headers: { 'X-Facebook-Notify': 'friend; from=100009999999999; mailid=abc', 'Authentication-Results': passed('facebookmail.com') },
      text: 'Anna Kowalska chce dołączyć do grona Twoich znajomych na Facebooku.\n\nPotwierdź: https://www.facebook.com/n/?reqs.php',
    }),
  },
  {
    name: 'constructed: Facebook friend request without Authentication-Results (flagged unverified)',
    platform: 'facebook',
    language: 'en',
    expect: 'request',
    requester: { name: 'Prema Khan' },
    flags: ['unverified'],
    build: friendRequest('en', '100001111111111'),
  },
  {
    name: 'constructed: Facebook friend request whose DKIM failed at the user’s server',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    reason: /failed authentication/,
    build: friendRequest('en', '100002222222222', { auth: failed('facebookmail.com') }),
  },
  {
    name: 'constructed: Facebook reminder of three pending friend requests',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    reason: /reminder of several friend requests/,
    build: mail({
      from: FROM,
      subject: 'You have 3 friend requests pending',
      headers: { 'X-Facebook-Notify': 'friend_request_reminder; mailid=abc', 'Authentication-Results': passed('facebookmail.com') },
      text: 'Prema Khan sent you a friend request.\nLena Weber sent you a friend request.\nEva Jansen sent you a friend request.\nSee all requests',
    }),
  },
  {
    name: 'constructed: Facebook birthday reminder (X-Facebook-Notify: birthday_reminder)',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: FROM,
      subject: 'Prema Khan has a birthday today',
      headers: { 'X-Facebook-Notify': 'birthday_reminder; mailid=abc', 'Authentication-Results': passed('facebookmail.com') },
      text: 'Help Prema Khan celebrate.',
    }),
  },
  {
    name: 'constructed: Facebook message notification',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: FROM,
      subject: 'New message from Prema Khan',
      headers: { 'Authentication-Results': passed('facebookmail.com') },
      text: 'Prema Khan sent you a message: "are you coming tonight?"',
    }),
  },
  {
    name: 'constructed: friend request from the look-alike faceb00k-mail.com',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    reason: /imitates facebookmail\.com/,
    build: mail({
      from: { name: 'Facebook', address: 'notification@faceb00k-mail.com' },
      replyTo: 'prema@example.net',
      subject: 'Prema Khan wants to be friends on Facebook',
      text: 'Prema Khan wants to be friends with you on Facebook.\nConfirm request: https://faceb00k-mail.com/confirm',
    }),
  },
  {
    name: 'constructed: friend request from facebook.com-security.example',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'security@facebook.com-security.example' },
      subject: 'Prema Khan sent you a friend request',
      text: 'Prema Khan sent you a friend request.',
    }),
  },
];
