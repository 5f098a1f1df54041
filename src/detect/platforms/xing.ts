import type { PlatformRules } from './rules.ts';

/**
 * XING contact requests ("Kontaktanfragen"), sent by XING <mailrobot@mail.xing.com> in the
 * recipient's language: "Max Mustermann möchte Sie als Kontakt hinzufügen", later "Kontaktanfrage
 * von Max Mustermann", with the requester's position under the name and an optional message.
 * XING's other robots (jobs@, news@mail.xing.com) and notices (accepted requests, messages, profile
 * visitors, birthdays) are not requests.
 */

const NAME = String.raw`(?<name>\S.{0,80}?)`;

/** "NAME <sentence>" requests, per language. */
const NAME_FIRST = {
  en: [String.raw`would like to add you as a contact`, String.raw`(?:has )?sent you a contact request`, String.raw`wants to connect with you on XING`],
  de: [String.raw`möchte (?:Sie|dich) als Kontakt hinzufügen`, String.raw`hat (?:Ihnen|dir) eine Kontaktanfrage (?:geschickt|gesendet)`, String.raw`möchte sich (?:gerne )?mit (?:Ihnen|dir) auf XING vernetzen`],
  fr: [String.raw`souhaite vous ajouter (?:à ses contacts|comme contact)`, String.raw`vous a envoyé une demande de contact`],
  es: [String.raw`quiere añadirte (?:a sus contactos|como contacto)`, String.raw`te ha enviado una solicitud de contacto`],
  pt: [String.raw`quer adicionar você (?:aos seus contatos|como contato)`, String.raw`enviou uma solicitação de contato para você`],
  it: [String.raw`vorrebbe aggiungerti (?:ai suoi contatti|come contatto)`, String.raw`ti ha inviato una richiesta di contatto`],
  nl: [String.raw`wil (?:u|je) (?:graag )?als contact toevoegen`, String.raw`heeft (?:u|je) een contactverzoek gestuurd`],
} as const;

/** "<Request> from NAME" subjects, per language. */
const NAME_LAST = {
  en: String.raw`Contact request from`,
  de: String.raw`Kontaktanfrage von`,
  fr: String.raw`Demande de contact de`,
  es: String.raw`Solicitud de contacto de`,
  pt: String.raw`Solicitação de contato de`,
  it: String.raw`Richiesta di contatto da`,
  nl: String.raw`Contactverzoek van`,
} as const;

type Language = keyof typeof NAME_FIRST;
const LANGUAGES = Object.keys(NAME_FIRST) as Language[];

function byLanguage(make: (language: Language) => RegExp[]): Record<Language, RegExp[]> {
  return Object.fromEntries(LANGUAGES.map((language) => [language, make(language)])) as Record<Language, RegExp[]>;
}

