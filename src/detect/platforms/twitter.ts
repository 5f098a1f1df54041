import { phraseBook, type PlatformRules } from './rules.ts';

/**
 * X (Twitter) follows. Real follow notifications carry `X-Twitteremailtype: is_following` with
 * `X-Twittersendername`, `X-Twittersenderscreenname` and `X-Twittersenderid` naming the follower,
 * bounces to postmaster.twitter.com, subject "Jane Doe (@janedoe) is now following you on
 * Twitter!" (localised), later "@janedoe followed you" from x.com. Other types (direct_message,
 * mentions, logins) are not requests, nor is a follow back.
 */

const PERSON = String.raw`(?<name>\S.{0,60}?) \(@(?<handle>[A-Za-z0-9_]{1,15})\)`;
const HANDLE = String.raw`@(?<handle>[A-Za-z0-9_]{1,15})`;

const FOLLOWS = {
  en: [String.raw`is now following you(?: on (?:Twitter|X))?`, String.raw`followed you`],
  de: [String.raw`folgt (?:dir|Ihnen) jetzt(?: auf (?:Twitter|X))?`],
  fr: [String.raw`vous suit (?:désormais|maintenant)(?: sur (?:Twitter|X))?`],
  es: [String.raw`(?:ahora te sigue|te sigue ahora)(?: en (?:Twitter|X))?`],
  pt: [String.raw`(?:agora está seguindo você|agora segue você|começou a seguir você)(?: no (?:Twitter|X))?`],
  it: [String.raw`(?:ora ti segue|ha iniziato a seguirti)(?: su (?:Twitter|X))?`],
  nl: [String.raw`volgt (?:je|jou|u) nu(?: op (?:Twitter|X))?`],
} as const;

const { languages: LANGUAGES, byLanguage } = phraseBook(FOLLOWS);

