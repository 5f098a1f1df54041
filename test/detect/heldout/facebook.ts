/**
 * Held-out Facebook cases. Constructed: built with the project's mail helpers for this held-out
 * set, without looking at the classifier's rules. Shapes come from real Facebook headers published
 * in a 2010 spam analysis (From `Facebook <notification+…@facebookmail.com>`, Reply-to noreply,
 * X-Mailer ZuckMail, `X-Facebook-Notify: friend; from=…; mailid=…`, X-FACEBOOK-PRIORITY,
 * Errors-To, subject "… wants to be friends on Facebook."), from real Meta headers in a public
 * Instagram sample (Feedback-ID `…:<type>:Facebook`, X-Auto-Response-Suppress: All, hex
 * Message-IDs), from sender addresses seen in public mail filters (friendupdates@,
 * friendsuggestion@, reminders@, security@facebookmail.com), and from general knowledge of the
 * localised wording.
 */
import { failed, mail, passed, type DetectionCase } from '../cases/support.ts';
import { platformHtml } from './html.ts';

const LOGO = { src: 'https://static.xx.fbcdn.net/rsrc.php/v3/yO/r/Yo5Ecxnp3qU.png', alt: 'Facebook', href: 'https://www.facebook.com/' };
const BLUE = '#1877f2';

