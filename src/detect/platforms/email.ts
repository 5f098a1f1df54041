import type { Language } from '../../vocabulary/contact.ts';

/**
 * Personal emails asking to connect or to meet (platform 'email'). Deliberately narrow: a script
 * arriving at a friend who wrote "let's connect next week about the invoice" is worse than a
 * missed request, so a phrase must stand on its own ("I'd like to connect.", "connect with you on
 * LinkedIn"), and an introduction ("I'd like to connect you with Bob") never counts. The reflexive
 * forms of other languages ("mich mit Ihnen vernetzen", "me connecter avec vous") exclude
 * introductions by themselves.
 *
 * Patterns are written against folded text (phrases/fold.ts): lower-case, no
 * accents ("würde" is "wurde", "réseau" is "reseau"), straight quotes, single spaces. Replies
 * inside an existing conversation never count, whatever they say (personal.ts).
 */
export interface PersonalPhrases {
  /** Phrases in a mail's new text (quotes and signature cut) or its subject. */
  body: readonly RegExp[];
  /** Phrases that count in a subject only ("Connection request"). */
  subject: readonly RegExp[];
}

// What may follow "connect" for the phrase to be about connecting with the reader, not
// "connect you with Bob" (an introduction) or "connect the printer".
const TAIL = String.raw`(?=\s*(?:with you\s*)?(?:(?:on|via|through|here on) (?:linkedin|facebook|twitter|xing|x|instagram|email|e-mail)\b|professionally\b|and\b|sometime\b|soon\b|[.!?,;:)-]|$))`;
// What may follow "meet you": a wish to meet, not an appointment ("meet you at 3 to sign").
const MEET_TAIL = String.raw`(?=\s*(?:in person\b|for (?:a )?(?:coffee|chat|drink|lunch|call)\b|sometime\b|soon\b|and\b|[.!?,;:)-]|$))`;