export const twitter: PlatformRules = {
  platform: 'twitter',
  request: 'a follow',
  person: 'follower',
  languages: LANGUAGES,
  domains: ['twitter.com', 'x.com'],
  relatedDomains: ['twimg.com', 't.co'],
  brands: [{ word: 'twitter', match: 'token' }],
  headerPrefixes: ['x-twitter'],
  pages: { messaging: 'https://x.com/messages', invitations: 'https://x.com/notifications' },

  notRequest: [
    {
      rule: 'twitter.other-type',
      what: 'X (Twitter) notification that is not a follow',
      headers: [{ header: 'x-twitteremailtype', pattern: /^(?!\s*is_following\s*$).*\S/i }],
    },
    {
      rule: 'twitter.follow-back',
      what: 'X (Twitter) follow back: you followed this person first',
      text: {
        en: [/\bfollowed you back\b/],
        de: [/\bfolgt dir jetzt auch\b/],
        fr: [/\bvous suit en retour\b/],
        es: [/\bte sigue también\b/],
        pt: [/\bseguiu você de volta\b/],
        it: [/\bti segue a sua volta\b/],
        nl: [/\bvolgt je nu ook\b/],
      },
    },
  ],

  messages: {
    signals: [
      { rule: 'twitter.direct-message', what: 'X (Twitter) direct message', headers: [{ header: 'x-twitteremailtype', pattern: /^\s*(?:direct_message|dm)\w*\s*$/i }] },
      {
        rule: 'twitter.direct-message',
        what: 'X (Twitter) direct message',
        subject: {
          en: [/\bsent you a (?:direct )?message\b/, /\bnew (?:direct )?message from\b/],
          de: [/\bhat (?:dir|Ihnen) eine (?:Direkt)?nachricht gesendet\b/],
          fr: [/\bvous a envoyé un message(?: privé| direct)?\b/],
          es: [/\bte (?:ha enviado|envió) un mensaje(?: directo)?\b/],
          pt: [/\b(?:te )?enviou uma mensagem(?: direta)?\b/],
          it: [/\bti ha inviato un messaggio(?: diretto)?\b/],
          nl: [/\bheeft (?:je|u) een (?:direct )?bericht gestuurd\b/],
        },
      },
    ],
    subjectName: {
      en: [new RegExp(String.raw`^${PERSON} (?:has )?sent you a (?:direct )?message`), new RegExp(String.raw`^${HANDLE} (?:has )?sent you a (?:direct )?message`)],
      de: [new RegExp(String.raw`^${PERSON} hat (?:dir|Ihnen) eine (?:Direkt)?nachricht gesendet`)],
      fr: [new RegExp(String.raw`^${PERSON} vous a envoyé un message`)],
      es: [new RegExp(String.raw`^${PERSON} te (?:ha enviado|envió) un mensaje`)],
      pt: [new RegExp(String.raw`^${PERSON} (?:te )?enviou uma mensagem`)],
      it: [new RegExp(String.raw`^${PERSON} ti ha inviato un messaggio`)],
      nl: [new RegExp(String.raw`^${PERSON} heeft (?:je|u) een (?:direct )?bericht gestuurd`)],
    },
    textEnds: {
      en: [/^(?:reply|view (?:the )?(?:message|conversation)|go to (?:the )?conversation|settings|help|unsubscribe|this email was meant for)\b/i],
      de: [/^(?:antworten|nachricht anzeigen|unterhaltung anzeigen|einstellungen|hilfe|abbestellen|diese e-mail war für)\b/i],
      fr: [/^(?:répondre|voir le message|voir la conversation|paramètres|aide|se désabonner)\b/i],
      es: [/^(?:responder|ver (?:el )?mensaje|ver (?:la )?conversación|configuración|ayuda|cancelar suscripción)\b/i],
      pt: [/^(?:responder|ver mensagem|ver conversa|configurações|ajuda|cancelar inscrição)\b/i],
      it: [/^(?:rispondi|visualizza (?:il )?messaggio|visualizza (?:la )?conversazione|impostazioni|aiuto|annulla iscrizione)\b/i],
      nl: [/^(?:beantwoorden|bericht bekijken|gesprek bekijken|instellingen|help|afmelden)\b/i],
    },
    conversationLinks: [/^\/messages\/\S/i, /^\/i\/chat\//i],
  },

  requests: [
    {
      rule: 'twitter.is-following',
      what: 'X (Twitter) follow',
      headers: [{ header: 'x-twitteremailtype', pattern: /^\s*is_following\s*$/i }],
    },
    {
      rule: 'twitter.follow-text',
      what: 'X (Twitter) follow',
      subject: byLanguage((sentence) => [new RegExp(String.raw`\b${sentence}\b`)]),
    },
  ],

  extract: {
    nameHeaders: ['x-twittersendername'],
    handleHeaders: ['x-twittersenderscreenname'],
    notPersonName: [/^(?:twitter|x)$/i],
    subjectName: byLanguage((sentence) => [new RegExp(String.raw`^${PERSON} ${sentence}`), new RegExp(String.raw`^${HANDLE} ${sentence}`)]),
    bodyName: byLanguage((sentence) => [new RegExp(String.raw`^${PERSON} ${sentence}`)]),
    webHosts: ['twitter.com', 'x.com'],
    profiles: [
      {
        path: /^\/(?<key>(?!(?:i|home|settings|login|signup|account|notifications|messages|explore|search|intent|share|hashtag|tos|privacy|who_to_follow|following|followers|download|compose)(?:\/|$))[A-Za-z0-9_]{1,15})\/?$/,
        url: 'https://x.com/{key}',
      },
    ],
    profileFromHandle: 'https://x.com/{handle}',
    connectionCount: {
      en: [/\b(?<count>\d{1,3}(?:,\d{3})+|\d{1,7}) followers\b/, /\bfollowers:?\s+(?<count>\d{1,3}(?:,\d{3})+|\d{1,7})\b/],
      de: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) Follower\b/, /\bFollower:?\s+(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7})\b/],
      fr: [/\b(?<count>\d{1,3}(?:[  ]\d{3})+|\d{1,7}) abonnés\b/],
      es: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) seguidores\b/],
      pt: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) seguidores\b/],
      it: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) follower\b/],
      nl: [/\b(?<count>\d{1,3}(?:\.\d{3})+|\d{1,7}) volgers\b/],
    },
    photo: {
      real: [/^https?:\/\/pbs\.twimg\.com\/profile_images\//i],
      placeholder: [/default_profile(?:_images|_normal|_bigger)?/i],
    },
  },
};
