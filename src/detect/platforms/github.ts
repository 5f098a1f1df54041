import type { PlatformRules } from './rules.ts';

/**
 * GitHub follows: "[GitHub] janedoe is now following you" from GitHub <noreply@github.com>, the
 * body naming the follower and linking their profile. GitHub writes its mail in English only.
 * Every other GitHub mail (notifications about issues and pull requests from notifications@,
 * security alerts, receipts) is not a request.
 */

const HANDLE = String.raw`@?(?<handle>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})`;
const FOLLOWS = String.raw`(?:is now following you|started following you)`;

export const github: PlatformRules = {
  platform: 'github',
  request: 'a follow',
  person: 'follower',
  languages: ['en'],
  domains: ['github.com'],
  relatedDomains: ['githubusercontent.com', 'githubapp.com', 'github.io', 'githubassets.com', 'github.blog', 'githubstatus.com'],
  brands: [{ word: 'github', match: 'token' }],
  headerPrefixes: ['x-github-'],

  notRequest: [],

  requests: [
    {
      rule: 'github.new-follower',
      what: 'GitHub follow',
      text: { en: [new RegExp(String.raw`\b${FOLLOWS}\b`), /^\[GitHub\] You have a new follower\b/] },
    },
  ],

  extract: {
    notPersonName: [/^github$/i],
    subjectName: { en: [new RegExp(String.raw`^\[GitHub\] ${HANDLE} ${FOLLOWS}`)] },
    bodyName: {
      en: [
        new RegExp(String.raw`^${HANDLE} \((?<name>[^()\n]{1,80})\) ${FOLLOWS}`),
        new RegExp(String.raw`^(?<name>[^()\n]{1,80}?) \(${HANDLE}\) ${FOLLOWS}`),
        new RegExp(String.raw`^${HANDLE} ${FOLLOWS}`),
      ],
    },
    webHosts: ['github.com'],
    profiles: [
      {
        path: /^\/(?<key>(?!(?:settings|notifications|login|join|about|pricing|features|orgs|marketplace|explore|sponsors|site|contact|security|users|account)(?:\/|$))[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/?$/,
        url: 'https://github.com/{key}',
      },
    ],
    profileFromHandle: 'https://github.com/{handle}',
    connectionCount: { en: [/\b(?<count>\d{1,3}(?:,\d{3})+|\d{1,7}) followers\b/] },
  },
};
