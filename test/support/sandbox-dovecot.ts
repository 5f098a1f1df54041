// A private Dovecot IMAP server for the test sandbox, configured from scratch in a temporary
// folder (no /etc/dovecot include), run in the foreground (-F) so that we own the master process.
//
//   const dovecot = await startDovecot(dir, [{ address: 'me@example.test', pass: 'secret' }]);
//   // IMAP on 127.0.0.1:dovecot.port, plain text, LOGIN / AUTH PLAIN with the password
//   await dovecot.shutdown();
//
// With `{ oauth2: provider.introspection }` (sandbox-oauth.ts) it also takes AUTH XOAUTH2 and
// OAUTHBEARER, checking each token at the provider's introspection endpoint on every login (no
// auth cache, so a revoked or expired token is refused at once); passwords keep working.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OAuthIntrospection } from './sandbox-oauth.ts';
import { descendantsOf, findExecutable, freePort, serialiser, spawnServer, tailOfFile, waitForServer, type ServerProcess } from './sandbox-process.ts';

const run = promisify(execFile);

/** The system user that owns sandbox mail when the tests run as root (Dovecot refuses uid 0). */
export const MAIL_SYSTEM_USER = 'winnow-mail';

export interface DovecotUser {
  address: string;
  pass: string;
}

export interface SandboxDovecot {
  port: number;
  /** Stops and starts the master on the same port: every IMAP connection is dropped. */
  restart(): Promise<void>;
  pids(): number[];
  logFile: string;
  /** Stops Dovecot for good; idempotent. */
  shutdown(): Promise<void>;
}

export interface DovecotOptions {
  /** Also accept OAuth2 access tokens (XOAUTH2, OAUTHBEARER) that this introspection endpoint says are active. */
  oauth2?: OAuthIntrospection;
}

interface Account {
  uid: number;
  gid: number;
  name: string;
}

/**
 * `name` becomes Dovecot's instance name, which its processes show in `ps`
 * (dovecot-NAME/imap), so a stray process can be traced to its sandbox folder.
 */
