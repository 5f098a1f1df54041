// Which part of Winnow may import which (`npm run lint` checks it). Dependencies point one way:
// down this list. A folder may import the folders on the lines above it and never one below it
// or beside it on the same line. docs/ARCHITECTURE.md says what each one holds.
const LAYERS = [
  ['text', 'vocabulary'], // the shared words: folds, escapes, names; platforms, statuses, flags, the Contact
  ['log', 'config'], // settings from the environment, advice for errors, the logger
  ['redis'], // the Redis connection
  ['metrics'], // the counts behind /metrics, kept in Redis by every process, and their Prometheus text
  ['mail', 'queues', 'store'], // a parsed message and our Message-IDs, SMTP and IMAP plumbing; queue names; Redis keys and scripts
  ['webhooks', 'mailboxes'], // signed webhooks: events, endpoints, deliveries on a queue of their own; the user's mailboxes as records, their secrets and ways in
  ['detect'], // pure recognition of requests, answers, bounces and auto-replies
  ['settings'], // the user's settings and the send window
  ['contacts', 'script'], // people and their lifecycle; the script and reminder templates
  ['mailbox', 'digest'], // watching the mailbox and its history; the digest
  ['workers'], // the queue processors
  ['web'], // the dashboard and API
  ['runtime'], // the composition root
  ['cli'], // the `winnow` command
];

const pathOf = (names) => `^src/(${names.join('|')})(/|\\.ts$)`;

const layerRules = LAYERS.map((layer, index) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} may import only what stands above it in .dependency-cruiser.mjs`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: pathOf(LAYERS.slice(index + 1).flat()) },
}));

const siblingRules = LAYERS.filter((layer) => layer.length > 1).flatMap((layer) =>
  layer.map((name) => ({
    name: `beside-${name}`,
    comment: `${name} may not import ${layer.filter((other) => other !== name).join(' or ')}, which stands beside it`,
    severity: 'error',
    from: { path: pathOf([name]) },
    to: { path: pathOf(layer.filter((other) => other !== name)) },
  })),
);

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...layerRules,
    ...siblingRules,
    { name: 'no-circular', severity: 'error', comment: 'modules that import each other', from: { path: '^src/' }, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
    { name: 'src-not-to-tests', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench|scripts)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'], conditionNames: ['import', 'node', 'default'], exportsFields: ['exports'] },
  },
};