export const PERSONAL: Record<Language, PersonalPhrases> = {
  en: {
    body: [
      new RegExp(String.raw`\b(?:i'?d|i would|we'?d|we would|would)\s+(?:really\s+|very much\s+|also\s+|so\s+)?(?:like|love)\s+to\s+connect\b${TAIL}`),
      new RegExp(String.raw`\blet'?s\s+connect\b${TAIL}`),
      /\badd you to my (?:professional )?network\b/,
      /\bconnect with you (?:on|via) (?:linkedin|facebook|twitter|xing|x|instagram)\b/,
      new RegExp(String.raw`\b(?:keen|hoping|eager|happy|glad|want|wanted|wish)\s+to\s+connect\b${TAIL}`),
      new RegExp(String.raw`\b(?:open to|interested in)\s+connecting\b${TAIL}`),
      new RegExp(String.raw`\b(?:i'?d|i would|we'?d|we would)\s+(?:really\s+|very much\s+|so\s+)?(?:like|love)\s+to\s+meet\s+(?:you|up)\b${MEET_TAIL}`),
      /\blet'?s\s+meet(?:\s+up)?\s+(?:for (?:a )?(?:coffee|chat|drink|lunch)|sometime|in person)\b/,
    ],
    subject: [
      /\b(?:request|invitation|invite)\s+to\s+connect\b/,
      /\bconnection\s+request\b/,
      /^\s*(?:can|could|shall|should|may)\s+we\s+connect\s*(?:[?!.]+\s*)?$/,
      /^\s*let'?s\s+connect\b/,
    ],
  },
  de: {
    // Umlauts typed as "ue", "oe" ("wuerde", "moechte") are common where the keyboard lacks them.
    body: [
      /\b(?:ich )?(?:wu(?:e)?rde|mo(?:e)?chte|will) mich (?:(?:sehr|gerne?|auch|hiermit|einfach) ){0,3}mit (?:ihnen|dir|euch) (?:(?:gerne?|beruflich|auf linkedin|auf xing|hier) ){0,2}vernetzen\b/,
      /\bgerne? (?:wu(?:e)?rde|mo(?:e)?chte) ich mich (?:(?:sehr|auch) ){0,2}mit (?:ihnen|dir|euch) (?:(?:gerne?|beruflich|auf linkedin|auf xing) ){0,2}vernetzen\b/,
      /\b(?:lass|lasst|lassen sie) uns (?:(?:gerne?|doch|einfach) ){0,2}vernetzen\b/,
      /\b(?:sie|dich) (?:gerne? )?(?:zu|in) meine[mn]? (?:(?:beruflichen?|professionellen?) )?netzwerk (?:\S+ ){0,3}?hinzuf(?:u|ue)gen\b/,
      /\b(?:wu(?:e)?rde|mo(?:e)?chte) (?:sie|dich|euch) (?:(?:sehr|gerne?|perso(?:e)?nlich|einmal|mal) ){0,3}kennenlernen\b/,
      /\bwu(?:e)?rde mich (?:sehr )?freuen,? (?:sie|dich|euch) (?:(?:perso(?:e)?nlich|einmal|mal) ){0,2}kennenzulernen\b/,
    ],
    subject: [/^vernetzungsanfrage\b/, /^(?:lass|lasst|lassen sie) uns vernetzen\b/, /\banfrage zur vernetzung\b/, /^vernetzen\s*\??$/],
  },
  fr: {
    body: [
      /\bj'aimerais (?:(?:beaucoup|bien|vivement|tant) )?(?:me connecter|entrer en relation) avec (?:vous|toi)\b/,
      /\bje (?:souhaiterais|voudrais|souhaite) (?:(?:beaucoup|vivement|bien) )?(?:me connecter|entrer en relation) avec (?:vous|toi)\b/,
      /\b(?:vous|t') ?ajouter a mon reseau\b/,
      /\bconnectons-nous\b/,
      /\bj'aimerais (?:(?:beaucoup|bien) )?faire partie de (?:votre|ton) reseau\b/,
      /\bj'aimerais (?:(?:beaucoup|bien|vivement|tant) )?(?:vous|te) rencontrer\b/,
      /\b(?:je serais|serais) (?:ravie?|heureuse|heureux|enchantee?) de (?:vous|te) rencontrer\b/,
    ],
    subject: [/^demande de (?:connexion|mise en relation)\b/, /^connectons-nous\b/, /^invitation a (?:se|me) connecter\b/],
  },
  es: {
    body: [
      /\bme (?:gustaria|encantaria) (?:mucho )?(?:conectar|conectarme) con(?:tigo| usted| ustedes)\b/,
      /\bquisiera (?:conectar|conectarme) con(?:tigo| usted)\b/,
      /\bconectemos\b/,
      /\b(?:agregarte|anadirte|agregarle|anadirle) a mi red\b/,
      /\bme (?:gustaria|encantaria) (?:mucho )?conocer(?:te|le)\b/,
    ],
    subject: [/^solicitud de conexion\b/, /^conectemos\b/],
  },
  pt: {
    body: [
      /\b(?:gostaria|adoraria) (?:muito )?de (?:me )?conectar(?:-me)? com (?:voce|vc|o senhor|a senhora|voces)\b/,
      /\bvamos nos conectar\b/,
      /\b(?:adicionar voce|adiciona-lo|adiciona-la|te adicionar|lhe adicionar) (?:a|na) minha rede\b/,
      /\b(?:gostaria|adoraria) (?:muito )?de (?:(?:te|lhe) conhecer|conhece-l[oa]|conhecer voce)\b/,
    ],
    subject: [/^solicitacao de conexao\b/, /^vamos nos conectar\b/],
  },
  it: {
    body: [
      /\b(?:vorrei|mi piacerebbe|sarei felice di) (?:molto )?(?:connettermi|collegarmi) con (?:te|lei|voi)\b/,
      /\b(?:colleghiamoci|connettiamoci)\b/,
      /\baggiunger(?:ti|la|vi) alla mia rete\b/,
      /\b(?:vorrei |mi piacerebbe (?:molto )?)conoscer(?:ti|vi|la di persona)\b/,
    ],
    subject: [/^richiesta di (?:collegamento|connessione)\b/, /^colleghiamoci\b/],
  },
  nl: {
    body: [
      /\b(?:ik )?(?:zou|wil) (?:(?:graag|heel graag|ook graag|ook) )?met (?:je|jou|u|jullie) (?:(?:willen|graag) )?(?:connecten|verbinden|linken)\b/,
      /\bgraag (?:zou|wil) ik met (?:je|jou|u) (?:willen )?(?:connecten|verbinden|linken)\b/,
      /\blaten we (?:ons )?(?:connecten|verbinden|linken)\b/,
      /\b(?:je|jou|u) (?:graag )?toevoegen aan mijn (?:professionele )?netwerk\b/,
      /\b(?:ik )?(?:zou|wil) (?:je|jou|u) (?:(?:graag|heel graag|eens|ook graag) ){0,2}(?:willen )?(?:ontmoeten|leren kennen)\b/,
    ],
    subject: [/^connectieverzoek\b/, /^verbindingsverzoek\b/, /^laten we connecten\b/],
  },
};
