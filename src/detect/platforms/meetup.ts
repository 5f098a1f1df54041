import { phraseBook, type PlatformRules } from './rules.ts';

/**
 * Meetup: a member who wants to connect ("Jane Doe wants to connect with you") or who asks to
 * message you for the first time (a message request), from Meetup's own addresses at meetup.com,
 * localised. Event announcements, RSVPs, reminders, group news and accepted connections are not
 * requests.
 */

const NAME = String.raw`(?<name>\S.{0,80}?)`;

const REQUESTS = {
  en: [String.raw`wants to connect with you`, String.raw`sent you a connection request`, String.raw`sent you a message request`, String.raw`wants to send you a message`],
  de: [String.raw`möchte sich mit dir vernetzen`, String.raw`hat dir eine (?:Verbindungs|Kontakt)anfrage gesendet`, String.raw`hat dir eine Nachrichtenanfrage gesendet`],
  fr: [String.raw`souhaite se connecter avec vous`, String.raw`vous a envoyé une demande de (?:connexion|message)`],
  es: [String.raw`quiere conectar contigo`, String.raw`te (?:ha enviado|envió) una solicitud de (?:conexión|mensaje)`],
  pt: [String.raw`quer se conectar com você`, String.raw`(?:te )?enviou uma solicitação de (?:conexão|mensagem)`],
  it: [String.raw`vuole connettersi con te`, String.raw`ti ha inviato una richiesta di (?:connessione|messaggio)`],
  nl: [String.raw`wil met je connecten`, String.raw`heeft je een (?:connectie|bericht)verzoek gestuurd`],
} as const;

const { languages: LANGUAGES, byLanguage } = phraseBook(REQUESTS);

