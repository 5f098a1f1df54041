import { phraseBook, type PlatformRules } from './rules.ts';

/**
 * Instagram follow requests: a private account gets "janedoe (Jane Doe) requested to follow you"
 * from Instagram <no-reply@mail.instagram.com>, localised. A public account's "started following
 * you" is a notice of something already done, not a request, and neither is "accepted your follow
 * request" nor any other notification (likes, comments, logins).
 */

const PERSON = String.raw`(?<handle>[A-Za-z0-9._]{1,30}) \((?<name>[^()\n]{1,80})\)`;
const HANDLE = String.raw`@?(?<handle>[A-Za-z0-9._]{1,30})`;

const REQUESTS = {
  en: [String.raw`requested to follow you`, String.raw`wants to follow you`, String.raw`sent you a follow request`],
  de: [String.raw`möchte dir folgen`, String.raw`hat angefragt, dir zu folgen`, String.raw`hat dir eine Follower-Anfrage gesendet`],
  fr: [String.raw`a demandé à vous suivre`, String.raw`souhaite vous suivre`],
  es: [String.raw`(?:ha solicitado|solicitó) seguirte`, String.raw`quiere seguirte`],
  pt: [String.raw`(?:pediu|solicitou) para seguir você`, String.raw`quer seguir você`],
  it: [String.raw`ha chiesto di seguirti`, String.raw`vuole seguirti`],
  nl: [String.raw`heeft gevraagd (?:om )?je te volgen`, String.raw`wil je volgen`],
} as const;

const { languages: LANGUAGES, byLanguage } = phraseBook(REQUESTS);

export const instagram: PlatformRules = {
  platform: 'instagram',
  request: 'a follow request',
  person: 'requester',
  languages: LANGUAGES,
  domains: ['instagram.com'],
  relatedDomains: ['cdninstagram.com', 'instagr.am'],
  brands: [{ word: 'instagram', match: 'substring' }],
  headerPrefixes: [],
  pages: { messaging: 'https://www.instagram.com/direct/inbox/', invitations: 'https://www.instagram.com/accounts/activity/' },

  notRequest: [
    {
      rule: 'instagram.accepted',
      what: 'Instagram notice that a follow request was accepted',
      text: {
        en: [/\baccepted your follow request\b/],
        de: [/\bhat deine Follower-Anfrage (?:angenommen|bestätigt)\b/],
        fr: [/\ba accepté votre demande d'abonnement\b/],
        es: [/\b(?:aceptó|ha aceptado) tu solicitud (?:para seguirl[oa]|de seguimiento)\b/],
        pt: [/\baceitou (?:a )?sua solicitação para seguir\b/],
        it: [/\bha accettato la tua richiesta di seguirl[oa]\b/],
        nl: [/\bheeft je volgverzoek geaccepteerd\b/],
      },
    },
    {
      rule: 'instagram.new-follower',
      what: 'Instagram notice of a new follower (already following, nothing asked)',
      text: {
        en: [/\bstarted following you\b/],
        de: [/\bfolgt dir jetzt\b/, /\bhat angefangen, dir zu folgen\b/],
        fr: [/\ba commencé à vous suivre\b/],
        es: [/\b(?:comenzó|empezó) a seguirte\b/],
        pt: [/\bcomeçou a seguir você\b/],
        it: [/\bha iniziato a seguirti\b/],
        nl: [/\bis (?:je|jou) begonnen te volgen\b/],
      },
    },
  ],

  requests: [
    {
      rule: 'instagram.follow-request',
      what: 'Instagram follow request',
      text: byLanguage((sentence) => [new RegExp(String.raw`\b${sentence}\b`)]),
    },
  ],

  extract: {
    notPersonName: [/^instagram$/i],
    subjectName: byLanguage((sentence) => [new RegExp(String.raw`^${PERSON} ${sentence}`), new RegExp(String.raw`^${HANDLE} ${sentence}`)]),
    bodyName: byLanguage((sentence) => [new RegExp(String.raw`^${PERSON} ${sentence}`), new RegExp(String.raw`^${HANDLE} ${sentence}`)]),
    webHosts: ['instagram.com'],
    profiles: [
      {
        path: /^\/(?<key>(?!(?:accounts|explore|p|reel|reels|direct|stories|about|legal|developer|privacy|terms|emails|_u|_n|web)(?:\/|$))[A-Za-z0-9._]{1,30})\/?$/,
        url: 'https://www.instagram.com/{key}/',
      },
    ],
    profileFromHandle: 'https://www.instagram.com/{handle}/',
    connectionCount: {
      en: [/\b(?<count>\d{1,3}(?:,\d{3})+|\d{1,7}) followers\b/],
      de: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) Follower\b/],
      fr: [/\b(?<count>\d{1,3}(?:[  ]\d{3})+|\d{1,7}) abonnés\b/],
      es: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) seguidores\b/],
      pt: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) seguidores\b/],
      it: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) follower\b/],
      nl: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) volgers\b/],
    },
    photo: {
      real: [/^https?:\/\/[\w.-]*(?:cdninstagram\.com|fbcdn\.net)\//i],
      placeholder: [/anonymous[_-]?profile|default[_-]?avatar|44884218_345707102882519_2446069589734326272_n/i],
    },
  },
};
