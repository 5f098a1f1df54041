import type { Language } from '../../vocabulary/contact.ts';

/**
 * What Winnow knows of one language to read answers and automatic replies: refusals, hostility,
 * out-of-office notes and their return dates, what an answer says (why, business, benefit), sales
 * pitches, and the lines mail clients put above quoted text. Adding a language is adding one file.
 *
 * Every pattern is matched against *folded* text (see fold.ts): lower-case, accents removed,
 * "ß" as "ss", curly quotes straight, whitespace collapsed. So patterns are written lower-case and
 * without accents ("pas interesse" matches "pas intéressé"). Patterns carry no flags; the matcher
 * adds what it needs. Every pattern must stay linear: no nested quantifiers, bounded gaps only.
 */
export interface LanguagePhrases {
  language: Language;
  /** Short frequent words, to tell which language a text is in. */
  commonWords: readonly string[];

  /** A plain "no": only counts in a short reply that says little else (see answer.ts). */
  refusal: readonly RegExp[];
  /** Taking offence: insults, "how dare you", "stop spamming me". */
  hostile: readonly RegExp[];
  /** A word that turns "not interested in X" into "..., but Y": the reply goes on with substance. */
  contrast: RegExp;
  /** Words a refusal may carry without saying anything more ("thanks", "please", "sorry"). */
  politeness: readonly string[];

  /** Says why they want to connect. */
  why: readonly RegExp[];
  /** Says what business they are in. */
  business: readonly RegExp[];
  /** Says how both would gain. */
  benefit: readonly RegExp[];
  /** Sells something. One hit is enough, so only unmistakable phrases belong here. */
  salesPitch: readonly RegExp[];

  outOfOffice: {
    /**
     * Out-of-office words as subjects say them ("out of office", "abwesenheitsnotiz", "absence").
     * They count alone as "<words>: ..." or as the whole subject; anywhere else only beside a body phrase.
     */
    subject: readonly string[];
    /** Subject sentences that need nothing more ("Jane Doe is out of the office"). */
    subjectSentence: readonly RegExp[];
    /** Sentences of out-of-office replies ("I am out of the office", "je suis absent"). */
    body: readonly RegExp[];
    /** Subject words of other automatic replies ("automatic reply", "réponse automatique"), same rules as `subject`. */
    autoReplySubject: readonly string[];
  };

  dates: DateWords;

  quotes: {
    /** First words of an attribution line ("On", "Am", "Le", "Il giorno"). */
    attributionStart: readonly string[];
    /** Its verb ("wrote", "schrieb", "a écrit"), followed by an optional name and a colon. */
    attributionVerb: readonly string[];
    /** Outlook's "-----Original Message-----" in this language (without the dashes). */
    originalMessage: readonly string[];
    /** Outlook's header block labels of a quoted mail: "From:" and the fields that follow it. */
    headerFrom: readonly string[];
    headerFields: readonly string[];
    /** "Sent from my iPhone" and kin: the line and everything below it is not the answer. */
    sentFrom: readonly RegExp[];
    /** Closing words ("Best regards"); the name line under them is kept, the rest cut. */
    valedictions: readonly RegExp[];
  };
}

/** Words around a stated return date. Cue patterns are regex sources matched right before a date. */
export interface DateWords {
  /** Twelve entries, January first, each the month's names and abbreviations (folded). */
  months: readonly (readonly string[])[];
  /** Seven entries, Sunday first, each the weekday's names (folded). */
  weekdays: readonly (readonly string[])[];
  /** "back on", "de retour le", "wieder im Büro ab": the date is the first day back. */
  returnCue: readonly string[];
  /** "until", "bis einschließlich", "tot en met", "hasta el": the date is the last day away. */
  untilCue: readonly string[];
  /** "from", "ab", "à partir du": the date starts the absence, unless a back-word follows it. */
  fromCue: readonly string[];
  /** Words after a from-date that make it the return ("ab 12.01. wieder erreichbar"). */
  backAfter: readonly string[];
  /** "tomorrow" (only counts after a cue: "back tomorrow"). */
  tomorrow: readonly string[];
  /** Whether all-numeric dates put the day first (12/1 is 12 January), unless a weekday says otherwise. */
  dayFirst: boolean;
}