export const meetup: PlatformRules = {
  platform: 'meetup',
  request: 'a request to connect',
  person: 'requester',
  languages: LANGUAGES,
  domains: ['meetup.com'],
  relatedDomains: ['meetupstatic.com', 'meetu.ps'],
  brands: [{ word: 'meetup', match: 'token' }],
  headerPrefixes: [],
  pages: { messaging: 'https://www.meetup.com/messages/' },

  messages: {
    signals: [
      {
        // A message request (a first message from someone new) is a request, not this.
        rule: 'meetup.message',
        what: 'Meetup message',
        subject: {
          en: [/\bsent you a (?:new )?message\b(?! request)/, /\bnew message from\b/],
          de: [/\bhat dir eine (?:neue )?Nachricht gesendet\b/, /\bneue Nachricht von\b/],
          fr: [/\bvous a envoyé un (?:nouveau )?message\b/, /\bnouveau message de\b/],
          es: [/\bte (?:ha enviado|envió) un (?:nuevo )?mensaje\b/, /\bnuevo mensaje de\b/],
          pt: [/\b(?:te )?enviou uma (?:nova )?mensagem\b/, /\bnova mensagem de\b/],
          it: [/\bti ha inviato un (?:nuovo )?messaggio\b/, /\bnuovo messaggio da\b/],
          nl: [/\bheeft je een (?:nieuw )?bericht gestuurd\b/, /\bnieuw bericht van\b/],
        },
      },
    ],
    subjectName: {
      en: [new RegExp(String.raw`^${NAME} sent you a (?:new )?message`), new RegExp(String.raw`^new message from ${NAME}$`)],
      de: [new RegExp(String.raw`^${NAME} hat dir eine (?:neue )?Nachricht gesendet`), new RegExp(String.raw`^neue Nachricht von ${NAME}$`)],
      fr: [new RegExp(String.raw`^${NAME} vous a envoyé un (?:nouveau )?message`), new RegExp(String.raw`^nouveau message de ${NAME}$`)],
      es: [new RegExp(String.raw`^${NAME} te (?:ha enviado|envió) un (?:nuevo )?mensaje`), new RegExp(String.raw`^nuevo mensaje de ${NAME}$`)],
      pt: [new RegExp(String.raw`^${NAME} (?:te )?enviou uma (?:nova )?mensagem`), new RegExp(String.raw`^nova mensagem de ${NAME}$`)],
      it: [new RegExp(String.raw`^${NAME} ti ha inviato un (?:nuovo )?messaggio`), new RegExp(String.raw`^nuovo messaggio da ${NAME}$`)],
      nl: [new RegExp(String.raw`^${NAME} heeft je een (?:nieuw )?bericht gestuurd`), new RegExp(String.raw`^nieuw bericht van ${NAME}$`)],
    },
    textEnds: {
      en: [/^(?:reply|view (?:the )?(?:message|conversation)|manage (?:your )?(?:email|notification)|unsubscribe|you are receiving|never miss)\b/i],
      de: [/^(?:antworten|nachricht anzeigen|unterhaltung anzeigen|e-mail-einstellungen|abbestellen|du erhältst)\b/i],
      fr: [/^(?:répondre|voir le message|voir la conversation|gérer|se désabonner|vous recevez)\b/i],
      es: [/^(?:responder|ver (?:el )?mensaje|ver (?:la )?conversación|gestionar|cancelar suscripción|recibes)\b/i],
      pt: [/^(?:responder|ver mensagem|ver conversa|gerenciar|cancelar inscrição|você está recebendo)\b/i],
      it: [/^(?:rispondi|visualizza (?:il )?messaggio|visualizza (?:la )?conversazione|gestisci|annulla iscrizione|ricevi)\b/i],
      nl: [/^(?:beantwoorden|bericht bekijken|gesprek bekijken|beheren|afmelden|je ontvangt)\b/i],
    },
    conversationLinks: [/^\/messages\/\S/i],
  },

  notRequest: [
    {
      rule: 'meetup.accepted',
      what: 'Meetup notice that a connection request was accepted',
      text: {
        en: [/\baccepted your (?:connection|message) request\b/, /\byou(?:'re| are) now connected\b/],
        de: [/\bhat deine (?:Verbindungs|Kontakt|Nachrichten)anfrage angenommen\b/],
        fr: [/\ba accepté votre demande de (?:connexion|message)\b/],
        es: [/\b(?:aceptó|ha aceptado) tu solicitud de (?:conexión|mensaje)\b/],
        pt: [/\baceitou (?:a )?sua solicitação de (?:conexão|mensagem)\b/],
        it: [/\bha accettato la tua richiesta di (?:connessione|messaggio)\b/],
        nl: [/\bheeft je (?:connectie|bericht)verzoek geaccepteerd\b/],
      },
    },
    {
      rule: 'meetup.event',
      what: 'Meetup event or group mail, not a request to connect',
      subject: {
        en: [/\b(?:new event|event reminder|rsvp|is happening|starts in|upcoming events?|new meetup|your group)\b/],
        de: [/\b(?:neue Veranstaltung|Erinnerung|Zusage|bevorstehende)\b/],
        fr: [/\b(?:nouvel événement|rappel|participation|événements à venir)\b/],
        es: [/\b(?:nuevo evento|recordatorio|próximos eventos)\b/],
        pt: [/\b(?:novo evento|lembrete|próximos eventos)\b/],
        it: [/\b(?:nuovo evento|promemoria|prossimi eventi)\b/],
        nl: [/\b(?:nieuw evenement|herinnering|komende evenementen)\b/],
      },
    },
  ],

  requests: [
    {
      rule: 'meetup.connect',
      what: 'Meetup request to connect',
      text: byLanguage((sentence) => [new RegExp(String.raw`\b${sentence}\b`)]),
    },
  ],

  extract: {
    notPersonName: [/^meetup$/i],
    subjectName: byLanguage((sentence) => [new RegExp(String.raw`^${NAME} ${sentence}`)]),
    nameLeadsSubject: true,
    bodyName: byLanguage((sentence) => [new RegExp(String.raw`^${NAME} ${sentence}`)]),
    webHosts: ['meetup.com'],
    profiles: [{ path: /^\/(?:[^/]{1,100}\/)?members\/(?<key>\d{1,15})\/?$/, url: 'https://www.meetup.com/members/{key}/' }],
    photo: {
      real: [/^https?:\/\/secure\.meetupstatic\.com\/photos\/member\//i],
      placeholder: [/noPhoto|member_placeholder|default[_-]?avatar/i],
    },
    noteEnds: {
      en: [/^(?:accept|decline|ignore|view (?:profile|request)|reply)\b/i],
      de: [/^(?:annehmen|ablehnen|ignorieren|profil ansehen|anfrage ansehen)\b/i],
      fr: [/^(?:accepter|refuser|ignorer|voir)\b/i],
      es: [/^(?:aceptar|rechazar|ignorar|ver)\b/i],
      pt: [/^(?:aceitar|recusar|ignorar|ver)\b/i],
      it: [/^(?:accetta|rifiuta|ignora|visualizza)\b/i],
      nl: [/^(?:accepteren|weigeren|negeren|bekijken)\b/i],
    },
    boilerplate: { any: [/^meetup$/i, /^[-–—=_.•*]{3,}$/] },
  },
};
