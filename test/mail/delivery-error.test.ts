import { describe, expect, it } from 'vitest';
import { classifyDeliveryError } from '../../src/mail/delivery-error.ts';

/** An error shaped like nodemailer's: code, response, responseCode, command. */
function smtpError(message: string, fields: { code?: string; response?: string; responseCode?: number; command?: string }) {
  return Object.assign(new Error(fields.response ? `${message}: ${fields.response}` : message), fields);
}

function rejection(responseCode: number, command = 'RCPT TO') {
  const response = `${responseCode} ${responseCode >= 500 ? '5' : '4'}.0.0 reason from the server`;
  return smtpError('Recipient command failed', { code: 'EENVELOPE', response, responseCode, command });
}

describe('classifyDeliveryError', () => {
  it.each([421, 450, 451, 452])('retries an SMTP %i reply', (responseCode) => {
    expect(classifyDeliveryError(rejection(responseCode))).toMatchObject({ permanent: false, code: responseCode, kind: 'transient' });
  });

  it.each([550, 552, 553, 554])('gives up on an SMTP %i reply', (responseCode) => {
    const verdict = classifyDeliveryError(rejection(responseCode));
    expect(verdict).toMatchObject({ permanent: true, code: responseCode, kind: 'permanent' });
    expect(verdict.reason).toMatch(new RegExp(`^recipient rejected \\(.*${responseCode}`));
  });

  it('gives up on a 554 after DATA and names the message', () => {
    const error = smtpError('Message failed', { code: 'EMESSAGE', response: '554 5.7.1 Spam detected', responseCode: 554, command: 'DATA' });
    expect(classifyDeliveryError(error)).toMatchObject({ permanent: true, code: 554, reason: expect.stringMatching(/^message rejected/) });
  });

  it('reads the code from the response text when responseCode is missing', () => {
    expect(classifyDeliveryError({ response: '550 5.1.1 User unknown' })).toMatchObject({ permanent: true, code: 550 });
  });

  it('retries a 503 out-of-sequence reply, as emailengine does', () => {
    expect(classifyDeliveryError(rejection(503, 'DATA'))).toMatchObject({ permanent: false, code: 503 });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EDNS', 'ESOCKET', 'ECONNECTION', 'EAI_AGAIN'])('retries a %s network error', (code) => {
    const verdict = classifyDeliveryError(smtpError(`connect ${code} 127.0.0.1:25`, { code }));
    expect(verdict).toMatchObject({ permanent: false, code: null, kind: 'transient' });
    expect(verdict.reason).toContain(code);
  });

  it('retries a greeting timeout', () => {
    const error = smtpError('Greeting never received', { code: 'ETIMEDOUT', command: 'CONN' });
    expect(classifyDeliveryError(error)).toMatchObject({ permanent: false, kind: 'transient' });
  });

  it('retries a refused connection reported as an AggregateError', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED ::1:25'), { code: 'ECONNREFUSED' });
    expect(classifyDeliveryError(new AggregateError([inner]))).toMatchObject({ permanent: false, kind: 'transient', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('keeps the message waiting when the SMTP login fails, and says so', () => {
    const error = smtpError('Invalid login', { code: 'EAUTH', response: '535 5.7.8 Authentication credentials invalid', responseCode: 535, command: 'AUTH PLAIN' });
    const verdict = classifyDeliveryError(error);
    expect(verdict).toMatchObject({ permanent: false, code: 535, kind: 'settings' });
    expect(verdict.reason).toMatch(/^SMTP login failed .*535.*SMTP_USER and SMTP_PASS/);
  });

  it('treats missing credentials and "authentication required" as a login problem', () => {
    expect(classifyDeliveryError(smtpError('Missing credentials for "PLAIN"', { code: 'EAUTH', command: 'API' }))).toMatchObject({ permanent: false, kind: 'settings' });
    expect(classifyDeliveryError(smtpError('Mail command failed', { code: 'EENVELOPE', response: '530 5.7.0 Authentication required', responseCode: 530, command: 'MAIL FROM' }))).toMatchObject({ permanent: false, kind: 'settings' });
  });

  it('does not fail the message when TLS or the session itself fails', () => {
    expect(classifyDeliveryError(smtpError('Error initiating TLS', { code: 'ETLS', command: 'STARTTLS' }))).toMatchObject({ permanent: false, kind: 'settings' });
    expect(classifyDeliveryError(smtpError('Invalid greeting', { code: 'EPROTOCOL', response: '554 No SMTP service here', responseCode: 554, command: 'CONN' }))).toMatchObject({ permanent: false, code: 554, kind: 'settings' });
  });

  it('gives up on an envelope without a recipient', () => {
    const verdict = classifyDeliveryError(smtpError('No recipients defined', { code: 'EENVELOPE', command: 'API' }));
    expect(verdict).toMatchObject({ permanent: true, code: null, reason: 'invalid envelope (No recipients defined)' });
  });

  it('retries an error it does not know, and never throws on odd input', () => {
    for (const odd of [new Error('boom'), 'boom', undefined, null, 42, {}, { responseCode: 'x' }]) {
      expect(classifyDeliveryError(odd)).toMatchObject({ permanent: false, code: null });
    }
  });

  it('keeps the reason on one short line', () => {
    const error = rejection(550);
    error.message = `550-first line\r\n550-${'x'.repeat(1000)}\r\n550 last`;
    const { reason } = classifyDeliveryError(error);
    expect(reason).not.toMatch(/[\r\n]/);
    expect(reason.length).toBeLessThanOrEqual(300);
  });
});
