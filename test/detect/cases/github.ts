import { mail, passed, type DetectionCase } from './support.ts';

/** Constructed GitHub mail (GitHub writes in English only): a new follower, and what is not one. */
export const GITHUB_CASES: DetectionCase[] = [
  {
    name: 'constructed: GitHub new follower, English',
    platform: 'github',
    language: 'en',
    expect: 'request',
    requester: { name: 'Octo Cat', profileUrl: 'https://github.com/octocat', email: null },
    flags: [],
    reason: /^GitHub follow$/,
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] octocat is now following you',
      headers: { 'Authentication-Results': passed('github.com') },
      text: 'octocat (Octo Cat) is now following you on GitHub.\n\nCheck out their profile: https://github.com/octocat\n\n---\nYou are receiving this because you chose to be told about new followers.\nhttps://github.com/settings/notifications',
    }),
  },
  {
    name: 'constructed: GitHub new follower without Authentication-Results',
    platform: 'github',
    language: 'en',
    expect: 'request',
    requester: { name: 'hubot', profileUrl: 'https://github.com/hubot' },
    flags: ['unverified'],
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] hubot is now following you',
      text: 'hubot is now following you.\n\nhttps://github.com/hubot',
    }),
  },
  {
    name: 'constructed: GitHub star notification',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'octocat', address: 'notifications@github.com' },
      subject: '[example/timber] octocat starred your repository',
      headers: { 'X-GitHub-Reason': 'subscribed', 'List-ID': 'example/timber <timber.example.github.com>', 'Authentication-Results': passed('github.com') },
      text: 'octocat starred example/timber.',
    }),
  },
  {
    name: 'constructed: GitHub security alert',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github.com' },
      subject: '[GitHub] A new public key was added to your account',
      headers: { 'Authentication-Results': passed('github.com') },
      text: 'A new public key was added to your account. If you did not add it, remove it.',
    }),
  },
  {
    name: 'constructed: follower notice from the look-alike github-notifications.com',
    platform: 'github',
    language: 'en',
    expect: 'not-request',
    reason: /imitates github\.com/,
    build: mail({
      from: { name: 'GitHub', address: 'noreply@github-notifications.com' },
      replyTo: 'octocat@example.net',
      subject: '[GitHub] octocat is now following you',
      text: 'octocat is now following you.',
    }),
  },
];
