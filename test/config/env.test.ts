import { configProblems } from '../support/config.ts';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadReadingConfig, readingConfigOf } from '../../src/config/env.ts';
import { classifyContextOf } from '../../src/detect/classify.ts';
import { formatDuration, parseDuration } from '../../src/config/duration.ts';

const valid = {
  IMAP_HOST: 'imap.example.com',
  IMAP_USER: 'ada@example.com',
  IMAP_PASS: 'app-password',
  SMTP_HOST: 'smtp.example.com',
  SMTP_USER: 'ada@example.com',
  SMTP_PASS: 'app-password',
  MAIL_FROM: 'Ada Lovelace <Ada@Example.com>',
  DASHBOARD_PASSWORD: 'correct horse',
};


describe('configuration', () => {
  it('reads a complete environment with the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config.imap).toMatchObject({ host: 'imap.example.com', port: 993, secure: true, mailbox: 'INBOX' });
    expect(config.smtp).toMatchObject({ port: 465, secure: true, user: 'ada@example.com' });
    expect(config.mailFrom).toEqual({ name: 'Ada Lovelace', address: 'ada@example.com' });
    expect(config.web.port).toBe(3000);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.responseDeadlineMs).toBe(7 * 86_400_000);
    expect(config.backfillDays).toBe(0);
  });

  it('believes no Authentication-Results until AUTHSERV_ID names the receiving server, and holds unverified senders for approval by default', () => {
    expect(loadConfig(valid)).toMatchObject({ authservId: null, unverifiedMail: 'approve', secret: null });
    expect(loadConfig({ ...valid, AUTHSERV_ID: ' MX.Example.ORG ', UNVERIFIED_MAIL: 'ignore' })).toMatchObject({ authservId: 'mx.example.org', unverifiedMail: 'ignore' });
    expect(loadConfig({ ...valid, UNVERIFIED_MAIL: 'accept' })).toMatchObject({ unverifiedMail: 'accept' });
    expect(() => loadConfig({ ...valid, UNVERIFIED_MAIL: 'maybe' })).toThrow(/UNVERIFIED_MAIL="maybe" must be approve, accept or ignore/);
  });

  it('takes WINNOW_SECRET of 16 characters or more, and refuses a shorter one', () => {
    expect(loadConfig({ ...valid, WINNOW_SECRET: 'a-secret-of-24-characters' })).toMatchObject({ secret: 'a-secret-of-24-characters' });
    expect(() => loadConfig({ ...valid, WINNOW_SECRET: 'short' })).toThrow(/WINNOW_SECRET=\*\*\* \(5 characters\) must be at least 16 characters/);
    expect(() => loadConfig({ ...valid, WINNOW_SECRET: 'short' })).not.toThrow(/short/);
    const problems = configProblems({ ...valid, UNVERIFIED_MAIL: 'maybe', AUTHSERV_ID: 'mx example' }).join('\n');
    expect(problems).toContain('UNVERIFIED_MAIL="maybe" must be approve, accept or ignore');
    expect(problems).toContain('AUTHSERV_ID="mx example" must be a host name');
  });

  it('takes METRICS_TOKEN of 16 characters or more, masked when refused; unset, /metrics falls back to API_TOKEN', () => {
    expect(loadConfig(valid).web.metricsToken).toBeNull();
    expect(loadConfig({ ...valid, METRICS_TOKEN: 'scrape-token-0123456789' }).web.metricsToken).toBe('scrape-token-0123456789');
    expect(configProblems({ ...valid, METRICS_TOKEN: 'short-token' })).toEqual(['METRICS_TOKEN=*** (11 characters) must be at least 16 characters']);
  });

  it('lists every problem at once, naming each setting', () => {
    const problems = configProblems({ IMAP_PORT: 'abc', RESPONSE_DEADLINE: 'soon', MAIL_FROM: 'not an address', DASHBOARD_PASSWORD: 'short' });
    const text = problems.join('\n');
    for (const name of ['IMAP_HOST', 'IMAP_USER', 'IMAP_PASS', 'SMTP_HOST', 'IMAP_PORT', 'RESPONSE_DEADLINE', 'MAIL_FROM', 'DASHBOARD_PASSWORD']) {
      expect(text).toContain(name);
    }
    expect(text).toContain('"soon" is not a duration');
  });

  it('wants a dashboard password of 12 characters or more', () => {
    expect(configProblems({ ...valid, DASHBOARD_PASSWORD: 'elevenchars' }).join()).toMatch(/DASHBOARD_PASSWORD=\*\*\* \(11 characters\) must be at least 12 characters/);
    expect(loadConfig({ ...valid, DASHBOARD_PASSWORD: 'twelve chars' }).web.dashboardPassword).toBe('twelve chars');
  });

  it('reads TRUST_PROXY as none, a hop count, or proxy addresses and ranges', () => {
    expect(loadConfig(valid).web.trustProxy).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: 'false' }).web.trustProxy).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: '1' }).web.trustProxy).toBe(1);
    expect(loadConfig({ ...valid, TRUST_PROXY: ' 10.0.0.2, 192.168.0.0/16 ,fd00::/8, loopback' }).web.trustProxy).toEqual(['10.0.0.2', '192.168.0.0/16', 'fd00::/8', 'loopback']);
  });

  it('refuses TRUST_PROXY=true, which would believe any address a client writes, and addresses that are not', () => {
    expect(configProblems({ ...valid, TRUST_PROXY: 'true' }).join()).toMatch(/TRUST_PROXY.*would believe any X-Forwarded-For/);
    const problems = configProblems({ ...valid, TRUST_PROXY: '10.0.0.300, 10.0.0.0/33, proxy.example' }).join('\n');
    expect(problems).toMatch(/"10\.0\.0\.300" is not an address/);
    expect(problems).toMatch(/"10\.0\.0\.0\/33" has a range size that is not 0 to 32/);
    expect(problems).toMatch(/"proxy\.example" is not an address/);
    expect(configProblems({ ...valid, TRUST_PROXY: '99' }).join()).toMatch(/from 1 to 10/);
  });

  it('says that SMTP_USER and SMTP_PASS go together, naming the one that is missing', () => {
    expect(configProblems({ ...valid, SMTP_PASS: '' })).toEqual(['SMTP_USER is set but SMTP_PASS is not: set both to log in to the SMTP server, or neither to send without a login']);
    expect(configProblems({ ...valid, SMTP_USER: '' })[0]).toMatch(/^SMTP_PASS is set but SMTP_USER is not/);
    expect(loadConfig({ ...valid, SMTP_USER: '', SMTP_PASS: '' }).smtp).toMatchObject({ user: null, pass: null });
  });

  it('sends no webhooks by default, and reads WEBHOOK_URL with a whsec_ secret as one receiver', () => {
    expect(loadConfig(valid).webhook).toEqual({ url: null, secret: null, allowPrivate: false });
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(loadConfig({ ...valid, WEBHOOK_URL: 'https://crm.example.org/hooks', WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: 'true' }).webhook).toEqual({
      url: 'https://crm.example.org/hooks',
      secret,
      allowPrivate: true,
    });
  });

  it('refuses a webhook secret that is not whsec_ and base64, a URL that is not http(s), and one without the other', () => {
    expect(configProblems({ ...valid, WEBHOOK_URL: 'https://crm.example.org/hooks', WEBHOOK_SECRET: 'hunter2hunter2' })).toEqual([
      'WEBHOOK_SECRET=*** (14 characters) must start with whsec_ followed by base64 (e.g. the output of: echo whsec_$(openssl rand -base64 32))',
    ]);
    expect(configProblems({ ...valid, WEBHOOK_URL: 'https://crm.example.org/hooks', WEBHOOK_SECRET: 'whsec_c2hvcnQ=' })).toEqual([
      'WEBHOOK_SECRET=*** (14 characters) must hold at least 24 bytes of key after whsec_ (32 characters of base64)',
    ]);
    expect(configProblems({ ...valid, WEBHOOK_URL: 'crm.example.org', WEBHOOK_SECRET: `whsec_${Buffer.alloc(32).toString('base64')}` })).toEqual([
      'WEBHOOK_URL="crm.example.org" is not a web address such as https://crm.example.org/hooks/winnow',
    ]);
    expect(configProblems({ ...valid, WEBHOOK_URL: 'https://crm.example.org/hooks' })).toEqual(['WEBHOOK_URL is set but WEBHOOK_SECRET is not: set both to send signed webhooks to one receiver, or neither']);
  });

  it('lists every problem in one pass, the paired settings among them, with each bad value shown and secrets masked', () => {
    const problems = configProblems({
      ...valid,
      IMAP_PORT: '99999',
      SMTP_PASS: '',
      DASHBOARD_PASSWORD: 'hunter2',
      API_TOKEN: 'tok-secret',
      REDIS_URL: 'http://:redis-secret@cache.example.com:6379',
      RESPONSE_DEADLINE: 'next week',
    });
    // All six at once, in any order.
    expect([...problems].sort()).toEqual([
      'IMAP_PORT="99999" must be between 1 and 65535',
      'SMTP_USER is set but SMTP_PASS is not: set both to log in to the SMTP server, or neither to send without a login',
      'REDIS_URL="http://:***@cache.example.com:6379" must start with redis:// or rediss://',
      'DASHBOARD_PASSWORD=*** (7 characters) must be at least 12 characters (several words make a good one)',
      'API_TOKEN=*** (10 characters) must be at least 16 characters',
      'RESPONSE_DEADLINE="next week" is not a duration such as 7d, 12h or 30s',
    ].sort());
    const text = problems.join('\n');
    for (const secret of ['hunter2', 'tok-secret', 'redis-secret']) expect(text).not.toContain(secret);
  });

  it('shows a value with a line break in it as such', () => {
    expect(configProblems({ ...valid, MAIL_FROM: 'Ada <ada@example.com>\nBcc: x@evil.test' })).toEqual(['MAIL_FROM="Ada <ada@example.com>\\nBcc: x@evil.test" is not an address such as "Ada Lovelace <ada@example.com>"']);
  });

  it('uses STARTTLS ports as such unless told otherwise', () => {
    expect(loadConfig({ ...valid, SMTP_PORT: '587' }).smtp.secure).toBe(false);
    expect(loadConfig({ ...valid, SMTP_PORT: '587', SMTP_SECURE: 'true' }).smtp.secure).toBe(true);
  });

  it('refuses a MAIL_FROM that would inject a header', () => {
    expect(configProblems({ ...valid, MAIL_FROM: 'Ada <ada@example.com>\r\nBcc: x@evil.test' }).join()).toContain('MAIL_FROM');
  });

  it('never shows a password in its message', () => {
    const message = (() => {
      try {
        loadConfig({ ...valid, IMAP_PORT: '0' });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('IMAP_PORT');
    expect(message).not.toContain('app-password');
  });

  it('gives a frozen result', () => {
    const config = loadConfig(valid);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.imap)).toBe(true);
  });
});

