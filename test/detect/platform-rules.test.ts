import { describe, expect, it } from 'vitest';
import { imitatedDomain, refusalFor, skeleton } from '../../src/detect/address.ts';
import { parseAuthenticationResults } from '../../src/detect/authentication.ts';
import { withFlags } from '../../src/detect/platform.ts';
import { PERSONAL } from '../../src/detect/platforms/email.ts';
import { PLATFORM_RULES } from '../../src/detect/platforms/index.ts';
import { GREETINGS } from '../../src/detect/platforms/languages.ts';
import { detectLanguage, fold } from '../../src/detect/phrases/index.ts';
import type { Phrases, PlatformRules, Signal } from '../../src/detect/platforms/rules.ts';
import { LANGUAGES } from '../../src/vocabulary/contact.ts';
import { PLATFORMS } from '../../src/vocabulary/platforms.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';

/** The platform rules are data; these checks keep the data sound as platforms and languages are added. */

function phrasePatterns(phrases: Phrases | undefined): RegExp[] {
  return Object.values(phrases ?? {}).flatMap((list) => [...(list ?? [])]);
}

function signalPatterns(signal: Signal): RegExp[] {
  return [...(signal.headers ?? []).map((entry) => entry.pattern), ...(signal.fromLocal ? [signal.fromLocal] : []), ...phrasePatterns(signal.text), ...phrasePatterns(signal.subject), ...(signal.links ?? [])];
}

function allPatterns(rules: PlatformRules): RegExp[] {
  const extract = rules.extract;
  return [
    ...rules.notRequest.flatMap(signalPatterns),
    ...rules.requests.flatMap(signalPatterns),
    ...extract.notPersonName,
    ...phrasePatterns(extract.subjectName),
    ...phrasePatterns(extract.bodyName),
    ...phrasePatterns(extract.mutualConnections),
    ...phrasePatterns(extract.connectionCount),
    ...phrasePatterns(extract.noteEnds),
    ...phrasePatterns(extract.boilerplate),
    ...(extract.notHeadline ?? []),
    ...(rules.messages?.signals ?? []).flatMap(signalPatterns),
    ...phrasePatterns(rules.messages?.subjectName),
    ...phrasePatterns(rules.messages?.bodyName),
    ...phrasePatterns(rules.messages?.textEnds),
    ...phrasePatterns(rules.messages?.boilerplate),
    ...(rules.messages?.conversationLinks ?? []),
  ];
}

describe.each(PLATFORM_RULES.map((rules) => [rules.platform, rules] as const))('the %s rules', (_platform, rules) => {
  it('name a known platform, lower-case domains of their own, and the languages they cover', () => {
    expect(PLATFORMS).toContain(rules.platform);
    expect(rules.domains.length).toBeGreaterThan(0);
    for (const domain of [...rules.domains, ...rules.relatedDomains]) expect(domain).toMatch(/^[a-z0-9.-]+\.[a-z]{2,}$/);
    expect(rules.languages.length).toBeGreaterThan(0);
    for (const language of rules.languages) expect(LANGUAGES).toContain(language);
  });

  it('have request phrases in every language they claim to cover', () => {
    for (const language of rules.languages) {
      const phrases = rules.requests.flatMap((signal) => [...(signal.text?.[language] ?? []), ...(signal.subject?.[language] ?? [])]);
      expect(phrases.length, language).toBeGreaterThan(0);
    }
  });

  it('compile every pattern as the engine reads it, none global or sticky', () => {
    for (const pattern of allPatterns(rules)) {
      expect(pattern.flags, pattern.source).not.toMatch(/[gy]/);
      expect(() => withFlags(pattern, 'm'), pattern.source).not.toThrow();
    }
  });

  it('read a word boundary beside an accented letter as one (JavaScript\'s \\b knows only ASCII)', () => {
    expect(withFlags(/\bcom você\b/, '').test('Quero me conectar com você.')).toBe(true);
    expect(withFlags(/\bcom você\b/, '').test('com vocêx')).toBe(false);
  });

  it('never treat their own domains as look-alikes', () => {
    for (const domain of [...rules.domains, ...rules.relatedDomains]) {
      expect(imitatedDomain(domain)).toBeNull();
      expect(imitatedDomain(`mail.${domain}`)).toBeNull();
    }
  });
});

it('no two platforms claim the same domain', () => {
  const domains = PLATFORM_RULES.flatMap((rules) => rules.domains);
  expect(new Set(domains).size).toBe(domains.length);
});

it('personal-request phrases exist for every language and are written in folded form', () => {
  for (const language of LANGUAGES) {
    expect(PERSONAL[language].body.length, language).toBeGreaterThan(0);
    for (const pattern of [...PERSONAL[language].body, ...PERSONAL[language].subject]) {
      // Folded text has no capitals and no accents (escapes such as \S aside).
      expect(pattern.source.replace(/\\[A-Za-z]/g, ''), pattern.source).not.toMatch(/[A-ZÀ-ÿ]/);
    }
  }
});