export async function startDovecot(dir: string, users: DovecotUser[], name = path.basename(dir), options: DovecotOptions = {}): Promise<SandboxDovecot> {
  const binary = findExecutable('dovecot');
  if (!binary) throw new Error('dovecot was not found (looked for /usr/sbin/dovecot): install the Debian package `dovecot-imapd` (apt-get install dovecot-imapd).');
  const version = await dovecotVersion(binary);

  const runDir = path.join(dir, 'run');
  const stateDir = path.join(dir, 'state');
  const mailDir = path.join(dir, 'mail');
  const logFile = path.join(dir, 'dovecot.log');
  const configFile = path.join(dir, 'dovecot.conf');
  const usersFile = path.join(dir, 'users');
  for (const folder of [dir, runDir, stateDir, mailDir]) mkdirSync(folder, { recursive: true });
  // Dovecot's auth process reads the users file as its own (unprivileged) user.
  chmodSync(dir, 0o755);

  const asRoot = process.getuid?.() === 0;
  const mailOwner = asRoot ? await ensureSystemUser(MAIL_SYSTEM_USER) : currentAccount();
  const internalUser = asRoot ? (accountByName('dovecot')?.name ?? MAIL_SYSTEM_USER) : mailOwner.name;
  const loginUser = asRoot ? (accountByName('dovenull')?.name ?? MAIL_SYSTEM_USER) : mailOwner.name;
  // Dovecot's Unix sockets get this group; without root it must be a group we are in.
  const internalGid = asRoot ? (accountByName(internalUser)?.gid ?? mailOwner.gid) : mailOwner.gid;
  const internalGroup = groupName(internalGid) ?? String(internalGid);

  const lines: string[] = [];
  for (const user of users) {
    const home = path.join(mailDir, user.address);
    mkdirSync(home, { recursive: true });
    if (asRoot) chownSync(home, mailOwner.uid, mailOwner.gid);
    // user:password:uid:gid:gecos:home:shell:extra
    lines.push(`${user.address}:{PLAIN}${user.pass}:${mailOwner.uid}:${mailOwner.gid}::${home}::`);
  }
  if (asRoot) chownSync(mailDir, mailOwner.uid, mailOwner.gid);
  writeFileSync(usersFile, lines.join('\n') + '\n', { mode: 0o644 });
  const oauth2File = options.oauth2 ? path.join(dir, 'dovecot-oauth2.conf.ext') : null;
  if (oauth2File && options.oauth2) writeFileSync(oauth2File, oauth2Config(options.oauth2), { mode: 0o644 });

  let port = 0;
  const configure = async () => {
    port = await freePort();
    const config = dovecotConfig({ name, version, runDir, stateDir, logFile, usersFile, oauth2File, port, asRoot, mailOwner, internalUser, internalGroup, loginUser });
    writeFileSync(configFile, config, { mode: 0o644 });
  };

  let server: ServerProcess | null = null;
  let closed = false;
  const serial = serialiser();

  const startNow = async () => {
    if (closed) throw new Error('the sandbox Dovecot has been shut down');
    const started = spawnServer(binary, ['-F', '-c', configFile], logFile);
    server = started;
    try {
      await waitForServer({
        port,
        // The greeting comes from an imap-login process, so this proves more than an open port.
        ready: (line) => line.startsWith('* OK'),
        timeoutMs: 10_000,
        exited: () => started.hasExited(),
        describe: () => `Dovecot ${version}, config ${configFile}, log ${logFile}:\n${tailOfFile(logFile)}`,
      });
    } catch (error) {
      await started.stop({ hard: true });
      throw new Error(`Dovecot did not start on 127.0.0.1:${port}: ${(error as Error).message}`, { cause: error });
    }
  };
  // Dovecot's own shutdown (SIGTERM) always sleeps 1 s after telling its children to close their
  // listeners. Nothing in the temporary folder needs a clean shutdown, so kill the whole process
  // tree at once: clients see their connections drop, as when a server crashes.
  const stopNow = async () => {
    await server?.stop({ hard: true });
  };

  // The port was free when we asked; another process may have bound it since. Try a new one.
  for (let attempt = 1; ; attempt++) {
    await configure();
    try {
      await serial(startNow);
      break;
    } catch (error) {
      if (attempt >= 3 || !/address already in use/i.test((error as Error).message)) throw error;
    }
  }
  return {
    port,
    logFile,
    restart: () => serial(async () => {
      await stopNow();
      await startNow();
    }),
    pids: () => {
      if (!server || server.hasExited()) return [];
      return [server.pid, ...descendantsOf(server.pid)];
    },
    shutdown: () => serial(async () => {
      closed = true;
      await stopNow();
    }),
  };
}

async function dovecotVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version']);
  return stdout.trim().split(/\s+/)[0] ?? '';
}

function isAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

