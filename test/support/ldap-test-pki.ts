import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  /** The CA that signed the server certificate (trust this one). */
  readonly caFile: string;
  readonly caPem: string;
  /** A CA that signed nothing here: trusting only it must fail closed. */
  readonly otherCaFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A certificate authority made for this run with openssl, and a server certificate it signed for
 * `localhost` and 127.0.0.1 (not 127.0.0.2: a name mismatch to test). EC P-256 keys, one day.
 */
export function makeTestPki(dir: string): TestPki {
  const path = (name: string): string => join(dir, name);
  const ca = (name: string, subject: string): void => {
    openssl([
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
      subject,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.pem`),
    ]);
  };
  ca('ca', '/O=rc-bridge tests/CN=Test Directory CA');
  ca('other-ca', '/O=rc-bridge tests/CN=Unrelated CA');
  // OpenSSL 3's `req -x509 -CA` issues a certificate signed by the CA in one step.
  openssl([
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
    '/O=rc-bridge tests/CN=localhost',
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'extendedKeyUsage=serverAuth',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.pem'),
  ]);
  return {
    caFile: path('ca.pem'),
    caPem: readFileSync(path('ca.pem'), 'utf8'),
    otherCaFile: path('other-ca.pem'),
    certFile: path('server.pem'),
    keyFile: path('server.key'),
  };
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
