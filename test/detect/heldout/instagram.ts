/**
 * Held-out Instagram cases. Constructed: built with the project's mail helpers for this held-out
 * set, without looking at the classifier's rules. The header set follows a real Instagram message
 * quoted in a public repository (From `"Instagram" <no-reply@mail.instagram.com>`, Reply-To and
 * Errors-To the same address, X-Mailer ZuckMail, `X-Facebook-Notify: <type>; mailid=…`,
 * `Feedback-ID: 9999:<type>:Facebook`, X-Auto-Response-Suppress: All, hex Message-IDs, an HTML-only
 * body, the subject "NNNNNN is your Instagram code"); other sender addresses
 * (security@mail.instagram.com, posts-recaps@mail.instagram.com) come from public mail filters.
 * The follow wording is from general knowledge; the `ig_*` type names other than
 * ig_verify_email_for_recovery are guesses in the same pattern.
 */
import { mail, passed, type DetectionCase } from '../cases/support.ts';
import { platformHtml } from './html.ts';

const LOGO = { src: 'https://static.cdninstagram.com/rsrc.php/v3/yS/r/instagram-logo-email.png', alt: 'Instagram', href: 'https://www.instagram.com/' };
const BLUE = '#0095f6';

function igHeaders(type: string, mailid: string, sender = 'no-reply@mail.instagram.com'): Record<string, string> {
  return {
    'Authentication-Results': passed('mail.instagram.com', 'mail.instagram.com'),
    'X-Facebook': 'from 2a03:2880:31ff:70::face:b00c ([MTI3LjAuMC4x]) by www.facebook.com with HTTPS (ZuckMail);',
    'X-Priority': '3',
    'X-Mailer': 'ZuckMail [version 1.00]',
    'Errors-To': sender,
    'X-Facebook-Notify': `${type}; mailid=${mailid}`,
    'Feedback-ID': `9999:${type}:Facebook`,
    'X-FACEBOOK-PRIORITY': '0',
    'X-Auto-Response-Suppress': 'All',
    'List-Unsubscribe': `<https://www.instagram.com/emails/unsubscribe/?uidb36=k2x9&token=${mailid.slice(0, 12)}&type=${type}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

function hexId(seed: string): string {
  const hex = Buffer.from(seed).toString('hex');
  return `<${hex.padEnd(32, '0').slice(0, 32)}@${hex.padEnd(64, 'e').slice(0, 64)}>`;
}

const FOOT: Record<string, string[]> = {
  en: ['© Instagram. Meta Platforms, Inc., 1601 Willow Road, Menlo Park, CA 94025', 'This message was sent to morgan@example.test and intended for morgan.example. Not your account? Remove your email from this account.'],
  pt: ['© Instagram. Meta Platforms, Inc., 1601 Willow Road, Menlo Park, CA 94025', 'Esta mensagem foi enviada para morgan@example.test e destinada a morgan.example.'],
  es: ['© Instagram. Meta Platforms, Inc., 1601 Willow Road, Menlo Park, CA 94025', 'Este mensaje se envió a morgan@example.test para morgan.example.'],
  it: ['© Instagram. Meta Platforms, Inc., 1601 Willow Road, Menlo Park, CA 94025', 'Questo messaggio è stato inviato a morgan@example.test ed è destinato a morgan.example.'],
  fr: ['© Instagram. Meta Platforms, Inc., 1601 Willow Road, Menlo Park, CA 94025', 'Ce message a été envoyé à morgan@example.test et destiné à morgan.example.'],
  de: ['© Instagram. Meta Platforms, Inc., 1601 Willow Road, Menlo Park, CA 94025', 'Diese Nachricht wurde an morgan@example.test gesendet und ist für morgan.example bestimmt.'],
};

interface Follow {
  lang: string;
  handle: string;
  name: string;
  subject: string;
  lines: string[];
  buttons: Array<[string, string]>;
  type: string;
  mailid: string;
  date: string;
}

/** HTML-only, like the real Instagram sample. */
function follow(f: Follow): () => Promise<Buffer> {
  return mail({
    from: { name: 'Instagram', address: 'no-reply@mail.instagram.com' },
    replyTo: { name: 'Instagram', address: 'no-reply@mail.instagram.com' },
    subject: f.subject,
    date: f.date,
    messageId: hexId(f.mailid + f.handle),
    headers: igHeaders(f.type, f.mailid),
    html: platformHtml({
      lang: f.lang,
      preheader: f.lines[0] ?? '',
      logo: LOGO,
      accent: BLUE,
      photo: { src: `https://scontent.cdninstagram.com/v/t51.2885-19/${f.mailid.slice(0, 9)}_n.jpg`, href: `https://www.instagram.com/${f.handle}/`, alt: f.handle },
      heading: f.handle,
      lines: [f.name, ...f.lines],
      buttons: f.buttons,
      footer: FOOT[f.lang] ?? FOOT.en!,
    }),
  });
}

