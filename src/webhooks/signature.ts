import { createHmac, randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX, webhookSecretKey, webhookSecretProblem } from '../config/webhook.ts';

/**
 * Signing as the Standard Webhooks specification says (standardwebhooks.com): the secret is
 * `whsec_` and the base64 of the key; the signature is `v1,` and the base64 of HMAC-SHA256 over
 * `id.timestamp.body`, so a receiver can check any webhook with that project's libraries.
 */

/** A new random secret for an endpoint. */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The three headers that sign one attempt; `timestamp` is the attempt's time in seconds. */
export function signatureHeaders(secret: string, id: string, timestamp: number, body: string): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const problem = webhookSecretProblem(secret);
  if (problem) throw new Error(`the webhook secret ${problem}`);
  const signature = createHmac('sha256', webhookSecretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}
