import { phraseBook, type PlatformRules } from './rules.ts';

/**
 * Facebook friend requests. Real notifications come from "Facebook <notification+…@facebookmail.com>"
 * with Reply-To noreply@facebookmail.com and `X-Facebook-Notify: friend; from=<id>; mailid=…`,
 * subject "Jane Doe wants to be friends on Facebook." (later "Jane Doe sent you a friend request"),
 * body "… wants to be friends with you on Facebook. … Confirm request … See all requests".
 * The `from=` id is the requester's account: it gives the profile link and keys the request.
 * Look-alikes: confirmations ("confirmed you as a friend"), friend suggestions, messages and every
 * other notification (X-Facebook-Notify carries another type).
 */

const NAME = String.raw`(?<name>\S.{0,80}?)`;

/** The request sentence in each language, written once for detection and name extraction. */
const REQUEST = {
  en: [String.raw`wants to be friends(?: with you)? on Facebook`, String.raw`sent you a friend request`, String.raw`added you as a friend on Facebook`],
  de: [String.raw`möchte (?:mit dir )?auf Facebook (?:mit dir )?befreundet sein`, String.raw`hat dir eine Freundschaftsanfrage (?:gesendet|geschickt)`],
  fr: [String.raw`veut être (?:votre )?ami(?:\(e\)|e)? (?:avec vous )?sur Facebook`, String.raw`vous a envoyé une (?:demande|invitation) d'ami(?:\(e\)|e)?`],
  es: [String.raw`quiere ser tu amig[oa] en Facebook`, String.raw`te (?:ha enviado|envió) una solicitud de amistad`],
  pt: [String.raw`quer ser (?:seu|sua) amig[oa] no Facebook`, String.raw`(?:te )?enviou uma solicitação de amizade(?: para você)?`],
  it: [String.raw`vuole (?:stringere amicizia con te|diventare tu[oa] amic[oa]) su Facebook`, String.raw`ti ha inviato una richiesta di amicizia`],
  nl: [String.raw`wil (?:vrienden worden|je vriend(?:in)? worden) op Facebook`, String.raw`heeft je een vriendschapsverzoek (?:gestuurd|verzonden)`],
} as const;

const { languages: LANGUAGES, byLanguage } = phraseBook(REQUEST);