describe('durations', () => {
  it.each([
    ['7d', 604_800_000],
    ['12h', 43_200_000],
    ['30s', 30_000],
    ['1500ms', 1500],
    ['2w', 1_209_600_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each(['', '7', 'd7', '-1d', '0s', 'soon'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('duration settings', () => {
  it('refuse values the service could not honour', () => {
    const problems = configProblems({ ...valid, MAILBOX_LEASE: '1s', DEDUPE_WINDOW: '100000000000w', RESPONSE_DEADLINE: '400d' }).join('\n');
    expect(problems).toContain('MAILBOX_LEASE="1s" must be between 2s and 10m');
    expect(problems).toContain('DEDUPE_WINDOW="100000000000w" must be between 1m and 3650d');
    expect(problems).toContain('RESPONSE_DEADLINE="400d" must be between 1s and 365d');
  });
});

describe('the reading settings (winnow scan, which needs no mailbox)', () => {
  it('reads mail as nobody in particular when nothing is set, believing no server', () => {
    const context = classifyContextOf(loadReadingConfig({}));
    expect(context).toEqual({ ownAddresses: [], messageIdDomain: 'winnow.invalid', authservId: null, unverifiedMail: 'approve' });
  });

  it('knows the user by MAIL_FROM and the login, as the running service does', () => {
    const env = { ...valid, AUTHSERV_ID: 'MX.Example.com', UNVERIFIED_MAIL: 'ignore' };
    const alone = classifyContextOf(loadReadingConfig(env));
    expect(alone).toEqual(classifyContextOf(readingConfigOf(loadConfig(env))));
    expect(alone).toMatchObject({ ownAddresses: ['ada@example.com'], authservId: 'mx.example.com', unverifiedMail: 'ignore' });
  });

  it('refuses a wrong value with the same words as start, instead of reading mail some other way', () => {
    let error: unknown;
    try {
      loadReadingConfig({ AUTHSERV_ID: 'not a host!', UNVERIFIED_MAIL: 'sometimes', MAIL_FROM: 'nobody' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/AUTHSERV_ID="not a host!" must be a host name/);
    expect(problems).toMatch(/UNVERIFIED_MAIL="sometimes" must be approve, accept or ignore/);
    expect(problems).toMatch(/MAIL_FROM="nobody" is not an address/);
  });
});
