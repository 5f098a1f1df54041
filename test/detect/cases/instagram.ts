import type { Language } from '../../../src/vocabulary/contact.ts';
import { LANGUAGE_NAMES, mail, passed, type DetectionCase } from './support.ts';

/** Constructed Instagram mail from Instagram <no-reply@mail.instagram.com>: follow requests and their look-alikes. */

const WORDS: Record<Language, { request: string; started: string; accepted: string }> = {
  en: { request: 'requested to follow you', started: 'started following you', accepted: 'accepted your follow request' },
  de: { request: 'möchte dir folgen', started: 'hat angefangen, dir zu folgen', accepted: 'hat deine Follower-Anfrage angenommen' },
  fr: { request: 'a demandé à vous suivre', started: 'a commencé à vous suivre', accepted: "a accepté votre demande d'abonnement" },
  es: { request: 'solicitó seguirte', started: 'comenzó a seguirte', accepted: 'aceptó tu solicitud para seguirlo' },
  pt: { request: 'pediu para seguir você', started: 'começou a seguir você', accepted: 'aceitou sua solicitação para seguir' },
  it: { request: 'ha chiesto di seguirti', started: 'ha iniziato a seguirti', accepted: 'ha accettato la tua richiesta di seguirla' },
  nl: { request: 'heeft gevraagd om je te volgen', started: 'is je begonnen te volgen', accepted: 'heeft je volgverzoek geaccepteerd' },
};

const PEOPLE: Record<Language, { name: string; handle: string }> = {
  en: { name: 'Maya Lee', handle: 'maya.lee' },
  de: { name: 'Hannah Becker', handle: 'hannah_becker' },
  fr: { name: 'Manon Petit', handle: 'manon.petit' },
  es: { name: 'Carmen Díaz', handle: 'carmen_diaz' },
  pt: { name: 'Mariana Lima', handle: 'mariana.lima' },
  it: { name: 'Sara Greco', handle: 'saragreco' },
  nl: { name: 'Fleur Smit', handle: 'fleursmit' },
};

const LANGUAGES = Object.keys(WORDS) as Language[];
const FROM = { name: 'Instagram', address: 'no-reply@mail.instagram.com' };

export const INSTAGRAM_CASES: DetectionCase[] = LANGUAGES.flatMap((language): DetectionCase[] => {
  const person = PEOPLE[language];
  const words = WORDS[language];
  return [
    {
      name: `constructed: Instagram follow request, ${LANGUAGE_NAMES[language]}`,
      platform: 'instagram',
      language,
      expect: 'request',
      requester: { name: person.name, profileUrl: `https://www.instagram.com/${person.handle}/`, email: null },
      flags: [],
      reason: /^Instagram follow request$/,
      build: mail({
        from: FROM,
        subject: `${person.handle} (${person.name}) ${words.request}`,
        headers: { 'Authentication-Results': passed('instagram.com', 'mail.instagram.com') },
        text: `${person.handle} (${person.name}) ${words.request}.\n\nhttps://www.instagram.com/${person.handle}/\n\nhttps://www.instagram.com/accounts/activity/?followRequests=1`,
      }),
    },
    {
      name: `constructed: Instagram notice of a new follower, ${LANGUAGE_NAMES[language]}`,
      platform: 'instagram',
      language,
      expect: 'not-request',
      reason: /^suppressed: Instagram notice of a new follower/,
      build: mail({
        from: FROM,
        subject: `${person.handle} ${words.started}`,
        headers: { 'Authentication-Results': passed('instagram.com', 'mail.instagram.com') },
        text: `${person.handle} ${words.started}.`,
      }),
    },
    {
      name: `constructed: Instagram notice that a follow request was accepted, ${LANGUAGE_NAMES[language]}`,
      platform: 'instagram',
      language,
      expect: 'not-request',
      build: mail({
        from: FROM,
        subject: `${person.handle} ${words.accepted}`,
        headers: { 'Authentication-Results': passed('instagram.com', 'mail.instagram.com') },
        text: `${person.handle} ${words.accepted}.`,
      }),
    },
  ];
}).concat([
  {
    name: 'constructed: follow request from the look-alike instagram-support.com',
    platform: 'instagram',
    language: 'en',
    expect: 'not-request',
    reason: /imitates instagram\.com/,
    build: mail({
      from: { name: 'Instagram', address: 'no-reply@instagram-support.com' },
      subject: 'maya.lee (Maya Lee) requested to follow you',
      text: 'maya.lee (Maya Lee) requested to follow you.',
    }),
  },
]);