export const facebook: PlatformRules = {
  platform: 'facebook',
  request: 'a friend request',
  person: 'requester',
  languages: LANGUAGES,
  domains: ['facebookmail.com', 'facebook.com'],
  relatedDomains: ['fbcdn.net', 'facebook.net', 'fb.me', 'fb.com'],
  brands: [{ word: 'facebook', match: 'substring' }],
  headerPrefixes: ['x-facebook'],
  pages: { messaging: 'https://www.facebook.com/messages/', invitations: 'https://www.facebook.com/friends/requests/' },

  notRequest: [
    {
      rule: 'facebook.other-notification',
      what: 'Facebook notification that is not a friend request',
      headers: [
        {
          header: 'x-facebook-notify',
          pattern: /^\s*[\w-]*(?:confirm|accept|messag|comment|like|tag|birthday|event|group|login|password|secur|pymk|suggest|stale|memor|page|photo|post|mention|poke|invite)[\w-]*\s*(?:;|$)/i,
        },
      ],
    },
    {
      rule: 'facebook.digest',
      what: 'Facebook reminder of several friend requests, not a single request',
      subject: {
        en: [/\byou have \d{1,4} (?:new |pending )?friend requests\b/, /\bfriend requests (?:pending|waiting)\b/],
        de: [/\bdu hast \d{1,4} (?:neue |offene )?Freundschaftsanfragen\b/, /\b(?:offene|ausstehende) Freundschaftsanfragen\b/],
        fr: [/\bvous avez \d{1,4} (?:nouvelles )?invitations\b/, /\binvitations en attente\b/],
        es: [/\btienes \d{1,4} solicitudes de amistad\b/, /\bsolicitudes de amistad pendientes\b/],
        pt: [/\bvocê tem \d{1,4} solicitações de amizade\b/, /\bsolicitações de amizade pendentes\b/],
        it: [/\bhai \d{1,4} richieste di amicizia\b/, /\brichieste di amicizia in sospeso\b/],
        nl: [/\bje hebt \d{1,4} vriendschapsverzoeken\b/, /\bopenstaande vriendschapsverzoeken\b/],
      },
    },
    {
      rule: 'facebook.accepted',
      what: 'Facebook notice that a friend request was accepted',
      text: {
        en: [/\bconfirmed you as a friend\b/, /\baccepted your friend request\b/],
        de: [/\bhat deine Freundschaftsanfrage (?:bestätigt|angenommen)\b/, /\b(?:ist|seid) jetzt (?:mit dir )?(?:auf Facebook )?befreundet\b/],
        fr: [/\ba accepté votre (?:demande|invitation) d'ami/, /\ba confirmé que vous êtes amis\b/],
        es: [/\b(?:aceptó|ha aceptado) tu solicitud de amistad\b/],
        pt: [/\baceitou (?:a )?sua solicitação de amizade\b/],
        it: [/\bha accettato la tua richiesta di amicizia\b/],
        nl: [/\bheeft je vriendschapsverzoek (?:geaccepteerd|bevestigd)\b/],
      },
    },
    {
      rule: 'facebook.suggestion',
      what: 'Facebook friend suggestion, not a friend request',
      subject: {
        en: [/\bpeople you may know\b/, /\bfriend suggestions?\b/, /\bsuggested (?:you add|a friend)\b/, /\badded a friend that you suggested\b/],
        de: [/\bPersonen, die du kennen könntest\b/, /\bFreundschaftsvorschl(?:ag|äge)\b/],
        fr: [/\bpersonnes que vous connaissez peut-être\b/, /\bsuggestions? d'amis?\b/],
        es: [/\bpersonas que quizá conozcas\b/, /\bsugerencias? de amistad\b/],
        pt: [/\bpessoas que você talvez conheça\b/, /\bsugest(?:ão|ões) de amizade\b/],
        it: [/\bpersone che potresti conoscere\b/, /\bsuggeriment[oi] di amicizia\b/],
        nl: [/\bmensen die je misschien kent\b/, /\bvriendensuggesties?\b/],
      },
    },
  ],

  messages: {
    signals: [
      { rule: 'facebook.message', what: 'Facebook message', headers: [{ header: 'x-facebook-notify', pattern: /^\s*[\w-]*messag[\w-]*\s*(?:;|$)/i }] },
      {
        rule: 'facebook.message',
        what: 'Facebook message',
        subject: {
          en: [/\bnew messages? from\b/, /\bsent you a message\b/],
          de: [/\bneue Nachricht(?:en)? von\b/, /\bhat dir eine Nachricht gesendet\b/],
          fr: [/\bnouveaux? messages? de\b/, /\bvous a envoyé un message\b/],
          es: [/\bnuevos? mensajes? de\b/, /\bte envió un mensaje\b/],
          pt: [/\bnovas? mensage(?:m|ns) de\b/, /\benviou uma mensagem\b/],
          it: [/\bnuovi? messaggi? da\b/, /\bti ha inviato un messaggio\b/],
          nl: [/\bnieuwe? berichte?n? van\b/, /\bheeft je een bericht gestuurd\b/],
        },
      },
    ],
    subjectName: {
      en: [new RegExp(String.raw`^${NAME} sent you a message`), new RegExp(String.raw`^new messages? from ${NAME}$`)],
      de: [new RegExp(String.raw`^${NAME} hat dir eine Nachricht gesendet`), new RegExp(String.raw`^neue Nachricht(?:en)? von ${NAME}$`)],
      fr: [new RegExp(String.raw`^${NAME} vous a envoyé un message`), new RegExp(String.raw`^nouveaux? messages? de ${NAME}$`)],
      es: [new RegExp(String.raw`^${NAME} te envió un mensaje`), new RegExp(String.raw`^nuevos? mensajes? de ${NAME}$`)],
      pt: [new RegExp(String.raw`^${NAME} (?:te )?enviou uma mensagem`), new RegExp(String.raw`^novas? mensage(?:m|ns) de ${NAME}$`)],
      it: [new RegExp(String.raw`^${NAME} ti ha inviato un messaggio`), new RegExp(String.raw`^nuovi? messaggi? da ${NAME}$`)],
      nl: [new RegExp(String.raw`^${NAME} heeft je een bericht gestuurd`), new RegExp(String.raw`^nieuwe? berichte?n? van ${NAME}$`)],
    },
    textEnds: {
      en: [/^(?:reply|view (?:the )?(?:message|conversation)|see (?:the )?conversation|open messenger|this message was sent to|you are receiving|unsubscribe)\b/i],
      de: [/^(?:antworten|nachricht anzeigen|unterhaltung anzeigen|messenger öffnen|diese nachricht wurde an|abbestellen)\b/i],
      fr: [/^(?:répondre|voir le message|voir la conversation|ouvrir messenger|ce message a été envoyé à|se désabonner)\b/i],
      es: [/^(?:responder|ver (?:el )?mensaje|ver (?:la )?conversación|abrir messenger|este mensaje se envió a|cancelar suscripción)\b/i],
      pt: [/^(?:responder|ver mensagem|ver conversa|abrir o messenger|esta mensagem foi enviada para|cancelar inscrição)\b/i],
      it: [/^(?:rispondi|visualizza (?:il )?messaggio|visualizza (?:la )?conversazione|apri messenger|questo messaggio è stato inviato a|annulla iscrizione)\b/i],
      nl: [/^(?:beantwoorden|bericht bekijken|gesprek bekijken|messenger openen|dit bericht is verzonden naar|afmelden)\b/i],
    },
    conversationLinks: [/^\/messages\//i, /^\/n\/\?.*\bmessages\b/i],
  },

  requests: [
    {
      rule: 'facebook.notify-friend',
      what: 'Facebook friend request',
      headers: [{ header: 'x-facebook-notify', pattern: /^\s*friend(?:_?requests?)?\s*(?:;|$)/i }],
    },
    {
      rule: 'facebook.friend-request',
      what: 'Facebook friend request',
      text: byLanguage((sentence) => [new RegExp(String.raw`\b${sentence}\b`)]),
    },
  ],

  extract: {
    notPersonName: [/^(?:facebook|meta|noreply|no-reply)$/i],
    subjectName: byLanguage((sentence) => [new RegExp(String.raw`^${NAME} ${sentence}`)]),
    nameLeadsSubject: true,
    bodyName: byLanguage((sentence) => [new RegExp(String.raw`^${NAME} ${sentence}`)]),
    webHosts: ['facebook.com'],
    profiles: [{ path: /^\/profile\.php$/, param: 'id', url: 'https://www.facebook.com/profile.php?id={key}' }],
    // The requester's account id: one request per person, which is what deduplication needs.
    requestId: { header: { header: 'x-facebook-notify', pattern: /\bfrom=(?<id>\d{1,20})\b/ } },
    profileFromHeader: { header: 'x-facebook-notify', pattern: /\bfrom=(?<id>\d{1,20})\b/, url: 'https://www.facebook.com/profile.php?id={id}' },
    mutualConnections: {
      en: [/\b(?<count>\d{1,5}) mutual friends?\b/],
      de: [/\b(?<count>\d{1,5}) gemeinsame(?:r)? Freund(?:e|in|innen)?\b/],
      fr: [/\b(?<count>\d{1,5}) ami(?:\(e\)|e)?s? en commun\b/],
      es: [/\b(?<count>\d{1,5}) amig[oa]s? en común\b/],
      pt: [/\b(?<count>\d{1,5}) amig[oa]s? em comum\b/],
      it: [/\b(?<count>\d{1,5}) amic[io] in comune\b/],
      nl: [/\b(?<count>\d{1,5}) (?:gemeenschappelijke|wederzijdse) vrienden\b/],
    },
    photo: {
      real: [/^https?:\/\/(?:scontent[\w.-]*|[\w-]+\.xx)\.fbcdn\.net\//i],
      placeholder: [/silhouette/i, /default[_-]?(?:profile|avatar)/i],
    },
    boilerplate: { any: [/^facebook$/i] },
  },
};