export const xing: PlatformRules = {
  platform: 'xing',
  request: 'a contact request',
  person: 'requester',
  languages: LANGUAGES,
  domains: ['xing.com'],
  relatedDomains: ['xing.de', 'xingassets.com', 'xing-news.com'],
  brands: [{ word: 'xing', match: 'token' }],
  headerPrefixes: [],
  pages: { messaging: 'https://www.xing.com/chats', invitations: 'https://www.xing.com/network/requests' },

  notRequest: [
    {
      rule: 'xing.accepted',
      what: 'XING notice that a contact request was accepted',
      text: {
        en: [/\b(?:accepted|confirmed) your contact request\b/, /\bis now (?:one of )?your contacts?\b/],
        de: [/\bhat (?:Ihre|deine) Kontaktanfrage (?:bestätigt|angenommen)\b/, /\bist jetzt (?:Ihr|dein) Kontakt\b/],
        fr: [/\ba accepté votre demande de contact\b/],
        es: [/\b(?:ha aceptado|aceptó) tu solicitud de contacto\b/],
        pt: [/\baceitou (?:a )?sua solicitação de contato\b/],
        it: [/\bha accettato la tua richiesta di contatto\b/],
        nl: [/\bheeft (?:uw|je) contactverzoek (?:geaccepteerd|bevestigd)\b/],
      },
    },
    {
      rule: 'xing.visitors',
      what: 'XING notice of profile visitors, not a contact request',
      subject: {
        en: [/\bvisited your profile\b/, /\bprofile visitors?\b/],
        de: [/\bhat Ihr Profil besucht\b/, /\bhat dein Profil besucht\b/, /\bBesucher\b/],
        fr: [/\ba consulté votre profil\b/, /\bvisiteurs\b/],
        es: [/\bha visitado tu perfil\b/, /\bvisitas\b/],
        pt: [/\bvisitou seu perfil\b/, /\bvisitantes\b/],
        it: [/\bha visitato il tuo profilo\b/, /\bvisitatori\b/],
        nl: [/\bheeft uw profiel bekeken\b/, /\bbezoekers\b/],
      },
    },
    {
      rule: 'xing.jobs-and-news',
      what: 'XING job or news mail, not a contact request',
      fromLocal: /^(?:jobs?|news|newsletter|events?|marketing|noreply|no-reply)$/,
    },
  ],

  messages: {
    signals: [
      {
        rule: 'xing.message',
        what: 'XING message',
        subject: {
          en: [/\bnew message from\b/, /\bsent you a message\b/],
          de: [/\bneue Nachricht von\b/, /\bhat (?:Ihnen|dir) eine Nachricht (?:geschickt|gesendet)\b/],
          fr: [/\bnouveau message de\b/, /\bvous a envoyé un message\b/],
          es: [/\bnuevo mensaje de\b/, /\bte ha enviado un mensaje\b/],
          pt: [/\bnova mensagem de\b/, /\benviou uma mensagem para você\b/],
          it: [/\bnuovo messaggio da\b/, /\bti ha inviato un messaggio\b/],
          nl: [/\bnieuw bericht van\b/, /\bheeft (?:u|je) een bericht gestuurd\b/],
        },
      },
    ],
    subjectName: {
      en: [new RegExp(String.raw`^new message from ${NAME}\s*$`), new RegExp(String.raw`^${NAME} sent you a message`)],
      de: [new RegExp(String.raw`^neue Nachricht von ${NAME}\s*$`), new RegExp(String.raw`^${NAME} hat (?:Ihnen|dir) eine Nachricht (?:geschickt|gesendet)`)],
      fr: [new RegExp(String.raw`^nouveau message de ${NAME}\s*$`), new RegExp(String.raw`^${NAME} vous a envoyé un message`)],
      es: [new RegExp(String.raw`^nuevo mensaje de ${NAME}\s*$`), new RegExp(String.raw`^${NAME} te ha enviado un mensaje`)],
      pt: [new RegExp(String.raw`^nova mensagem de ${NAME}\s*$`), new RegExp(String.raw`^${NAME} enviou uma mensagem para você`)],
      it: [new RegExp(String.raw`^nuovo messaggio da ${NAME}\s*$`), new RegExp(String.raw`^${NAME} ti ha inviato un messaggio`)],
      nl: [new RegExp(String.raw`^nieuw bericht van ${NAME}\s*$`), new RegExp(String.raw`^${NAME} heeft (?:u|je) een bericht gestuurd`)],
    },
    textEnds: {
      en: [/^(?:reply|view (?:the )?(?:message|conversation)|go to (?:the )?chat|you are receiving|unsubscribe|imprint)\b/i],
      de: [/^(?:antworten|nachricht (?:anzeigen|lesen|ansehen)|zum chat|zur nachricht|sie erhalten|du erhältst|abbestellen|impressum)\b/i],
      fr: [/^(?:répondre|voir le message|accéder au chat|vous recevez|se désabonner)\b/i],
      es: [/^(?:responder|ver (?:el )?mensaje|ir al chat|recibes|darse de baja)\b/i],
      pt: [/^(?:responder|ver mensagem|ir para o chat|você está recebendo|cancelar inscrição)\b/i],
      it: [/^(?:rispondi|visualizza (?:il )?messaggio|vai alla chat|ricevi|annulla iscrizione)\b/i],
      nl: [/^(?:beantwoorden|bericht bekijken|naar de chat|(?:u|je) ontvangt|afmelden)\b/i],
    },
    conversationLinks: [/^\/chats?\b/i, /^\/messages\b/i],
  },

  requests: [
    {
      rule: 'xing.contact-request',
      what: 'XING contact request',
      text: byLanguage((language) => [
        ...NAME_FIRST[language].map((sentence) => new RegExp(String.raw`\b${sentence}\b`)),
        new RegExp(String.raw`^${NAME_LAST[language]}\s+\S`),
      ]),
    },
  ],

  extract: {
    notPersonName: [/^xing(?:\s+(?:mailrobot|team|news|jobs))?$/i],
    subjectName: byLanguage((language) => [
      ...NAME_FIRST[language].map((sentence) => new RegExp(String.raw`^${NAME} ${sentence}`)),
      new RegExp(String.raw`^${NAME_LAST[language]} ${NAME}\s*$`),
    ]),
    nameLeadsSubject: true,
    bodyName: byLanguage((language) => NAME_FIRST[language].map((sentence) => new RegExp(String.raw`^${NAME} ${sentence}`))),
    webHosts: ['xing.com'],
    profiles: [{ path: /^\/profile\/(?<key>[A-Za-z0-9_-]{2,100})(?:\/.*)?$/, url: 'https://www.xing.com/profile/{key}' }],
    headlineAfterName: true,
    notHeadline: [
      /^(?:kontaktanfrage|anfrage|annehmen|bestätigen|ablehnen|profil|accept|confirm|decline|view|accepter|aceptar|aceitar|accetta|accepteren)\b/i,
    ],
    location: [/^[\p{L} .'’-]{2,40},\s*[\p{L} .'’-]{2,40}$/u],
    mutualConnections: {
      en: [/\b(?<count>\d{1,5}) (?:shared|mutual) contacts?\b/, /\b(?<count>\d{1,5}) contacts? in common\b/],
      de: [/\b(?<count>\d{1,5}) gemeinsame Kontakte?\b/],
      fr: [/\b(?<count>\d{1,5}) contacts? en commun\b/],
      es: [/\b(?<count>\d{1,5}) contactos? en común\b/],
      pt: [/\b(?<count>\d{1,5}) contatos? em comum\b/],
      it: [/\b(?<count>\d{1,5}) contatti in comune\b/],
      nl: [/\b(?<count>\d{1,5}) gemeenschappelijke contacten\b/],
    },
    connectionCount: {
      en: [/\b(?<count>\d{1,3}(?:,\d{3})+|\d{1,6}) contacts\b(?! in common)/],
      de: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,6}) Kontakte\b/],
    },
    noteEnds: {
      en: [/^(?:accept|confirm|decline|view profile|reply)\b/i],
      de: [/^(?:kontaktanfrage )?(?:annehmen|bestätigen|ablehnen)\b/i, /^profil ansehen\b/i],
      fr: [/^(?:accepter|refuser|voir le profil)\b/i],
      es: [/^(?:aceptar|rechazar|ver perfil)\b/i],
      pt: [/^(?:aceitar|recusar|ver perfil)\b/i],
      it: [/^(?:accetta|rifiuta|visualizza profilo)\b/i],
      nl: [/^(?:accepteren|weigeren|profiel bekijken)\b/i],
    },
    boilerplate: { any: [/^xing$/i, /^[-–—=_.•*]{3,}$/] },
  },
};