export const HELDOUT_CASES: DetectionCase[] = [
  {
    name: 'held-out: constructed Instagram follow request to a private account (en), HTML only',
    platform: 'instagram',
    language: 'en',
    expect: 'request',
    requester: { name: 'Lena Vogel' },
    build: follow({
      lang: 'en',
      handle: 'lena.vogel',
      name: 'Lena Vogel',
      subject: 'lena.vogel requested to follow you',
      lines: ['Lena Vogel (@lena.vogel) requested to follow you on Instagram.', '12 mutual followers'],
      buttons: [
        ['Confirm', 'https://www.instagram.com/accounts/activity/?followRequests=1&utm_medium=email&utm_campaign=ig_follow_request'],
        ['Delete', 'https://www.instagram.com/accounts/activity/?followRequests=1'],
      ],
      type: 'ig_follow_request',
      mailid: '6a1f0e2c4b8aG24bc2cdafa4000G6a1f0e9d1c2aG1a3',
      date: 'Tue, 9 Jul 2024 18:41:13 -0700',
    }),
  },
  {
    name: 'held-out: constructed Instagram new follower (en), "started following you"',
    platform: 'instagram',
    language: 'en',
    expect: 'request',
    requester: { name: 'Noah Bennett' },
    build: follow({
      lang: 'en',
      handle: 'noah.bennett.photo',
      name: 'Noah Bennett',
      subject: 'noah.bennett.photo started following you',
      lines: ['Noah Bennett (@noah.bennett.photo) started following you on Instagram.', 'Street photography · Manchester'],
      buttons: [['Follow back', 'https://www.instagram.com/noah.bennett.photo/?utm_medium=email&utm_campaign=ig_new_follower']],
      type: 'ig_new_follower',
      mailid: '6b2a1f3d5c9bG24bc2cdafa4000G6b2a1fa0e2d3bG2b4',
      date: 'Sat, 12 Oct 2024 09:05:50 -0700',
    }),
  },
  {
    name: 'held-out: constructed Instagram new follower (pt-BR)',
    platform: 'instagram',
    language: 'pt',
    expect: 'request',
    requester: { name: 'Beatriz Lima' },
    build: follow({
      lang: 'pt',
      handle: 'bialima',
      name: 'Beatriz Lima',
      subject: 'bialima começou a seguir você',
      lines: ['Beatriz Lima (@bialima) começou a seguir você no Instagram.'],
      buttons: [['Seguir de volta', 'https://www.instagram.com/bialima/?utm_medium=email&utm_campaign=ig_new_follower']],
      type: 'ig_new_follower',
      mailid: '6c3b2a4e6d0cG24bc2cdafa4000G6c3b2ab1f3e4cG3c5',
      date: 'Mon, 26 Aug 2024 22:30:18 -0700',
    }),
  },
  {
    name: 'held-out: constructed Instagram follow request (es)',
    platform: 'instagram',
    language: 'es',
    expect: 'request',
    requester: { name: 'Carlos Ruiz' },
    build: follow({
      lang: 'es',
      handle: 'carlos.ruiz.mad',
      name: 'Carlos Ruiz',
      subject: 'carlos.ruiz.mad quiere seguirte',
      lines: ['Carlos Ruiz (@carlos.ruiz.mad) ha solicitado seguirte en Instagram.'],
      buttons: [
        ['Confirmar', 'https://www.instagram.com/accounts/activity/?followRequests=1&utm_medium=email'],
        ['Eliminar', 'https://www.instagram.com/accounts/activity/?followRequests=1'],
      ],
      type: 'ig_follow_request',
      mailid: '6d4c3b5f7e1dG24bc2cdafa4000G6d4c3bc2a4f5dG4d6',
      date: 'Fri, 14 Jun 2024 12:17:36 -0700',
    }),
  },
  {
    name: 'held-out: constructed Instagram new follower (it)',
    platform: 'instagram',
    language: 'it',
    expect: 'request',
    requester: { name: 'Giulia Romano' },
    build: follow({
      lang: 'it',
      handle: 'giuliaromano.ux',
      name: 'Giulia Romano',
      subject: 'giuliaromano.ux ha iniziato a seguirti',
      lines: ['Giulia Romano (@giuliaromano.ux) ha iniziato a seguirti su Instagram.'],
      buttons: [['Segui anche tu', 'https://www.instagram.com/giuliaromano.ux/?utm_medium=email']],
      type: 'ig_new_follower',
      mailid: '6e5d4c6a8f2eG24bc2cdafa4000G6e5d4cd3b5a6eG5e7',
      date: 'Sun, 24 Nov 2024 15:49:02 -0800',
    }),
  },

  // ---- not requests ----
  {
    name: 'held-out: constructed Instagram confirmation code (en), "is your Instagram code"',
    platform: 'instagram',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Instagram', address: 'no-reply@mail.instagram.com' },
      replyTo: { name: 'Instagram', address: 'no-reply@mail.instagram.com' },
      subject: '612807 is your Instagram code',
      date: 'Thu, 6 Aug 2020 19:34:15 -0700',
      messageId: hexId('verify-612807-aug'),
      headers: igHeaders('ig_verify_email_for_recovery', '5ac40274dafeaG24bc2cdafa4000G5ac4070e3b2bcG37f'),
      html: platformHtml({
        lang: 'en',
        preheader: 'Confirm your email address',
        logo: LOGO,
        accent: BLUE,
        heading: 'Hi morgan.example,',
        lines: ['Someone tried to log in to your Instagram account. If this was you, enter this code in the app:', '612807'],
        buttons: [],
        footer: FOOT.en!,
      }),
    }),
  },
  {
    name: 'held-out: constructed Instagram new login alert (fr)',
    platform: 'instagram',
    language: 'fr',
    expect: 'not-request',
    build: mail({
      from: { name: 'Instagram', address: 'security@mail.instagram.com' },
      subject: 'Nouvelle connexion à Instagram depuis Chrome sur Windows',
      date: 'Wed, 22 Jan 2025 07:12:48 -0800',
      messageId: hexId('login-fr-jan22'),
      headers: igHeaders('ig_login_alert', '6f6e5d7b9a3fG24bc2cdafa4000G6f6e5de4c6b7fG6f8', 'security@mail.instagram.com'),
      html: platformHtml({
        lang: 'fr',
        preheader: 'Nous avons remarqué une nouvelle connexion',
        logo: LOGO,
        accent: BLUE,
        heading: 'Nous avons remarqué une nouvelle connexion, morgan.example',
        lines: ['Chrome sur Windows · Paris, France', '22 janvier à 16:12 (CET)', 'Si c\'était vous, vous pouvez ignorer ce message.'],
        buttons: [['Sécuriser votre compte', 'https://www.instagram.com/accounts/password/reset/?utm_medium=email']],
        footer: FOOT.fr!,
      }),
    }),
  },
  {
    name: 'held-out: constructed Instagram posts recap (en), names other accounts',
    platform: 'instagram',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Instagram', address: 'posts-recaps@mail.instagram.com' },
      subject: 'See what lena.vogel and 9 others have shared',
      date: 'Sun, 17 Nov 2024 11:00:31 -0800',
      messageId: hexId('recap-nov17'),
      headers: { ...igHeaders('ig_posts_recap', '707f6e8cab4aG24bc2cdafa4000G707f6ef5d7c8aG7a9', 'posts-recaps@mail.instagram.com'), Precedence: 'bulk' },
      html: platformHtml({
        lang: 'en',
        preheader: 'lena.vogel, noah.bennett.photo and others shared posts',
        logo: LOGO,
        accent: BLUE,
        heading: 'See what you missed',
        lines: ['lena.vogel shared 3 photos', 'noah.bennett.photo shared a reel', 'Suggested for you: giuliaromano.ux'],
        buttons: [['Open Instagram', 'https://www.instagram.com/?utm_medium=email&utm_campaign=ig_posts_recap']],
        footer: FOOT.en!,
      }),
    }),
  },
  {
    name: 'held-out: constructed Instagram direct message notification (pt)',
    platform: 'instagram',
    language: 'pt',
    expect: 'not-request',
    build: mail({
      from: { name: 'Instagram', address: 'no-reply@mail.instagram.com' },
      subject: 'bialima enviou uma mensagem para você',
      date: 'Wed, 28 Aug 2024 23:02:10 -0700',
      messageId: hexId('dm-bialima'),
      headers: igHeaders('ig_direct_message', '718a7f9dbc5bG24bc2cdafa4000G718a7fa6e8d9bG8ba', 'no-reply@mail.instagram.com'),
      html: platformHtml({
        lang: 'pt',
        preheader: 'Nova mensagem',
        logo: LOGO,
        accent: BLUE,
        heading: 'bialima',
        lines: ['"Oii, obrigada pelo follow! Amei suas fotos de Lisboa 😍"'],
        buttons: [['Responder', 'https://www.instagram.com/direct/inbox/?utm_medium=email']],
        footer: FOOT.pt!,
      }),
    }),
  },
  {
    name: 'held-out: constructed Instagram "accepted your follow request" (en)',
    platform: 'instagram',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Instagram', address: 'no-reply@mail.instagram.com' },
      subject: 'noah.bennett.photo accepted your follow request',
      date: 'Sun, 13 Oct 2024 10:22:44 -0700',
      messageId: hexId('accepted-noah'),
      headers: igHeaders('ig_follow_request_approved', '729b80aecd6cG24bc2cdafa4000G729b80b7f9e0cG9cb'),
      html: platformHtml({
        lang: 'en',
        preheader: 'You can now see their posts',
        logo: LOGO,
        accent: BLUE,
        heading: 'noah.bennett.photo accepted your follow request',
        lines: ['You can now see their photos and videos.'],
        buttons: [['See profile', 'https://www.instagram.com/noah.bennett.photo/?utm_medium=email']],
        footer: FOOT.en!,
      }),
    }),
  },
  {
    name: 'held-out: constructed Instagram unseen notifications reminder (de)',
    platform: 'instagram',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'Instagram', address: 'no-reply@mail.instagram.com' },
      subject: 'Du hast 4 ungelesene Benachrichtigungen',
      date: 'Tue, 04 Mar 2025 16:30:00 -0800',
      messageId: hexId('unseen-de-mar'),
      headers: igHeaders('ig_unseen_notifications', '73ac91bfde7dG24bc2cdafa4000G73ac91c8a0f1dGadc'),
      html: platformHtml({
        lang: 'de',
        preheader: 'lena.vogel und 3 weitere haben mit deinen Beiträgen interagiert',
        logo: LOGO,
        accent: BLUE,
        heading: 'Sieh dir an, was du verpasst hast',
        lines: ['lena.vogel und 3 weitere Personen haben deinen Beitrag mit „Gefällt mir“ markiert.'],
        buttons: [['Benachrichtigungen ansehen', 'https://www.instagram.com/accounts/activity/?utm_medium=email']],
        footer: FOOT.de!,
      }),
    }),
  },
  {
    name: 'held-out: constructed phishing imitating Instagram (en), copyright notice from a look-alike domain',
    platform: 'instagram',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Instagram', address: 'no-reply@instagram-copyrightcenter.com' },
      subject: 'Copyright Infringement Notice – action required within 24 hours',
      date: 'Fri, 21 Feb 2025 02:40:12 +0000',
      messageId: '<20250221024012.a77f@instagram-copyrightcenter.com>',
      headers: { 'Authentication-Results': passed('instagram-copyrightcenter.com') },
      text: [
        'Hi morgan.example,',
        '',
        'We have received a copyright complaint about one of your posts. If you believe this is a mistake, you must submit an objection form within 24 hours or your account will be permanently deleted.',
        '',
        'Submit objection: https://instagram-copyrightcenter.com/appeal?u=morgan.example',
        '',
        'Instagram Copyright Team',
      ].join('\n'),
    }),
  },
];
