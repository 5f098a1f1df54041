import http from 'node:http';
import https from 'node:https';
import { checkedLookup, type UrlCheckOptions } from './address.ts';

/**
 * One HTTP POST of one webhook. The receiver gets a bounded share of Winnow's attention: the
 * whole exchange has a time limit, only the first bytes of its answer are read (the rest is cut
 * off), redirects are not followed (they could lead anywhere, the network inside included), and
 * the connection goes only to an address the check allows, looked up at this moment.
 */

export interface PostLimits extends UrlCheckOptions {
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface PostOutcome {
  /** A 2xx answer. */
  delivered: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
  /** The first bytes of the answer, as text. */
  response: string | null;
}

export function postWebhook(url: string, headers: Record<string, string>, body: string, limits: PostLimits): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<PostOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Winnow-Webhooks' },
      lookup: checkedLookup(limits),
      // A fresh connection each time: a kept-alive socket would skip the address check.
      agent: false,
    });
    const timer = setTimeout(() => finish({ delivered: false, status: null, error: `no answer within ${limits.timeoutMs / 1000} s`, response: null }), limits.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ delivered: false, status: null, error: error.code === 'EWEBHOOKADDRESS' ? error.message : `${error.code ?? 'error'}: ${error.message}`, response: null });
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const answered = () => {
        const text = Buffer.concat(chunks).subarray(0, limits.maxResponseBytes).toString('utf8');
        const delivered = status >= 200 && status < 300;
        finish({ delivered, status, error: delivered ? null : `the receiver answered ${status}`, response: text === '' ? null : text });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= limits.maxResponseBytes) answered();
      });
      response.on('end', answered);
      response.on('error', answered);
    });
    request.end(body);
  });
}
