import type { ClassifyContext } from '../../src/detect/types.ts';
import { describe, expect, it } from 'vitest';
import { isOwnAddress, refusalFor, robotRule } from '../../src/detect/address.ts';
import { htmlToText } from '../../src/detect/text.ts';
import { cleanLine } from '../../src/text/line.ts';
import { firstNameOf } from '../../src/text/names.ts';
import { isReplyOrForwardSubject } from '../../src/text/subject.ts';

/** The small rules the detectors share, with plain inputs. */

const context: ClassifyContext = { ownAddresses: ['morgan@example.test'], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };

describe('firstNameOf', () => {
  it.each([
    ['Jane Doe', 'Jane'],
    ['Doe, Jane', 'Jane'],
    ['Doe, Jane Q.', 'Jane'],
    ['Jane Doe, PhD', 'Jane'],
    ['Dr. Jane Doe', 'Jane'],
    ['"Jane Doe"', 'Jane'],
    ['Jean-Luc Picard', 'Jean-Luc'],
    ['José Álvarez', 'José'],
    ['jane@example.org', ''],
    ['', ''],
  ])('%s → %s', (name, first) => {
    expect(firstNameOf(name)).toBe(first);
  });
});

describe('robot addresses (RFC 3834, RFC 5230)', () => {
  it.each([
    ['MAILER-DAEMON@example.org', 'mailer-daemon'],
    ['postmaster@example.org', 'postmaster'],
    ['noreply@example.org', 'no-reply'],
    ['no-reply@example.org', 'no-reply'],
    ['jobs-noreply@linkedin.com', 'no-reply'],
    ['do-not-reply@example.org', 'no-reply'],
    ['donotreply@example.org', 'no-reply'],
    ['bounce+abc=example.org@mail.example.org', 'bounce'],
    ['timber-bounces@lists.example.org', 'bounce'],
    ['notifications@github.com', 'notifications'],
    ['LISTSERV@lists.example.org', 'list server'],
    ['majordomo@example.org', 'list server'],
    ['owner-timber@lists.example.org', 'list owner'],
    ['timber-request@lists.example.org', 'list request'],
    ['jane.doe@example.org', null],
    ['noreen@example.org', null],
    ['bouncer.bob@example.org', null],
  ])('%s → %s', (address, rule) => {
    expect(robotRule(address)).toBe(rule);
  });
});

describe('where a script may go', () => {
  it('never to the user, with or without a +tag, in any case', () => {
    expect(isOwnAddress('Morgan@Example.Test', context)).toBe(true);
    expect(isOwnAddress('morgan+winnow@example.test', context)).toBe(true);
    expect(isOwnAddress('morgana@example.test', context)).toBe(false);
  });

  it.each([
    ['jane@example.org', null],
    ['morgan@example.test', 'your own address'],
    ['c15c178d@reply.linkedin.com', 'a linkedin.com address'],
    ['notification+x@facebookmail.com', 'a facebookmail.com address'],
    // Domains a platform owns besides its mail domains (rules' relatedDomains) are no one's mailbox either.
    ['jane@lnkd.in', 'a lnkd.in address'],
    ['relay@mail.linkedin.cn', 'a linkedin.cn address'],
    ['kontakt@xing.de', 'a xing.de address'],
    ['noreply@example.org', 'a no-reply address'],
    // The suppression rules' other robot spellings hold for recipients too.
    ['do-not-respond@example.org', 'a no-reply address'],
    ['nicht-antworten@beispiel.example', 'a no-reply address'],
    ['listserv-admin@lists.example.org', 'a system address'],
    ['jane@localhost', 'not a usable address'],
    ['jane doe@example.org', 'not a usable address'],
    ['jane@example.org\r\nBcc: x@example.org', 'not a usable address'],
  ])('%s → %s', (address, refusal) => {
    expect(refusalFor(address, context)).toBe(refusal);
  });
});

describe('text helpers', () => {
  it('recognises reply and forward subjects', () => {
    for (const subject of ['Re: hi', 'RE: hi', 'Fwd: hi', 'AW: hi', 'WG: hi', 'TR : hi', 'RV: hi', 'RES: hi', 'ENC: hi', 'I: hi', 'R: hi', 'Antw: hi', 'Doorst: hi', '[list] Re: hi', 'Re[2]: hi']) {
      expect(isReplyOrForwardSubject(subject), subject).toBe(true);
    }
    for (const subject of ['Regarding our talk', 'Invitation to connect on LinkedIn', 'Fwiw', 'Resumen: hi', 'Encuentro', 'Idea: coffee?']) expect(isReplyOrForwardSubject(subject), subject).toBe(false);
  });

  it('cleanLine removes control and bidi characters and caps the length', () => {
    expect(cleanLine('a\r\nb\u202ec\u0000d')).toBe('a b c d');
    expect(cleanLine('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('htmlToText drops scripts, styles and comments, even unclosed ones, and marks blockquotes', () => {
    expect(htmlToText('<p>Hi &amp; welcome</p><script>alert(1)</script><style>p{}</style><!-- note --><blockquote>old</blockquote><p>new</p>')).toBe('Hi & welcome\n\n> old\n\nnew');
    expect(htmlToText('<p>kept</p><style>'.concat('<style>'.repeat(1000)))).toBe('kept');
  });
});
