import type { Platform } from '../../../src/vocabulary/platforms.ts';
import { mail, passed } from '../cases/support.ts';

/**
 * Platform notices of a message from a person, for test/detect/messages.test.ts and
 * `npm run eval:detect`. All constructed (there is no real sample yet of a LinkedIn "just messaged
 * you", a Messenger, XING, X or Meetup message notice; the one real InMail is in the corpus and is
 * read from there). Shapes follow what the platforms are known to send: the subject sentence, the
 * sender's name and headline, the message, a button to the conversation, the footer.
 */
export interface MessageCase {
  name: string;
  platform: Platform;
  /** The sender's name the notice must give. */
  sender: string;
  /** Words the message text must contain; null when the notice shows none of it. */
  says: string | null;
  /** Words the text must not contain (the platform's own lines). */
  notSays?: string[];
  conversationUrl?: string | null;
  build(): Promise<Buffer>;
}

const LINKEDIN_FOOTER = ['', 'You are receiving Messaging notification emails.', '', '© 2026 LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA 94085.'];

export const MESSAGE_CASES: MessageCase[] = [
  {
    name: 'constructed: LinkedIn "just messaged you" (en)',
    platform: 'linkedin',
    sender: 'Priya Raman',
    says: 'We met at the Berlin product meetup',
    notSays: ['just messaged you', 'Head of Product', 'View message'],
    conversationUrl: 'https://www.linkedin.com/comm/messaging/thread/2-YjQ5ZmE0/',
    build: mail({
      from: { name: 'Priya Raman', address: 'messages-noreply@linkedin.com' },
      subject: 'Priya Raman just messaged you',
      headers: { 'Authentication-Results': passed('linkedin.com'), 'X-LinkedIn-Class': 'EMAIL-DEFAULT' },
      text: ['Hi Morgan,', '', 'Priya Raman just messaged you.', '', 'Priya Raman', 'Head of Product at Northwind', '', 'Thanks for your note! We met at the Berlin product meetup; I lead product at a logistics start-up.', '', 'View message: https://www.linkedin.com/comm/messaging/thread/2-YjQ5ZmE0/?trk=eml-view_message', ...LINKEDIN_FOOTER].join('\n'),
    }),
  },
  {
    name: 'constructed: LinkedIn "sent you a new message", From LinkedIn itself (en)',
    platform: 'linkedin',
    sender: 'Tom Becker',
    says: 'happy to explain',
    build: mail({
      from: { name: 'LinkedIn', address: 'messages-noreply@linkedin.com' },
      subject: 'Tom Becker sent you a new message',
      headers: { 'Authentication-Results': passed('linkedin.com') },
      text: ['Tom Becker sent you a new message', '', 'Sure, happy to explain. I sell cloud backup to small law firms.', '', 'Reply: https://www.linkedin.com/messaging/thread/2-ZmY0/', ...LINKEDIN_FOOTER].join('\n'),
    }),
  },
  {
    name: 'constructed: LinkedIn message (de)',
    platform: 'linkedin',
    sender: 'Lena Vogel',
    says: 'Steuerberatung',
    build: mail({
      from: { name: 'Lena Vogel', address: 'messages-noreply@linkedin.com' },
      subject: 'Lena Vogel hat Ihnen eine Nachricht gesendet',
      headers: { 'Authentication-Results': passed('linkedin.com') },
      text: ['Hallo Morgan,', '', 'Lena Vogel hat Ihnen eine Nachricht gesendet.', '', 'Lena Vogel', 'Steuerberaterin', '', 'Danke für die Nachricht! Ich arbeite in der Steuerberatung und suche Kontakte in der Gründerszene.', '', 'Nachricht anzeigen: https://www.linkedin.com/comm/messaging/thread/2-QmE3/', '', 'Sie erhalten Benachrichtigungen zu Nachrichten.'].join('\n'),
    }),
  },
  {
    name: 'constructed: LinkedIn message (fr)',
    platform: 'linkedin',
    sender: 'Camille Martin',
    says: 'agence de voyage',
    build: mail({
      from: { name: 'Camille Martin', address: 'messages-noreply@linkedin.com' },
      subject: 'Camille Martin vous a envoyé un message',
      headers: { 'Authentication-Results': passed('linkedin.com') },
      text: ['Bonjour Morgan,', '', 'Camille Martin vous a envoyé un message.', '', "Merci ! Je dirige une agence de voyage et j'aimerais échanger avec vous.", '', 'Voir le message : https://www.linkedin.com/comm/messaging/thread/2-Zk9/', '', 'Vous recevez des e-mails de notification.'].join('\n'),
    }),
  },
  {
    name: 'constructed: LinkedIn InMail reply, "RE:" subject, Reply-To relay (en)',
    platform: 'linkedin',
    sender: 'Rita Recruiter',
    says: 'building a team in Lisbon',
    conversationUrl: 'https://www.linkedin.com/messaging/thread/2-NzA1/',
    build: mail({
      from: { name: 'Rita Recruiter', address: 'inmail-hit-reply@linkedin.com' },
      replyTo: { name: 'Rita Recruiter', address: '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6@reply.linkedin.com' },
      subject: 'RE: Invitation to connect',
      headers: { 'Authentication-Results': passed('linkedin.com'), 'X-LinkedIn-Class': 'INMAIL', 'X-LinkedIn-Template': 'email_inmail_reply_01' },
      text: ['      Rita Recruiter', '        Reply', '        https://www.linkedin.com/messaging/thread/2-NzA1/', '', 'Hi Morgan,', '', 'Fair question! I am building a team in Lisbon and your name came up twice.', '', 'Rita', '', '----------------------------------------', '', 'This email was intended for Morgan Example (Engineer)', 'You are receiving LinkedIn notification emails.'].join('\n'),
    }),
  },
  {
    name: 'constructed: LinkedIn message notice that shows none of the message (en)',
    platform: 'linkedin',
    sender: 'Vikram Arikath',
    says: null,
    build: mail({
      from: { name: 'Vikram Arikath via LinkedIn', address: 'messaging-digest-noreply@linkedin.com' },
      subject: 'Vikram Arikath just messaged you',
      headers: { 'Authentication-Results': passed('linkedin.com') },
      text: 'Vikram Arikath just messaged you.\n\nView message: https://www.linkedin.com/comm/messaging/thread/123/',
    }),
  },
  {
    name: 'constructed: Facebook Messenger message (en)',
    platform: 'facebook',
    sender: 'Dana Fields',
    says: 'run a bakery',
    conversationUrl: 'https://www.facebook.com/messages/t/100004211220001',
    build: mail({
      from: { name: 'Facebook', address: 'notification@facebookmail.com' },
      subject: 'Dana Fields sent you a message',
      headers: { 'Authentication-Results': passed('facebookmail.com'), 'X-Facebook-Notify': 'msg; from=100004211220001; mailid=5b1e' },
      text: 'Dana Fields\n\nHi! I run a bakery down the street and we met at the market.\n\nView conversation on Facebook: https://www.facebook.com/messages/t/100004211220001\n\nThis message was sent to morgan@example.test.',
    }),
  },
  {
    name: 'constructed: Facebook message (de)',
    platform: 'facebook',
    sender: 'Jonas Weber',
    says: 'Fotograf',
    build: mail({
      from: { name: 'Facebook', address: 'notification@facebookmail.com' },
      subject: 'Jonas Weber hat dir eine Nachricht gesendet',
      headers: { 'Authentication-Results': passed('facebookmail.com'), 'X-Facebook-Notify': 'msg; from=100004211220002; mailid=5b2e' },
      text: 'Jonas Weber\n\nIch bin Fotograf und wir kennen uns vom Sportverein.\n\nAntworten: https://www.facebook.com/messages/t/100004211220002',
    }),
  },
  {
    name: 'constructed: XING message (de)',
    platform: 'xing',
    sender: 'Max Mustermann',
    says: 'Maschinenbau',
    build: mail({
      from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
      subject: 'Neue Nachricht von Max Mustermann',
      headers: { 'Authentication-Results': passed('mail.xing.com') },
      text: 'Hallo Morgan,\n\nMax Mustermann\nVertriebsleiter, Muster GmbH\n\nIch bin im Maschinenbau tätig und suche Partner für Messen.\n\nZur Nachricht: https://www.xing.com/chats/abc123\n\nSie erhalten diese E-Mail, weil Sie Mitglied bei XING sind.',
    }),
  },
  {
    name: 'constructed: XING message (en)',
    platform: 'xing',
    sender: 'Anna Schmidt',
    says: 'consultancy',
    build: mail({
      from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
      subject: 'Anna Schmidt sent you a message',
      headers: { 'Authentication-Results': passed('mail.xing.com') },
      text: 'Anna Schmidt\n\nI run an HR consultancy and would like to exchange ideas.\n\nReply: https://www.xing.com/chats/def456',
    }),
  },
  {
    name: 'constructed: X direct message (en), with the sender headers',
    platform: 'twitter',
    sender: 'Sky Walker',
    says: 'podcast',
    build: mail({
      from: { name: 'X', address: 'notify@x.com' },
      subject: 'Sky Walker (@skywalker) sent you a Direct Message',
      headers: { 'Authentication-Results': passed('x.com'), 'X-Twitteremailtype': 'direct_message', 'X-Twittersendername': 'Sky Walker', 'X-Twittersenderscreenname': 'skywalker' },
      text: 'Sky Walker (@skywalker) sent you a Direct Message\n\nHey, I host a podcast on design and would love to have you on.\n\nReply: https://x.com/messages/123-456\n\nSettings: https://x.com/settings',
    }),
  },
  {
    name: 'constructed: Meetup member message (en)',
    platform: 'meetup',
    sender: 'Chris Organiser',
    says: 'co-host',
    build: mail({
      from: { name: 'Meetup', address: 'info@meetup.com' },
      subject: 'Chris Organiser sent you a message',
      headers: { 'Authentication-Results': passed('meetup.com') },
      text: 'Chris Organiser sent you a message\n\nThanks! I organise the JavaScript group and am looking for a co-host.\n\nReply: https://www.meetup.com/messages/998877/\n\nManage your email settings: https://www.meetup.com/account/comm/',
    }),
  },
];

/** Look-alikes that must not be read as a message notice: requests above all. */
export const NOT_MESSAGE_CASES: Array<{ name: string; platform: Platform; build(): Promise<Buffer> }> = [
  {
    name: 'constructed: Meetup message request (a request, not a message)',
    platform: 'meetup',
    build: mail({
      from: { name: 'Meetup', address: 'info@meetup.com' },
      subject: 'Jamie Lee sent you a message request',
      headers: { 'Authentication-Results': passed('meetup.com') },
      text: 'Jamie Lee sent you a message request.\n\nAccept: https://www.meetup.com/messages/requests/1/',
    }),
  },
  {
    name: 'constructed: LinkedIn digest of several messages',
    platform: 'linkedin',
    build: mail({
      from: { name: 'LinkedIn', address: 'messaging-digest-noreply@linkedin.com' },
      subject: 'You have 3 new messages',
      headers: { 'Authentication-Results': passed('linkedin.com') },
      text: 'You have 3 new messages.\n\nView messages: https://www.linkedin.com/messaging/',
    }),
  },
];
