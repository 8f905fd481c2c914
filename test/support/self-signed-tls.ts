import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedTls {
  readonly port: number;
  /** TCP connections that reached the server (each one a TLS handshake attempt). */
  handshakes(): number;
  /** HTTP requests that got through a handshake. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 with a certificate nobody trusts (self-signed, made with openssl
 * for this run), answering every request with 200 `{"success":true}`.
 */
export async function startSelfSignedTls(): Promise<SelfSignedTls> {
  const dir = mkdtempSync(join(tmpdir(), 'rcbridge-tls-'));
  let key: Buffer;
  let cert: Buffer;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let connections = 0;
  let requests = 0;
  const server = createServer({ key, cert }, (_request, response) => {
    requests += 1;
    response.setHeader('content-type', 'application/json');
    response.end('{"success":true}');
  });
  server.on('connection', () => {
    connections += 1;
  });
  // A refused handshake is the client's doing; nothing to report here.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  return {
    port: (server.address() as AddressInfo).port,
    handshakes: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
