import { configProblems } from '../support/config.ts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { GOOGLE_ISSUER, microsoftIssuer, oauthProviders } from '../../src/mailboxes/oauth-providers.ts';

const base = {
  IMAP_HOST: 'imap.example.com',
  IMAP_USER: 'ada@example.com',
  IMAP_PASS: 'app-password',
  SMTP_HOST: 'smtp.example.com',
  MAIL_FROM: 'Ada Lovelace <ada@example.com>',
  DASHBOARD_PASSWORD: 'correct horse',
};


describe('the providers a mailbox can sign in with', () => {
  it('offers none without client ids', () => {
    expect(oauthProviders(loadConfig(base).oauth)).toEqual([]);
  });

  it('offers Google with its issuer, the full mail scope, offline access with consent, and Gmail\'s servers', () => {
    const [google, ...others] = oauthProviders(loadConfig({ ...base, GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'secret' }).oauth);
    expect(others).toEqual([]);
    expect(google).toMatchObject({ id: 'google', issuer: GOOGLE_ISSUER, clientId: 'id.apps.googleusercontent.com', authorizationParams: { access_type: 'offline', prompt: 'consent' } });
    expect(google!.scopes.join(' ')).toBe('openid email https://mail.google.com/');
    expect(google!.imap).toEqual({ host: 'imap.gmail.com', port: 993, secure: true });
    expect(google!.smtp).toEqual({ host: 'smtp.gmail.com', port: 465, secure: true });
  });

  it('offers Microsoft on the common tenant by default, with the Outlook IMAP and SMTP scopes and offline access, and SMTP on 587 with STARTTLS', () => {
    const [microsoft] = oauthProviders(loadConfig({ ...base, MICROSOFT_CLIENT_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_CLIENT_SECRET: 'secret' }).oauth);
    expect(microsoft).toMatchObject({ id: 'microsoft', issuer: 'https://login.microsoftonline.com/common/v2.0' });
    expect(microsoft!.scopes).toEqual(['openid', 'email', 'offline_access', 'https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send']);
    expect(microsoft!.imap).toEqual({ host: 'outlook.office365.com', port: 993, secure: true });
    expect(microsoft!.smtp).toEqual({ host: 'smtp.office365.com', port: 587, secure: false });
  });

  it('uses the tenant of MICROSOFT_TENANT in the issuer', () => {
    const [microsoft] = oauthProviders(loadConfig({ ...base, MICROSOFT_CLIENT_ID: 'app', MICROSOFT_CLIENT_SECRET: 'secret', MICROSOFT_TENANT: 'contoso.onmicrosoft.com' }).oauth);
    expect(microsoft!.issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(microsoftIssuer('organizations')).toBe('https://login.microsoftonline.com/organizations/v2.0');
  });

  it('lists both, Google first, and takes another issuer that speaks the same', () => {
    const providers = oauthProviders(
      loadConfig({ ...base, GOOGLE_CLIENT_ID: 'g', GOOGLE_CLIENT_SECRET: 's', GOOGLE_ISSUER: 'http://127.0.0.1:4000/', MICROSOFT_CLIENT_ID: 'm', MICROSOFT_CLIENT_SECRET: 's', MICROSOFT_ISSUER: 'https://id.example.org' }).oauth,
    );
    expect(providers.map((provider) => [provider.id, provider.issuer])).toEqual([
      ['google', 'http://127.0.0.1:4000'],
      ['microsoft', 'https://id.example.org'],
    ]);
  });
});

describe('the sign-in settings', () => {
  it('refuses a client id without its secret, naming both', () => {
    expect(configProblems({ ...base, GOOGLE_CLIENT_ID: 'g' })).toEqual([expect.stringContaining('GOOGLE_CLIENT_ID is set but GOOGLE_CLIENT_SECRET is not')]);
    expect(configProblems({ ...base, MICROSOFT_CLIENT_SECRET: 's' })).toEqual([expect.stringContaining('MICROSOFT_CLIENT_SECRET is set but MICROSOFT_CLIENT_ID is not')]);
  });

  it('refuses a plain-http issuer that is not on this machine, and a tenant that is no tenant', () => {
    const problems = configProblems({ ...base, GOOGLE_ISSUER: 'http://id.example.org', MICROSOFT_TENANT: 'a/b' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^GOOGLE_ISSUER="http:\/\/id.example.org" must be an https address/);
    expect(problems[1]).toMatch(/^MICROSOFT_TENANT="a\/b" must be common, organizations/);
  });

  it('never shows a client secret in a problem', () => {
    const problems = configProblems({ ...base, GOOGLE_CLIENT_SECRET: 'very-secret-value' });
    expect(problems.join('\n')).not.toContain('very-secret-value');
  });
});