function dovecotConfig(c: {
  name: string;
  version: string;
  runDir: string;
  stateDir: string;
  logFile: string;
  usersFile: string;
  oauth2File: string | null;
  port: number;
  asRoot: boolean;
  mailOwner: Account;
  internalUser: string;
  internalGroup: string;
  loginUser: string;
}): string {
  if (isAtLeast(c.version, 2, 4)) {
    // 2.4 renamed most of the settings used below (auth_allow_cleartext, mail_driver, passdb
    // names, ...). Debian 12 ships 2.3; write the 2.4 form when a machine actually has it.
    throw new Error(`Dovecot ${c.version} is installed; the test sandbox writes a Dovecot 2.3 configuration (Debian 12 ships 2.3).`);
  }
  // Without root, Dovecot cannot chroot or change user: every process runs as the current user.
  // Token tests provoke many refusals in a row from 127.0.0.1; Dovecot's growing penalty per IP
  // (2, 4, 8, up to 15 s per failure) would make each take longer than the last. The first
  // refusal's 2 s delay (auth_failure_delay) stays, as on a real server.
  const anvilSettings = [c.asRoot ? '' : '  chroot =', c.oauth2File ? '  unix_listener anvil-auth-penalty {\n    mode = 0\n  }' : ''].filter(Boolean);
  const anvil = anvilSettings.length > 0 ? `\nservice anvil {\n${anvilSettings.join('\n')}\n}\n` : '';
  const nonRoot = c.asRoot
    ? ''
    : `
service imap-login {
  chroot =
  user = ${c.loginUser}
}
service auth {
  user = ${c.internalUser}
}
service auth-worker {
  user = ${c.internalUser}
}
`;
  return `# Written by test/support/sandbox-dovecot.ts for one test sandbox; removed when it stops.
instance_name = ${c.name}
base_dir = ${c.runDir}
state_dir = ${c.stateDir}
log_path = ${c.logFile}
info_log_path = ${c.logFile}
log_timestamp = "%Y-%m-%d %H:%M:%S "

protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${c.oauth2File ? ' xoauth2 oauthbearer' : ''}
# No cache: every login asks the passdb, so a changed password or a revoked token counts at once.
auth_cache_size = 0

default_internal_user = ${c.internalUser}
default_internal_group = ${c.internalGroup}
default_login_user = ${c.loginUser}
first_valid_uid = ${Math.min(c.mailOwner.uid, 500)}
first_valid_gid = ${Math.min(c.mailOwner.gid, 1)}

passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${c.usersFile}
}
${
  c.oauth2File
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${c.oauth2File}
}
`
    : ''
}userdb {
  driver = passwd-file
  args = username_format=%u ${c.usersFile}
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  prefix =
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}

# Change notices: Dovecot waits 0.5 s after an inotify event before it tells IDLE clients (a
# constant in its source). This interval is only the fallback poll when inotify is missing.
mailbox_idle_check_interval = 1 secs
# "* OK Still here" while idling: a heartbeat that half-open-connection watchdogs can rely on.
imap_idle_notify_interval = 10 secs
# Tests open many connections per user (watcher, sandbox admin, assertions).
protocol imap {
  mail_max_userip_connections = 1000
}
# Start the processes a first login needs before anyone asks, so it does not pay their startup.
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${c.port}
  }
  inet_listener imaps {
    port = 0
  }
  process_min_avail = 1
}
${anvil}${nonRoot}`;
}

/**
 * Dovecot 2.3's oauth2 passdb settings: RFC 7662 introspection (POST token=..., the client's
 * credentials as HTTP Basic from the URL), the login name compared with the token's `email`.
 */
function oauth2Config(oauth2: OAuthIntrospection): string {
  const url = new URL(oauth2.introspectionUrl);
  url.username = encodeURIComponent(oauth2.clientId);
  url.password = encodeURIComponent(oauth2.clientSecret);
  return `# Written by test/support/sandbox-dovecot.ts for one test sandbox.
introspection_mode = post
introspection_url = ${url.href}
force_introspection = yes
username_attribute = email
active_attribute = active
active_value = true
timeout_msecs = 5000
`;
}

function parsePasswd(): Account[] {
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 4)
    .map((fields) => ({ name: fields[0] ?? '', uid: Number(fields[2]), gid: Number(fields[3]) }));
}

function groupName(gid: number): string | undefined {
  try {
    return readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find((fields) => Number(fields[2]) === gid)?.[0];
  } catch {
    return undefined;
  }
}

function accountByName(name: string): Account | undefined {
  return parsePasswd().find((account) => account.name === name);
}

function currentAccount(): Account {
  const info = os.userInfo();
  return { name: info.username, uid: info.uid, gid: info.gid };
}

/** Creates the system user if missing; safe when several test processes race to create it. */
async function ensureSystemUser(name: string): Promise<Account> {
  const useradd = findExecutable('useradd');
  for (let attempt = 0; attempt < 20; attempt++) {
    const existing = accountByName(name);
    if (existing) return existing;
    if (!useradd) break;
    await run(useradd, ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]).catch(
      // Exit 9: another process created it first. Exit 10: /etc/passwd is locked by that process.
      () => sleep(25 * (attempt + 1)),
    );
  }
  const created = accountByName(name);
  if (created) return created;
  throw new Error(`could not create the system user ${name} for sandbox mail (Dovecot never runs mail processes as root); run: useradd --system --user-group ${name}`);
}
