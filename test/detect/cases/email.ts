import type { Language } from '../../../src/vocabulary/contact.ts';
import { LANGUAGE_NAMES, ME, SERVER, mail, type DetectionCase } from './support.ts';

/**
 * Constructed personal emails: strangers asking to connect or to meet, in every language, and the
 * mail that must never get a script although it uses the same words (introductions, meetings with
 * people already in touch, replies, lists, spoofed senders).
 */

const CONNECT: Record<Language, { subject: string; body: string }> = {
  en: { subject: 'Hello from the timber conference', body: "Hi Morgan,\n\nI enjoyed your talk. I'd like to connect with you on LinkedIn.\n\nBest,\nJane" },
  de: { subject: 'Grüße von der Holzbau-Messe', body: 'Hallo Morgan,\n\nIhr Vortrag hat mir gefallen. Ich würde mich gerne mit Ihnen vernetzen.\n\nViele Grüße\nJana' },
  fr: { subject: 'Bonjour depuis le salon du bois', body: "Bonjour Morgan,\n\nJ'ai apprécié votre intervention. J'aimerais beaucoup me connecter avec vous.\n\nCordialement,\nCamille" },
  es: { subject: 'Saludos desde la feria de la madera', body: 'Hola Morgan,\n\nMe gustó mucho tu charla. Me gustaría conectar contigo.\n\nUn saludo,\nLucía' },
  pt: { subject: 'Olá da feira da madeira', body: 'Olá Morgan,\n\nGostei muito da sua palestra. Gostaria muito de me conectar com você.\n\nAbraços,\nInês' },
  it: { subject: 'Saluti dalla fiera del legno', body: 'Ciao Morgan,\n\nHo apprezzato il tuo intervento. Vorrei collegarmi con te.\n\nA presto,\nGiulia' },
  nl: { subject: 'Groeten van de houtbeurs', body: 'Hallo Morgan,\n\nIk vond je presentatie erg goed. Ik zou graag met je connecten.\n\nGroet,\nSanne' },
};

const MEET: Record<Language, { subject: string; body: string }> = {
  en: { subject: 'Coffee?', body: "Hi Morgan, I read your article on timber frames and I'd love to meet you for a coffee." },
  de: { subject: 'Kennenlernen?', body: 'Hallo Morgan, ich habe Ihren Artikel gelesen und würde Sie gerne persönlich kennenlernen.' },
  fr: { subject: 'Un café ?', body: "Bonjour Morgan, j'ai lu votre article et j'aimerais beaucoup vous rencontrer." },
  es: { subject: '¿Un café?', body: 'Hola Morgan, leí tu artículo y me encantaría conocerte en persona.' },
  pt: { subject: 'Um café?', body: 'Olá Morgan, li o seu artigo e gostaria muito de te conhecer pessoalmente.' },
  it: { subject: 'Un caffè?', body: 'Ciao Morgan, ho letto il tuo articolo e mi piacerebbe conoscerti di persona.' },
  nl: { subject: 'Koffie?', body: 'Hallo Morgan, ik las je artikel en zou je graag eens willen ontmoeten.' },
};

/** Introductions and everyday uses of the same verbs: never a request. */
const NOT_REQUESTS: Record<Language, string> = {
  en: "I'd like to connect you with my colleague Bob, who runs the timber project.",
  de: 'Ich möchte dich gerne mit Bob vernetzen, er leitet das Holzprojekt.',
  fr: 'Je voudrais vous mettre en relation avec mon collègue Bob, qui dirige le projet bois.',
  es: 'Quiero ponerte en contacto con mi colega Bob, que dirige el proyecto de madera.',
  pt: 'Quero te apresentar ao meu colega Bob, que cuida do projeto de madeira.',
  it: 'Vorrei metterti in contatto con il mio collega Bob, che guida il progetto legno.',
  nl: 'Ik wil je graag in contact brengen met mijn collega Bob, die het houtproject leidt.',
};

