// A port that speaks TLS from the first byte, as 993 (IMAPS) and 465 (SMTPS) do: an smtp-server
// with `secure: true` and the package's own self-signed certificate, on 127.0.0.1. Tests speak
// plain IMAP or SMTP to it to see what a client configured for a STARTTLS port meets there.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface TlsPort {
  port: number;
  close(): Promise<void>;
}

export async function startTlsPort(): Promise<TlsPort> {
  const server = new SMTPServer({ secure: true, authOptional: true, logger: false, disableReverseLookup: true, closeTimeout: 50 });
  // A client that never starts the handshake is what tests provoke; not an error of the test.
  server.on('error', () => {});
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
