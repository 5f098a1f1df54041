/**
 * Held-out GitHub cases. Constructed: built with the project's mail helpers for this held-out set,
 * without looking at the classifier's rules. Conversation notifications follow the real GitHub
 * sample in test/fixtures/corpus and GitHub's documented notification headers (From
 * notifications@github.com, To the thread address at noreply.github.com, Cc a reason address such
 * as mention@noreply.github.com, List-Id `OWNER/REPO <REPO.OWNER.github.com>`, X-GitHub-Reason,
 * X-GitHub-Sender, X-GitHub-Recipient, Precedence: list). Account mail from
 * `GitHub <noreply@github.com>` with "[GitHub] …" subjects follows a real password-reset message
 * in a public mailing-list archive. The follower wording ("… is now following you") is from
 * general knowledge; GitHub writes its mail in English only.
 */
import { ME, mail, passed, type DetectionCase } from '../cases/support.ts';
import { platformHtml } from './html.ts';

const LOGO = { src: 'https://github.githubassets.com/images/email/global/octocat-logo.png', alt: 'GitHub', href: 'https://github.com/' };
const GREEN = '#2da44e';

function accountHeaders(): Record<string, string> {
  return {
    'Authentication-Results': passed('github.com'),
    'X-GitHub-Recipient': 'morganex',
    'X-GitHub-Recipient-Address': ME,
    'X-Auto-Response-Suppress': 'All',
  };
}

function ghId(seed: string): string {
  return `<${seed}_${seed.length}3cc3ff65cebe6${seed.length}8683be@github-lowworker-${seed.slice(0, 7)}.va3-iad.github.net.mail>`;
}

const FOOTER = ['You are receiving this email because you have follower notifications enabled.', 'Manage your notification settings: https://github.com/settings/notifications', 'GitHub, Inc. ・88 Colin P Kelly Jr Street ・San Francisco, CA 94107'];

