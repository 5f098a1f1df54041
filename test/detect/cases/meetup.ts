import type { Language } from '../../../src/vocabulary/contact.ts';
import { LANGUAGE_NAMES, mail, passed, type DetectionCase } from './support.ts';

/** Constructed Meetup mail: a member who wants to connect (or asks to message you), in every language. */

const WORDS: Record<Language, { connect: string; message: string; accepted: string; accept: string; event: string }> = {
  en: { connect: 'wants to connect with you', message: 'sent you a message request', accepted: 'accepted your connection request', accept: 'Accept', event: 'New event: Timber Tuesday' },
  de: { connect: 'möchte sich mit dir vernetzen', message: 'hat dir eine Nachrichtenanfrage gesendet', accepted: 'hat deine Verbindungsanfrage angenommen', accept: 'Annehmen', event: 'Neue Veranstaltung: Holz-Dienstag' },
  fr: { connect: 'souhaite se connecter avec vous', message: 'vous a envoyé une demande de message', accepted: 'a accepté votre demande de connexion', accept: 'Accepter', event: 'Nouvel événement : Mardi du bois' },
  es: { connect: 'quiere conectar contigo', message: 'te envió una solicitud de mensaje', accepted: 'aceptó tu solicitud de conexión', accept: 'Aceptar', event: 'Nuevo evento: Martes de madera' },
  pt: { connect: 'quer se conectar com você', message: 'enviou uma solicitação de mensagem', accepted: 'aceitou sua solicitação de conexão', accept: 'Aceitar', event: 'Novo evento: Terça da madeira' },
  it: { connect: 'vuole connettersi con te', message: 'ti ha inviato una richiesta di messaggio', accepted: 'ha accettato la tua richiesta di connessione', accept: 'Accetta', event: 'Nuovo evento: Martedì del legno' },
  nl: { connect: 'wil met je connecten', message: 'heeft je een berichtverzoek gestuurd', accepted: 'heeft je connectieverzoek geaccepteerd', accept: 'Accepteren', event: 'Nieuw evenement: Houtdinsdag' },
};

const PEOPLE: Record<Language, { name: string; id: string }> = {
  en: { name: 'Priya Patel', id: '123456789' },
  de: { name: 'Felix Wagner', id: '223456789' },
  fr: { name: 'Hugo Laurent', id: '323456789' },
  es: { name: 'Elena Navarro', id: '423456789' },
  pt: { name: 'Tiago Rocha', id: '523456789' },
  it: { name: 'Matteo Conti', id: '623456789' },
  nl: { name: 'Bram Mulder', id: '723456789' },
};

const LANGUAGES = Object.keys(WORDS) as Language[];
const FROM = { name: 'Meetup', address: 'info@meetup.com' };
const AUTH = { 'Authentication-Results': passed('meetup.com') };

export const MEETUP_CASES: DetectionCase[] = LANGUAGES.flatMap((language, index): DetectionCase[] => {
  const person = PEOPLE[language];
  const words = WORDS[language];
  const withMessage = index % 2 === 1;
  return [
    {
      name: `constructed: Meetup ${withMessage ? 'message request' : 'request to connect'}, ${LANGUAGE_NAMES[language]}`,
      platform: 'meetup',
      language,
      expect: 'request',
      requester: {
        name: person.name,
        profileUrl: `https://www.meetup.com/members/${person.id}/`,
        note: withMessage ? 'Loved your talk on timber frames!' : null,
        email: null,
      },
      flags: [],
      reason: /^Meetup request to connect$/,
      build: mail({
        from: FROM,
        subject: `${person.name} ${withMessage ? words.message : words.connect}`,
        headers: AUTH,
        text: [
          `${person.name} ${withMessage ? words.message : words.connect}.`,
          '',
          ...(withMessage ? ['"Loved your talk on timber frames!"', ''] : []),
          `${words.accept}: https://www.meetup.com/connections/requests/?from=${person.id}`,
          `https://www.meetup.com/members/${person.id}/`,
        ].join('\n'),
      }),
    },
    {
      name: `constructed: Meetup notice that a connection request was accepted, ${LANGUAGE_NAMES[language]}`,
      platform: 'meetup',
      language,
      expect: 'not-request',
      build: mail({ from: FROM, subject: `${person.name} ${words.accepted}`, headers: AUTH, text: `${person.name} ${words.accepted}.` }),
    },
    {
      name: `constructed: Meetup event announcement, ${LANGUAGE_NAMES[language]}`,
      platform: 'meetup',
      language,
      expect: 'not-request',
      build: mail({ from: FROM, subject: words.event, headers: AUTH, text: `${words.event}\nhttps://www.meetup.com/timber-lovers/events/300000000/` }),
    },
  ];
}).concat([
  {
    name: 'constructed: request to connect from the look-alike meetup-mail.com',
    platform: 'meetup',
    language: 'en',
    expect: 'not-request',
    reason: /imitates meetup\.com/,
    build: mail({
      from: { name: 'Meetup', address: 'info@meetup-mail.com' },
      subject: 'Priya Patel wants to connect with you',
      text: 'Priya Patel wants to connect with you.',
    }),
  },
]);
