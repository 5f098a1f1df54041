import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { until } from './winnow.ts';

/** One webhook as a receiver got it: its headers, its body, and whether the signature held. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The body as standardwebhooks verified it with the receiver's secret; null when verification failed. */
  event: { type: string; timestamp: string; data: Record<string, unknown> } | null;
  /** Why verification failed; null when it held. */
  verifyError: string | null;
  /** The status the receiver answered with. */
  status: number;
}

export interface ReceiverOptions {
  secret: string;
  /** The status for the n-th request (1 for the first); default 200 for all. */
  answer?: (n: number) => number;
  /** What to write after the status (default "ok"); a function of the request number. */
  body?: (n: number) => string;
  /** Never answer: the request hangs until the receiver closes. */
  silent?: boolean;
}

/** A real HTTP server on 127.0.0.1 that verifies every webhook with the standardwebhooks library. */
export async function startWebhookReceiver(options: ReceiverOptions) {
  const received: ReceivedWebhook[] = [];
  const verifier = new Webhook(options.secret);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(request.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
      };
      let event: ReceivedWebhook['event'] = null;
      let verifyError: string | null = null;
      try {
        event = verifier.verify(body, headers) as ReceivedWebhook['event'];
      } catch (error) {
        verifyError = (error as Error).message;
      }
      const n = received.length + 1;
      const status = options.answer?.(n) ?? 200;
      received.push({ id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, event, verifyError, status });
      if (options.silent) return;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(options.body?.(n) ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks/winnow`,
    received,
    /** Resolves once `count` webhooks came. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedWebhook[]> {
      await until(() => received.length >= count, timeoutMs, `${count} webhook(s) at the receiver`);
      return received;
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