function fbHeaders(notify: string, mailid: string, from?: string): Record<string, string> {
  return {
    'Authentication-Results': passed('facebookmail.com'),
    'X-Facebook': 'from 2a03:2880:20ff:77::face:b00c ([MTI3LjAuMC4x]) by www.facebook.com with HTTPS (ZuckMail);',
    'X-Mailer': 'ZuckMail [version 1.00]',
    'X-Facebook-Notify': `${notify};${from ? ` from=${from};` : ''} mailid=${mailid}`,
    'X-FACEBOOK-PRIORITY': '0',
    'X-Auto-Response-Suppress': 'All',
    'Feedback-ID': `0:${notify}:Facebook`,
    'List-Unsubscribe': `<https://www.facebook.com/o.php?k=AS1${mailid.slice(0, 8)}&u=100004417620931&mid=${mailid}&ee=AY3x>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'Errors-To': 'notification@facebookmail.com',
  };
}

function hexId(seed: string): string {
  const hex = Buffer.from(seed).toString('hex');
  return `<${hex.padEnd(32, 'a').slice(0, 32)}@${hex.padEnd(64, 'f').slice(0, 64)}>`;
}

const FOOT: Record<string, string[]> = {
  en: ['This message was sent to morgan@example.test. If you don\'t want to receive these emails from Meta in the future, please unsubscribe.', 'Meta Platforms Ireland Ltd., Attention: Community Support, Merrion Road, Dublin 4, D04 X2K5, Ireland'],
  de: ['Diese Nachricht wurde an morgan@example.test gesendet. Wenn du diese E-Mails von Meta künftig nicht mehr erhalten möchtest, kannst du sie abbestellen.', 'Meta Platforms Ireland Ltd., Attention: Community Support, Merrion Road, Dublin 4, D04 X2K5, Irland'],
  es: ['Este mensaje se envió a morgan@example.test. Si no quieres recibir estos correos electrónicos de Meta en el futuro, cancela la suscripción.', 'Meta Platforms Ireland Ltd., Attention: Community Support, Merrion Road, Dublin 4, D04 X2K5, Irlanda'],
  pt: ['Esta mensagem foi enviada para morgan@example.test. Se você não quiser receber esses emails da Meta no futuro, cancele a inscrição.', 'Meta Platforms, Inc., Attention: Community Support, 1 Meta Way, Menlo Park, CA 94025'],
  it: ['Questo messaggio è stato inviato a morgan@example.test. Se non vuoi più ricevere queste email da Meta, annulla l\'iscrizione.', 'Meta Platforms Ireland Ltd., Attention: Community Support, Merrion Road, Dublin 4, D04 X2K5, Irlanda'],
  fr: ['Ce message a été envoyé à morgan@example.test. Si vous ne souhaitez plus recevoir ces e-mails de Meta, veuillez vous désabonner.', 'Meta Platforms Ireland Ltd., Attention: Community Support, Merrion Road, Dublin 4, D04 X2K5, Irlande'],
};

interface FriendRequest {
  lang: string;
  name: string;
  fbid: string;
  subject: string;
  lines: string[];
  confirm: string;
  seeAll: string;
  date: string;
  mailid: string;
}

function friendRequest(r: FriendRequest): () => Promise<Buffer> {
  const confirm = `https://www.facebook.com/n/?friends%2Frequests%2F&profile_id=${r.fbid}&aref=1712345678&medium=email&mid=${r.mailid}&n_m=morgan%40example.test`;
  const seeAll = `https://www.facebook.com/n/?friends%2Frequests%2F&medium=email&mid=${r.mailid}`;
  const profile = `https://www.facebook.com/n/?profile.php&id=${r.fbid}&medium=email&mid=${r.mailid}`;
  const footer = FOOT[r.lang] ?? FOOT.en!;
  return mail({
    from: { name: 'Facebook', address: 'notification@facebookmail.com' },
    subject: r.subject,
    date: r.date,
    messageId: hexId(r.mailid + r.fbid),
    headers: fbHeaders('friend', r.mailid, r.fbid),
    text: [...r.lines, '', `${r.confirm}: ${confirm}`, `${r.seeAll}: ${seeAll}`, '', '========================================', ...footer].join('\n'),
    html: platformHtml({
      lang: r.lang,
      preheader: r.lines[0] ?? '',
      logo: LOGO,
      accent: BLUE,
      photo: { src: `https://scontent.xx.fbcdn.net/v/t39.30808-1/${r.fbid}_n.jpg`, href: profile, alt: r.name },
      heading: r.name,
      lines: r.lines,
      buttons: [
        [r.confirm, confirm],
        [r.seeAll, seeAll],
      ],
      footer,
      pixel: `https://www.facebook.com/email_open_log_pic.php?mid=${r.mailid}`,
    }),
  });
}

export const HELDOUT_CASES: DetectionCase[] = [
  {
    name: 'held-out: constructed Facebook friend request, 2012 shape (en), "wants to be friends on Facebook."',
    platform: 'facebook',
    language: 'en',
    expect: 'request',
    requester: { name: 'Ben Carter' },
    build: mail({
      from: { name: 'Facebook', address: 'notification+zj4oaxqwcodj@facebookmail.com' },
      replyTo: { name: 'noreply', address: 'noreply@facebookmail.com' },
      subject: 'Ben Carter wants to be friends on Facebook.',
      date: 'Wed, 14 Mar 2012 19:22:41 -0700',
      messageId: '<3f6c21a09b8e4d7e55f0c1d2a3b4c5d6@www.facebook.com>',
      headers: {
        'Authentication-Results': passed('facebookmail.com'),
        'X-Facebook': 'from zuckmail ([MTI3LjAuMC4x]) by www.facebook.com with HTTP (ZuckMail);',
        'X-Priority': '3',
        'X-Mailer': 'ZuckMail [version 1.00]',
        'X-Facebook-Notify': 'friend; from=100002238841902; mailid=5b0e2f1G3a7c9d12Gcb41707G2',
        'Errors-To': 'notification+zj4oaxqwcodj@facebookmail.com',
        'X-FACEBOOK-PRIORITY': '0',
      },
      text: [
        'Ben Carter wants to be friends with you on Facebook.',
        '',
        'Ben Carter',
        '4 mutual friends',
        '',
        'Confirm friend request:',
        'http://www.facebook.com/n/?reqs.php&mid=5b0e2f1G3a7c9d12Gcb41707G2&bcode=1.1331778161.AbnQ&n_m=morgan%40example.test',
        '',
        'Thanks,',
        'The Facebook Team',
        '',
        '___',
        'This message was sent to morgan@example.test. If you don\'t want to receive these emails from Facebook in the future, please click: http://www.facebook.com/o.php?k=AS2yG4&u=100004417620931&mid=5b0e2f1G3a7c9d12Gcb41707G2',
        'Facebook, Inc. Attention: Department 415 P.O Box 10005 Palo Alto CA 94303',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook friend request (en), "sent you a friend request"',
    platform: 'facebook',
    language: 'en',
    expect: 'request',
    requester: { name: 'Chloe Martin' },
    build: friendRequest({
      lang: 'en',
      name: 'Chloe Martin',
      fbid: '100089214477310',
      subject: 'Chloe Martin sent you a friend request',
      lines: ['Chloe Martin wants to be friends with you on Facebook.', 'Works at Harbour Street Bakery · Lives in Bristol', '2 mutual friends'],
      confirm: 'Confirm request',
      seeAll: 'See all requests',
      date: 'Sat, 02 Nov 2024 10:14:26 -0700',
      mailid: '61f2a8c44d0eG5af1e8b1G61f2ad6a99c1G2f3',
    }),
  },
  {
    name: 'held-out: constructed Facebook friend request (de), "hat dir eine Freundschaftsanfrage gesendet"',
    platform: 'facebook',
    language: 'de',
    expect: 'request',
    requester: { name: 'Lukas Schneider' },
    build: friendRequest({
      lang: 'de',
      name: 'Lukas Schneider',
      fbid: '100012894455761',
      subject: 'Lukas Schneider hat dir eine Freundschaftsanfrage gesendet',
      lines: ['Lukas Schneider möchte auf Facebook mit dir befreundet sein.', 'Wohnt in Leipzig', '1 gemeinsame/r Freund/in'],
      confirm: 'Anfrage bestätigen',
      seeAll: 'Alle Anfragen ansehen',
      date: 'Sun, 17 Mar 2024 20:41:03 -0700',
      mailid: '5f1a0b77c2e9G5af1e8b1G5f1a1198d4a0G1c2',
    }),
  },
  {
    name: 'held-out: constructed Facebook friend request (es)',
    platform: 'facebook',
    language: 'es',
    expect: 'request',
    requester: { name: 'Álvaro Gómez' },
    build: friendRequest({
      lang: 'es',
      name: 'Álvaro Gómez',
      fbid: '100004772901385',
      subject: 'Álvaro Gómez te envió una solicitud de amistad',
      lines: ['Álvaro Gómez quiere ser tu amigo en Facebook.', 'Estudió en Universidad de Sevilla', '6 amigos en común'],
      confirm: 'Confirmar solicitud',
      seeAll: 'Ver todas las solicitudes',
      date: 'Fri, 12 Jul 2024 13:05:59 -0700',
      mailid: '5f9c3d12e8b7G5af1e8b1G5f9c41a0c2d2G3a1',
    }),
  },
  {
    name: 'held-out: constructed Facebook friend request (pt-BR)',
    platform: 'facebook',
    language: 'pt',
    expect: 'request',
    requester: { name: 'Juliana Pereira' },
    build: friendRequest({
      lang: 'pt',
      name: 'Juliana Pereira',
      fbid: '100070338219846',
      subject: 'Juliana Pereira enviou uma solicitação de amizade para você',
      lines: ['Juliana Pereira quer ser sua amiga no Facebook.', 'Mora em Belo Horizonte', '3 amigos em comum'],
      confirm: 'Confirmar solicitação',
      seeAll: 'Ver todas as solicitações',
      date: 'Mon, 20 Jan 2025 18:33:12 -0800',
      mailid: '62b0f1e5d9a3G5af1e8b1G62b0f7c1a8b1G0e4',
    }),
  },
  {
    name: 'held-out: constructed Facebook friend request (it)',
    platform: 'facebook',
    language: 'it',
    expect: 'request',
    requester: { name: 'Francesca Ricci' },
    build: friendRequest({
      lang: 'it',
      name: 'Francesca Ricci',
      fbid: '100001957730214',
      subject: 'Francesca Ricci ti ha inviato una richiesta di amicizia',
      lines: ['Francesca Ricci vuole diventare tua amica su Facebook.', 'Vive a Bologna', '5 amici in comune'],
      confirm: 'Conferma richiesta',
      seeAll: 'Vedi tutte le richieste',
      date: 'Thu, 05 Sep 2024 09:58:40 -0700',
      mailid: '60e1a9b3c7d5G5af1e8b1G60e1b0f2e6a7G2b8',
    }),
  },

  // ---- not requests ----
  {
    name: 'held-out: constructed Facebook "accepted your friend request" (en)',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'notification@facebookmail.com' },
      subject: 'Chloe Martin accepted your friend request',
      date: 'Sun, 03 Nov 2024 08:01:44 -0800',
      messageId: hexId('accept-chloe-61f2'),
      headers: fbHeaders('friend_confirmed', '61f2b0d1e3a4G5af1e8b1G61f2b2c3d4e5G1a9', '100089214477310'),
      text: [
        'Chloe Martin accepted your friend request. You can now see what Chloe shares with friends.',
        '',
        'See Chloe\'s profile: https://www.facebook.com/n/?profile.php&id=100089214477310&medium=email',
        'Write on Chloe\'s timeline: https://www.facebook.com/n/?profile.php&id=100089214477310&sk=wall',
        '',
        ...FOOT.en!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook friend suggestions, "people you may know" (fr)',
    platform: 'facebook',
    language: 'fr',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'friendsuggestion@facebookmail.com' },
      subject: 'Vous connaissez peut-être Julien Moreau, Élodie Bernard et Hugo Petit',
      date: 'Tue, 11 Jun 2024 05:12:09 -0700',
      messageId: hexId('pymk-fr-julien'),
      headers: fbHeaders('friend_suggestion', '5f8a1c2d3e4fG5af1e8b1G5f8a1e0a1b2cG0d1'),
      text: [
        'Ajoutez des personnes que vous connaissez peut-être',
        '',
        'Julien Moreau — 7 amis en commun',
        'Ajouter : https://www.facebook.com/n/?friends%2Fsuggestions&add=100003812290471',
        '',
        'Élodie Bernard — 3 amis en commun',
        'Ajouter : https://www.facebook.com/n/?friends%2Fsuggestions&add=100027781100346',
        '',
        'Hugo Petit — 2 amis en commun',
        '',
        'Voir toutes les suggestions : https://www.facebook.com/n/?friends%2Fsuggestions',
        '',
        ...FOOT.fr!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook birthday reminder (en)',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'reminders@facebookmail.com' },
      subject: "Help Ben Carter celebrate their birthday today",
      date: 'Thu, 22 Aug 2024 04:00:13 -0700',
      messageId: hexId('bday-ben-carter'),
      headers: fbHeaders('birthday_reminder', '60c7a1b2c3d4G5af1e8b1G60c7a2e3f4a5G1f0'),
      text: [
        "Today is Ben Carter's birthday.",
        'Let Ben know you\'re thinking of them.',
        '',
        'Write on timeline: https://www.facebook.com/n/?profile.php&id=100002238841902&sk=wall&medium=email',
        '',
        ...FOOT.en!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook event invitation (es)',
    platform: 'facebook',
    language: 'es',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'notification@facebookmail.com' },
      subject: 'Álvaro Gómez te ha invitado a su evento «Barbacoa de verano»',
      date: 'Tue, 16 Jul 2024 11:20:00 -0700',
      messageId: hexId('event-alvaro'),
      headers: fbHeaders('plan_user_invited', '5f9d0a1b2c3dG5af1e8b1G5f9d0b2c3d4eG2c7'),
      text: [
        'Álvaro Gómez te ha invitado a un evento.',
        '',
        'Barbacoa de verano',
        'sábado, 27 de julio de 2024, 19:00',
        'Parque del Alamillo, Sevilla',
        '',
        'Asistiré: https://www.facebook.com/n/?events%2F1182337710098812&rsvp=going',
        'Me interesa: https://www.facebook.com/n/?events%2F1182337710098812&rsvp=maybe',
        '',
        ...FOOT.es!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook group invitation (de)',
    platform: 'facebook',
    language: 'de',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'groupupdates@facebookmail.com' },
      subject: 'Lukas Schneider hat dich eingeladen, der Gruppe „Laufgruppe Leipzig Süd“ beizutreten',
      date: 'Mon, 25 Mar 2024 17:45:30 -0700',
      messageId: hexId('group-lukas'),
      headers: fbHeaders('group_invite', '5f1b2c3d4e5fG5af1e8b1G5f1b3d4e5f6aG0a2'),
      text: [
        'Lukas Schneider hat dich eingeladen, der Gruppe „Laufgruppe Leipzig Süd“ beizutreten.',
        'Öffentliche Gruppe · 312 Mitglieder',
        '',
        'Gruppe beitreten: https://www.facebook.com/n/?groups%2F88120034511209&join=1',
        '',
        ...FOOT.de!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook login alert (en)',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'security@facebookmail.com' },
      subject: 'Login alert for Chrome on Mac OS X',
      date: 'Wed, 08 Jan 2025 23:12:40 -0800',
      messageId: hexId('login-alert-jan'),
      headers: { ...fbHeaders('login_alert', '62a1b2c3d4e5G5af1e8b1G62a1c3d4e5f6G0b3'), 'X-FACEBOOK-PRIORITY': '1' },
      text: [
        'Hi Morgan,',
        '',
        'We noticed a login to your account from a new device. Was this you?',
        '',
        'New login',
        'Chrome on Mac OS X · Lisbon, Portugal · January 8 at 11:12 PM',
        '',
        'This was me: https://www.facebook.com/n/?checkpoint%2Fconfirm&medium=email',
        "This wasn't me: https://www.facebook.com/n/?checkpoint%2Fsecure&medium=email",
        '',
        'Thanks,',
        'The Facebook Security Team',
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook friend activity digest (it)',
    platform: 'facebook',
    language: 'it',
    expect: 'not-request',
    build: mail({
      from: { name: 'Francesca su Facebook', address: 'friendupdates@facebookmail.com' },
      subject: 'Francesca Ricci ha aggiunto 14 foto all\'album «Dolomiti 2024»',
      date: 'Sun, 15 Sep 2024 12:30:51 -0700',
      messageId: hexId('friendupdates-francesca'),
      headers: fbHeaders('close_friend_activity', '60f2b3c4d5e6G5af1e8b1G60f2c4d5e6f7G1d4'),
      text: [
        'Francesca Ricci ha aggiunto 14 foto all\'album «Dolomiti 2024».',
        '',
        'Guarda le foto: https://www.facebook.com/n/?media%2Fset%2F&set=a.1020338811&medium=email',
        '',
        ...FOOT.it!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed Facebook Messenger message notification (pt)',
    platform: 'facebook',
    language: 'pt',
    expect: 'not-request',
    build: mail({
      from: { name: 'Juliana Pereira', address: 'notification@facebookmail.com' },
      subject: 'Juliana Pereira enviou uma mensagem para você',
      date: 'Tue, 21 Jan 2025 07:44:05 -0800',
      messageId: hexId('msg-juliana'),
      headers: fbHeaders('message', '62b1a2b3c4d5G5af1e8b1G62b1b3c4d5e6G2a0', '100070338219846'),
      text: [
        'Juliana Pereira',
        '"Oi! Obrigada por aceitar. Você vai no encontro de sábado?"',
        '',
        'Responder no Messenger: https://www.facebook.com/n/?messages%2Ft%2F100070338219846&medium=email',
        '',
        ...FOOT.pt!,
      ].join('\n'),
    }),
  },
  {
    name: 'held-out: constructed forged Facebook notification spam (en), facebookmail.com fails DKIM and DMARC',
    platform: 'facebook',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'Facebook', address: 'update+dtymgjriqknv@facebookmail.com' },
      replyTo: { name: 'Facebook', address: 'update+dtymgjriqknv@facebookmail.com' },
      subject: 'You have notifications pending',
      date: 'Thu, 16 Jan 2025 23:15:00 -0700',
      messageId: '<53365abd632d6d52eed06318304b59c1@www.facebook.com>',
      headers: {
        'Authentication-Results': failed('facebookmail.com'),
        'X-Mailer': 'ZuckMail [version 1.00]',
        'X-Facebook-Notify': 'stale_email; mailid=d2005b860446af88a804a830f15e92',
        'X-FACEBOOK-PRIORITY': '1',
      },
      text: [
        'Hi,',
        '',
        'You have 1 friend request and 3 messages waiting.',
        '',
        'To see your notifications, go to: http://fb-notice-center.shop/login.php?u=morgan',
        '',
        'Thanks,',
        'The Facebook Team',
      ].join('\n'),
    }),
  },
];