describe('look-alike domains', () => {
  it.each([
    ['linkedln.com', 'linkedin.com'],
    ['linkedin-mail.com', 'linkedin.com'],
    ['linkedin.com.evil.example', 'linkedin.com'],
    ['mail.linked-in.example', 'linkedin.com'],
    ['xn--lnkedin-rog.com', 'linkedin.com'],
    ['faceb00k.com', 'facebookmail.com'],
    ['facebookmail.co', 'facebookmail.com'],
    ['secure-xing.example', 'xing.com'],
    ['twltter.com', 'twitter.com'],
    ['instagram-help.com', 'instagram.com'],
    ['github-notifications.com', 'github.com'],
    ['meetupmail.com', 'meetup.com'],
  ])('%s imitates %s', (domain, imitated) => {
    expect(imitatedDomain(domain)).toBe(imitated);
    expect(refusalFor(`someone@${domain}`, context)).toBe(`an address imitating ${imitated}`);
  });

  it.each(['example.org', 'boxing.example', 'mixing-studio.example', 'pythonmeetup.example', 'twitterverse-research.example', 'githubusercontent.com', 'jane.github.io', 'lnkd.in', 'linkedin.com', 'bounce.linkedin.com'])(
    '%s imitates nothing',
    (domain) => {
      expect(imitatedDomain(domain)).toBeNull();
    },
  );

  it('reads "l", "1", "i" and Cyrillic "і" alike, and "rn" as "m"', () => {
    expect(skeleton('l1nked|n')).toBe(skeleton('linkedin'));
    expect(skeleton('lіnkedin')).toBe(skeleton('linkedin'));
    expect(skeleton('rneetup')).toBe(skeleton('meetup'));
  });
});

const context: ClassifyContext = { ownAddresses: [], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };

describe('Authentication-Results parsing (RFC 8601)', () => {
  it('reads the authserv-id, methods, results and properties, ignoring comments', () => {
    expect(parseAuthenticationResults('MX.Example.Org 1; dkim=pass (good) header.d=Example.COM header.i="@mail.example.com"; spf=softfail (no) smtp.mailfrom=x.example; dmarc=pass header.from=example.com')).toEqual({
      authservId: 'mx.example.org',
      entries: [
        { method: 'dkim', result: 'pass', properties: { 'header.d': 'example.com', 'header.i': '@mail.example.com' } },
        { method: 'spf', result: 'softfail', properties: { 'smtp.mailfrom': 'x.example' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'example.com' } },
      ],
    });
  });

  it('keeps semicolons inside quotes and comments out of the split', () => {
    const parsed = parseAuthenticationResults('mx.example.org (a; b); dkim=fail (bad; very) header.b="x;y" header.d=example.com');
    expect(parsed?.entries).toEqual([{ method: 'dkim', result: 'fail', properties: { 'header.b': 'x;y', 'header.d': 'example.com' } }]);
  });

  it('survives junk', () => {
    expect(parseAuthenticationResults('')).toBeNull();
    expect(parseAuthenticationResults('mx; none')?.entries).toEqual([]);
    expect(parseAuthenticationResults(`mx; ${'('.repeat(5000)}dkim=pass`)?.entries).toEqual([]);
  });
});

describe('languages', () => {
  it.each([
    ['Thank you for the invitation, I would like to hear more about your work and the project.', 'en'],
    ['Vielen Dank für die Einladung, ich möchte gerne mehr über Ihre Arbeit und das Projekt hören.', 'de'],
    ['Merci pour votre invitation, je souhaite en savoir plus sur votre travail et le projet.', 'fr'],
    ['Gracias por la invitación, me gustaría saber más sobre tu trabajo y el proyecto.', 'es'],
    ['Obrigado pelo convite, gostaria de saber mais sobre o seu trabalho e o projeto.', 'pt'],
    ['Grazie per l’invito, vorrei sapere di più sul tuo lavoro e sul progetto della società.', 'it'],
    ['Bedankt voor de uitnodiging, ik wil graag meer weten over je werk en het project.', 'nl'],
  ])('"%s" is %s', (text, language) => {
    expect(detectLanguage(fold(text))).toBe(language);
  });

  it('says nothing about too little text', () => {
    expect(detectLanguage(fold('OK'))).toBeNull();
  });

  it('does not read links as words ("com" is Portuguese for "with")', () => {
    const japanese = '承認: https://www.linkedin.com/comm/mynetwork/invite-accept/ プロフィール: https://www.linkedin.com/comm/in/hanako-sato jane@example.com';
    expect(detectLanguage(fold(japanese))).toBeNull();
  });

  it.each(['Hi Morgan,', 'Dear Mr. Smith,', 'Hallo Morgan!', 'Bonjour Morgan,', 'Hola Morgan,', 'Olá Morgan,', 'Ciao Morgan,', 'Beste Morgan,'])('"%s" is a greeting line', (line) => {
    expect(Object.values(GREETINGS).some((pattern) => pattern.test(line))).toBe(true);
  });

  it('a greeting followed by a sentence is not a greeting line', () => {
    expect(Object.values(GREETINGS).some((pattern) => pattern.test('Hi Morgan, we met at the timber summit last week.'))).toBe(false);
  });
});