const SENDERS: Record<Language, { name: string; address: string }> = {
  en: { name: 'Jane Doe', address: 'jane.doe@example.org' },
  de: { name: 'Jana Schmidt', address: 'jana.schmidt@beispiel.example' },
  fr: { name: 'Camille Martin', address: 'camille@exemple.example' },
  es: { name: 'Lucía García', address: 'lucia@ejemplo.example' },
  pt: { name: 'Inês Costa', address: 'ines@exemplo.example' },
  it: { name: 'Giulia Rossi', address: 'giulia@esempio.example' },
  nl: { name: 'Sanne de Vries', address: 'sanne@voorbeeld.example' },
};

const LANGUAGES = Object.keys(CONNECT) as Language[];

/** The user's server checked the sender and found it genuine. */
function dmarcPass(address: string): string {
  const domain = address.slice(address.indexOf('@') + 1);
  return `${SERVER}; spf=pass smtp.mailfrom=${domain}; dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}`;
}

const byLanguage: DetectionCase[] = LANGUAGES.flatMap((language): DetectionCase[] => {
  const sender = SENDERS[language];
  return [
    {
      name: `constructed: personal email asking to connect, ${LANGUAGE_NAMES[language]}`,
      platform: 'email',
      language,
      expect: 'request',
      requester: { name: sender.name, email: sender.address },
      replyTo: sender.address,
      flags: [],
      reason: /^personal request to connect: body matches/,
      build: mail({ from: sender, subject: CONNECT[language].subject, headers: { 'Authentication-Results': dmarcPass(sender.address) }, text: CONNECT[language].body }),
    },
    {
      name: `constructed: personal email asking to meet, ${LANGUAGE_NAMES[language]}, no Authentication-Results`,
      platform: 'email',
      language,
      expect: 'request',
      requester: { name: sender.name, email: sender.address },
      replyTo: sender.address,
      flags: ['unverified'],
      build: mail({ from: sender, subject: MEET[language].subject, text: MEET[language].body }),
    },
    {
      name: `constructed: an introduction to a third person, ${LANGUAGE_NAMES[language]}`,
      platform: 'email',
      language,
      expect: 'not-request',
      build: mail({ from: sender, subject: 'Bob', text: `${NOT_REQUESTS[language]}\n\n${sender.name}` }),
    },
  ];
});