export const HELDOUT_CASES: DetectionCase[] = [
  {
    name: 'held-out: constructed GitHub new follower (en), "[GitHub] … is now following you"',
    platform: 'github',
    language: 'en',
    expect: 'request',
    requester: { name: 'Lena Vogel' },
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] Lena Vogel (lvogel) is now following you',
      date: 'Wed, 10 Apr 2024 03:14:27 -0700',
      messageId: ghId('66166b53a1f2e'),
      headers: accountHeaders(),
      text: [
        'Hey morganex!',
        '',
        'Lena Vogel (lvogel) is now following you on GitHub.',
        '',
        'Embedded Rust, sensors and small tools. Berlin.',
        '24 repositories · 310 followers',
        '',
        "Check out lvogel's profile: https://github.com/lvogel",
        '',
        '---',
        ...FOOTER,
      ].join('\n'),
      html: platformHtml({
        lang: 'en',
        preheader: 'Lena Vogel (lvogel) is now following you on GitHub.',
        logo: LOGO,
        accent: GREEN,
        photo: { src: 'https://avatars.githubusercontent.com/u/5512093?s=120&v=4', href: 'https://github.com/lvogel', alt: '@lvogel' },
        heading: 'You have a new follower!',
        lines: ['Lena Vogel (lvogel) is now following you on GitHub.', 'Embedded Rust, sensors and small tools. Berlin.'],
        buttons: [['View profile', 'https://github.com/lvogel']],
        footer: FOOTER,
      }),
    }),
  },
  {
    name: 'held-out: constructed GitHub new follower (en), "You have a new follower!", login only',
    platform: 'github',
    language: 'en',
    expect: 'request',
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: 'You have a new follower!',
      date: 'Mon, 02 Dec 2024 18:40:02 -0800',
      messageId: ghId('674e6e5a7b3c1'),
      headers: accountHeaders(),
      text: ['@octo-raj is now following you.', '', 'View @octo-raj on GitHub: https://github.com/octo-raj', '', '---', ...FOOTER].join('\n'),
      html: platformHtml({
        lang: 'en',
        preheader: '@octo-raj is now following you.',
        logo: LOGO,
        accent: GREEN,
        photo: { src: 'https://avatars.githubusercontent.com/u/90211734?s=120&v=4', href: 'https://github.com/octo-raj', alt: '@octo-raj' },
        heading: 'You have a new follower!',
        lines: ['@octo-raj is now following you.'],
        buttons: [['View profile', 'https://github.com/octo-raj']],
        footer: FOOTER,
      }),
    }),
  },
  {
    name: 'held-out: constructed GitHub new follower (en), 2013 text-only shape',
    platform: 'github',
    language: 'en',
    expect: 'request',
    requester: { name: 'Tomás Herrera' },
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] therrera is now following you',
      date: 'Fri, 18 Oct 2013 11:02:45 -0700',
      messageId: ghId('52617a15e3d4a'),
      headers: accountHeaders(),
      text: [
        'therrera (Tomás Herrera) is now following you on GitHub:',
        '',
        '  https://github.com/therrera',
        '',
        '---',
        'You can disable follower emails at https://github.com/settings/notifications',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed GitHub new follower (en), display name with company',
    platform: 'github',
    language: 'en',
    expect: 'request',
    requester: { name: 'Aisha Bello' },
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] @abello-sre is now following you',
      date: 'Tue, 18 Mar 2025 08:55:31 -0700',
      messageId: ghId('67d996e3c2b1a'),
      headers: accountHeaders(),
      text: [
        'Aisha Bello (@abello-sre) is now following you on GitHub.',
        '',
        'SRE @fernwood-labs · Lagos / London',
        '',
        'View profile: https://github.com/abello-sre',
        '',
        '---',
        ...FOOTER,
      ].join('\n'),
    }),
  },

  // ---- not requests ----
  {
    name: 'held-out: constructed GitHub issue mention notification (en)',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Lena Vogel', address: 'notifications@github.com' },
      to: { name: 'fernwood-labs/infra', address: 'infra@noreply.github.com' },
      cc: [{ name: 'Morgan Example', address: ME }, { name: 'Mention', address: 'mention@noreply.github.com' }],
      replyTo: { name: 'fernwood-labs/infra', address: 'reply+AAFBBk3TYX2Q7LMN5K4VZKWFY4BGBEVBNHHKM6XHZE@reply.github.com' },
      subject: 'Re: [fernwood-labs/infra] Terraform plan fails on eu-west-1 (Issue #412)',
      date: 'Thu, 11 Apr 2024 06:22:18 -0700',
      messageId: '<fernwood-labs/infra/issues/412/2049311876@github.com>',
      inReplyTo: '<fernwood-labs/infra/issues/412@github.com>',
      references: '<fernwood-labs/infra/issues/412@github.com>',
      headers: {
        'Authentication-Results': passed('github.com'),
        'List-ID': 'fernwood-labs/infra <infra.fernwood-labs.github.com>',
        'List-Archive': 'https://github.com/fernwood-labs/infra',
        'List-Unsubscribe': '<mailto:unsub+AAFBBk3TYX2Q7LMN@reply.github.com>, <https://github.com/notifications/unsubscribe/AAFBBk3TYX2Q7LMN>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        Precedence: 'list',
        'X-GitHub-Sender': 'lvogel',
        'X-GitHub-Recipient': 'morganex',
        'X-GitHub-Reason': 'mention',
        'X-GitHub-Recipient-Address': ME,
        'X-Auto-Response-Suppress': 'All',
      },
      text: [
        '@morganex could you take a look? The provider lock file was bumped in #409 and since then `terraform plan` times out on eu-west-1 only.',
        '',
        'Happy to pair on it tomorrow if that helps.',
        '',
        '—',
        'Reply to this email directly, view it on GitHub:',
        'https://github.com/fernwood-labs/infra/issues/412#issuecomment-2049311876',
        'You are receiving this because you were mentioned.',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed GitHub repository collaboration invitation (en), "has invited you to collaborate"',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] @lvogel has invited you to collaborate on the lvogel/humidity-driver repository',
      date: 'Sat, 13 Apr 2024 14:07:59 -0700',
      messageId: ghId('661af3cfd8e2b'),
      headers: accountHeaders(),
      text: [
        'Hey morganex!',
        '',
        '@lvogel has invited you to collaborate on the lvogel/humidity-driver repository.',
        '',
        'You can accept or decline this invitation. You can also head over to https://github.com/lvogel/humidity-driver to check out the repository or visit @lvogel to learn a bit more about them.',
        '',
        'This invitation will expire in 7 days.',
        '',
        'View invitation: https://github.com/lvogel/humidity-driver/invitations',
        '',
        'Note: This invitation was intended for morgan@example.test. If you were not expecting this invitation, you can ignore this email. If @lvogel is sending you too many emails, you can block them or report abuse.',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed GitHub organization invitation (en)',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] @abello-sre has invited you to join the @tidewater-oss organization',
      date: 'Wed, 19 Mar 2025 10:30:12 -0700',
      messageId: ghId('67dafe14a9c8d'),
      headers: accountHeaders(),
      text: [
        'Hi morganex!',
        '',
        'Aisha Bello (@abello-sre) has invited you to join the @tidewater-oss organization on GitHub. Head over to https://github.com/tidewater-oss to check out the organization\'s profile.',
        '',
        'To join @tidewater-oss, follow this link:',
        'https://github.com/orgs/tidewater-oss/invitation',
        '',
        'Some helpful tips:',
        '- If you get a 404 page, make sure you\'re signed in as morganex.',
        '- You can also accept the invitation by visiting the organization page directly.',
        '',
        'This invitation will expire in 7 days.',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed GitHub Dependabot alert digest (en)',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: 'Your Dependabot alerts for the week of Mar 10 - Mar 17',
      date: 'Mon, 17 Mar 2025 09:00:44 -0700',
      messageId: ghId('67d84700b1c2d'),
      headers: { ...accountHeaders(), 'X-GitHub-Severity': 'high' },
      text: [
        'Dependabot found 3 new vulnerabilities in repositories you have access to.',
        '',
        'fernwood-labs/web-console',
        '  high: path-to-regexp outputs backtracking regular expressions (package-lock.json)',
        '  moderate: cookie accepts cookie name, path, and domain with out of bounds characters',
        '',
        'morganex/dotfiles',
        '  low: Sensitive data exposure in a dev dependency',
        '',
        'View all alerts: https://github.com/settings/security-alerts',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed GitHub security notice, new SSH key added (en)',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] A new SSH authentication public key was added to your account',
      date: 'Tue, 07 Jan 2025 21:45:10 -0800',
      messageId: ghId('677e0d56e4f3a'),
      headers: accountHeaders(),
      text: [
        'The following SSH key was added to your account:',
        '',
        'laptop-2025',
        'SHA256:pP2vG8cZQn3oH1x0yR7kV5bL9mN4tU6wE2aS8dF3gH0',
        '',
        'If you believe this key was added in error, you can remove the key and disable access at the following location:',
        'https://github.com/settings/keys',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed GitHub Sponsors new sponsor (en), "is now sponsoring you"',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'GitHub Sponsors', address: 'noreply@github.com' },
      subject: '[GitHub] @octo-raj is now sponsoring you',
      date: 'Sun, 09 Feb 2025 16:12:03 -0800',
      messageId: ghId('67a94483c5d6e'),
      headers: accountHeaders(),
      text: [
        'Congratulations! @octo-raj is now sponsoring you for $5 a month.',
        '',
        'Say thanks: https://github.com/sponsors/morganex/dashboard/your_sponsors',
        '',
        'Manage your Sponsors profile: https://github.com/sponsors/morganex/dashboard',
      ].join('\n'),
    }),
  },
];
