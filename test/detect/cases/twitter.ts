import type { Language } from '../../../src/vocabulary/contact.ts';
import { LANGUAGE_NAMES, mail, passed, type DetectionCase } from './support.ts';

/**
 * Constructed X (Twitter) follow notifications, after the real headers (X-Twitteremailtype:
 * is_following, X-Twittersendername, X-Twittersenderscreenname, X-Twittersenderid, bounces to
 * postmaster.twitter.com) and the localised subjects "Name (@handle) is now following you on Twitter!".
 */

const SUBJECTS: Record<Language, (person: string) => string> = {
  en: (person) => `${person} is now following you on Twitter!`,
  de: (person) => `${person} folgt dir jetzt auf Twitter!`,
  fr: (person) => `${person} vous suit désormais sur Twitter !`,
  es: (person) => `${person} ahora te sigue en Twitter!`,
  pt: (person) => `${person} agora está seguindo você no Twitter!`,
  it: (person) => `${person} ora ti segue su Twitter!`,
  nl: (person) => `${person} volgt je nu op Twitter!`,
};

const FOLLOWERS: Record<Language, (count: number) => string> = {
  en: (count) => `${count} followers`,
  de: (count) => `${count} Follower`,
  fr: (count) => `${count} abonnés`,
  es: (count) => `${count} seguidores`,
  pt: (count) => `${count} seguidores`,
  it: (count) => `${count} follower`,
  nl: (count) => `${count} volgers`,
};

const PEOPLE: Record<Language, { name: string; handle: string }> = {
  en: { name: 'Geoff Hing', handle: 'geoffhing' },
  de: { name: 'Jonas Fischer', handle: 'jonasfischer' },
  fr: { name: 'Léa Dubois', handle: 'lea_dubois' },
  es: { name: 'Javier Torres', handle: 'jtorres' },
  pt: { name: 'João Pereira', handle: 'joaopereira' },
  it: { name: 'Luca Romano', handle: 'lucaromano' },
  nl: { name: 'Lotte Visser', handle: 'lottevisser' },
};

const LANGUAGES = Object.keys(SUBJECTS) as Language[];

/** "… followed you back": a follow of someone the user followed first, not a stranger's. */
const FOLLOWED_BACK: Record<Language, string> = {
  en: 'followed you back',
  de: 'folgt dir jetzt auch',
  fr: 'vous suit en retour',
  es: 'te sigue también',
  pt: 'seguiu você de volta',
  it: 'ti segue a sua volta',
  nl: 'volgt je nu ook',
};

function follow(language: Language, options: { type?: string; auth?: string; followers?: number; defaultPhoto?: boolean } = {}) {
  const person = PEOPLE[language];
  const who = `${person.name} (@${person.handle})`;
  return mail({
    from: { name: 'Twitter', address: 'info@twitter.com' },
    subject: SUBJECTS[language](who),
    headers: {
      'X-Twitteremailtype': options.type ?? 'is_following',
      'X-Twittersendername': person.name,
      'X-Twittersenderscreenname': person.handle,
      'X-Twittersenderid': '11360602',
      'X-Twitterrecipientscreenname': 'morganexample',
      'Bounces-To': 'Twitter <twitter-follow-morgan=example.test@postmaster.twitter.com>',
      ...(options.auth ? { 'Authentication-Results': options.auth } : {}),
    },
    text: [SUBJECTS[language](who), '', `${FOLLOWERS[language](options.followers ?? 1234)}`, '', `https://twitter.com/${person.handle}`, '', 'https://twitter.com/morganexample'].join('\n'),
    html: [
      '<html><body>',
      '<a href="https://twitter.com/morganexample"><img src="https://pbs.twimg.com/profile_images/1/morgan_normal.jpg" alt="Morgan Example"></a>',
      `<a href="https://twitter.com/${person.handle}"><img src="${options.defaultPhoto ? 'https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png' : 'https://pbs.twimg.com/profile_images/2/follower_normal.jpg'}" alt="${person.name}"></a>`,
      `<p>${SUBJECTS[language](who)}</p>`,
      '</body></html>',
    ].join('\n'),
  });
}

const followedBack = LANGUAGES.map(
  (language): DetectionCase => ({
    name: `constructed: X (Twitter) "${FOLLOWED_BACK[language]}", ${LANGUAGE_NAMES[language]}`,
    platform: 'twitter',
    language,
    expect: 'not-request',
    reason: /follow back/,
    build: mail({
      from: { name: 'X', address: 'notify@x.com' },
      subject: `@${PEOPLE[language].handle} ${FOLLOWED_BACK[language]}`,
      headers: { 'Authentication-Results': passed('x.com') },
      text: `${PEOPLE[language].name} (@${PEOPLE[language].handle}) ${FOLLOWED_BACK[language]}.`,
    }),
  }),
);

export const TWITTER_CASES: DetectionCase[] = LANGUAGES.map(
  (language, index): DetectionCase => ({
    name: `constructed: X (Twitter) follow, ${LANGUAGE_NAMES[language]}`,
    platform: 'twitter',
    language,
    expect: 'request',
    requester: {
      name: PEOPLE[language].name,
      profileUrl: `https://x.com/${PEOPLE[language].handle}`,
      connectionCount: index === 0 ? 57 : 1234,
      hasPhoto: index !== 1,
      email: null,
    },
    flags: index === 0 ? ['few_connections'] : index === 1 ? ['no_photo'] : [],
    reason: /^X \(Twitter\) follow$/,
    build: follow(language, { auth: passed('twitter.com'), followers: index === 0 ? 57 : 1234, defaultPhoto: index === 1 }),
  }),
).concat(followedBack, [
  {
    name: 'constructed: X (Twitter) direct message notification (X-Twitteremailtype: direct_message)',
    platform: 'twitter',
    language: 'en',
    expect: 'not-request',
    reason: /not a follow/,
    build: follow('en', { type: 'direct_message', auth: passed('twitter.com') }),
  },
  {
    name: 'constructed: X follow from x.com without the old headers',
    platform: 'twitter',
    language: 'en',
    expect: 'request',
    requester: { name: 'geoffhing', profileUrl: 'https://x.com/geoffhing' },
    build: mail({
      from: { name: 'X', address: 'notify@x.com' },
      subject: '@geoffhing followed you',
      headers: { 'Authentication-Results': passed('x.com') },
      text: '@geoffhing followed you\n\nhttps://x.com/geoffhing',
    }),
  },
  {
    name: 'constructed: follow notice from the look-alike twltter.com',
    platform: 'twitter',
    language: 'en',
    expect: 'not-request',
    reason: /imitates twitter\.com/,
    build: mail({
      from: { name: 'Twitter', address: 'info@twltter.com' },
      subject: 'Geoff Hing (@geoffhing) is now following you on Twitter!',
      text: 'Geoff Hing (@geoffhing) is now following you on Twitter!',
    }),
  },
]);