export const EMAIL_CASES: DetectionCase[] = [
  ...byLanguage,
  {
    name: 'constructed: German request typed without umlauts ("wuerde")',
    platform: 'email',
    language: 'de',
    expect: 'request',
    replyTo: 'jana.schmidt@beispiel.example',
    build: mail({ from: SENDERS.de, subject: 'Hallo', text: 'Hallo Morgan, ich wuerde mich sehr gerne mit Ihnen vernetzen. Gruesse, Jana' }),
  },
  {
    name: 'constructed: Spanish request typed without accents ("Me gustaria")',
    platform: 'email',
    language: 'es',
    expect: 'request',
    replyTo: 'lucia@ejemplo.example',
    build: mail({ from: SENDERS.es, subject: 'Hola', text: 'Hola Morgan, me gustaria conectar contigo. Lucia' }),
  },
  {
    name: 'constructed: personal request written in HTML only',
    platform: 'email',
    language: 'en',
    expect: 'request',
    replyTo: 'jane.doe@example.org',
    build: mail({ from: SENDERS.en, subject: 'Hello', html: '<div dir="ltr"><p>Hi Morgan,</p><p>I&#39;d love to connect &mdash; we met at the timber summit.</p><p>Jane</p></div>' }),
  },
  {
    // "m&ouml;chte" is "möchte" only once the entity is decoded; the phrase needs the word.
    name: 'constructed: German request in HTML only, umlauts written as entities',
    platform: 'email',
    language: 'de',
    expect: 'request',
    replyTo: 'jana.schmidt@beispiel.example',
    build: mail({ from: SENDERS.de, subject: 'Hallo', html: '<p>Hallo Morgan,</p><p>ich m&ouml;chte mich gerne mit Ihnen vernetzen &ndash; Ihr Vortrag &uuml;ber Holzbau hat mir gefallen.</p><p>Viele Gr&uuml;&szlig;e<br>Jana</p>' }),
  },
  {
    name: 'constructed: French request in HTML only, accents written as named and numeric entities',
    platform: 'email',
    language: 'fr',
    expect: 'request',
    replyTo: 'camille@exemple.example',
    build: mail({ from: SENDERS.fr, subject: 'Bonjour', html: '<p>Bonjour Morgan,</p><p>j&#8217;ai beaucoup aim&#xE9; votre conf&#233;rence et j&#x2019;aimerais vous ajouter &agrave; mon r&eacute;seau.</p><p>Camille</p>' }),
  },
  {
    name: 'constructed: a newsletter saying "connect with you on LinkedIn"',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Timber Weekly', address: 'editor@timberweekly.example' },
      subject: 'This week in timber',
      headers: { 'List-Unsubscribe': '<https://timberweekly.example/unsubscribe>' },
      text: "We'd love to connect with you on LinkedIn! Follow us for more.",
    }),
  },
  {
    name: 'constructed: "Let\'s connect" with a personal Reply-To, sender authenticated: the script goes to the Reply-To',
    platform: 'email',
    language: 'en',
    expect: 'request',
    replyTo: 'jane@home.example.net',
    build: mail({
      from: { name: 'Jane Doe', address: 'jane@work.example.org' },
      replyTo: { name: 'Jane Doe', address: 'jane@home.example.net' },
      subject: "Let's connect",
      headers: { 'Authentication-Results': dmarcPass('jane@work.example.org') },
      text: 'Hi Morgan, we met at the meetup.',
    }),
  },
  {
    name: 'constructed: "Let\'s connect" with a Reply-To elsewhere, sender not authenticated: the script goes to the From',
    platform: 'email',
    language: 'en',
    expect: 'request',
    replyTo: 'jane@work.example.org',
    flags: ['unverified'],
    build: mail({
      from: { name: 'Jane Doe', address: 'jane@work.example.org' },
      replyTo: 'collector@example.net',
      subject: "Let's connect",
      text: 'Hi Morgan, we met at the meetup.',
    }),
  },
  {
    name: 'constructed: "I\'d like to connect" from a sender whose DMARC failed (spoofed): the From only for the user to approve, flagged',
    platform: 'email',
    language: 'en',
    expect: 'request',
    replyTo: 'jane.doe@example.org',
    flags: ['unverified'],
    build: mail({
      from: { name: 'Jane Doe', address: 'jane.doe@example.org' },
      subject: 'Hello',
      headers: { 'Authentication-Results': `${SERVER}; spf=fail smtp.mailfrom=example.org; dkim=none; dmarc=fail header.from=example.org` },
      text: "I'd like to connect.",
    }),
  },
  {
    name: 'constructed: "Let\'s connect next week about the invoice" (a meeting, not a request)',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    build: mail({ from: 'jane@example.org', subject: 'Invoice', text: "Let's connect next week about the invoice." }),
  },
  {
    name: 'constructed: "I look forward to meeting you tomorrow" (an appointment)',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    build: mail({ from: 'jane@example.org', subject: 'Tomorrow', text: 'I look forward to meeting you tomorrow at 10 to sign the contract.' }),
  },
  {
    name: 'constructed: "Great, let\'s connect!" inside an existing conversation',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    reason: /existing conversation/,
    build: mail({ from: 'jane@example.org', subject: 'Re: coffee', inReplyTo: '<abc@example.org>', text: "Great, let's connect!" }),
  },
  {
    name: 'constructed: "Let\'s connect!" to a mailing list',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Jane Doe', address: 'jane@example.org' },
      to: 'timber-talk@lists.example.org',
      subject: "[timber-talk] Let's connect!",
      headers: { 'List-Id': 'Timber talk <timber-talk.lists.example.org>', Precedence: 'list' },
      text: "Hi all, I'd love to connect with everyone on this list.",
    }),
  },
  {
    name: 'constructed: "I\'d like to connect" sent to someone else, the user only in Bcc',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    build: mail({ from: 'jane@example.org', to: 'someone.else@example.net', subject: 'Hello', text: "I'd like to connect." }),
  },
  {
    name: 'constructed: "I\'d like to connect" from a no-reply robot',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    build: mail({ from: 'no-reply@example.org', subject: "Let's connect", text: "I'd like to connect." }),
  },
  {
    name: 'constructed: "I\'d like to connect" from the user’s own address',
    platform: 'email',
    language: 'en',
    expect: 'not-request',
    build: mail({ from: ME, subject: "Let's connect", text: "I'd like to connect." }),
  },
];
