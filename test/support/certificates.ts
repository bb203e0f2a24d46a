/**
 * Self-signed certificates for 127.0.0.1 made with the openssl CLI, for servers whose
 * certificate no CA signed: an app's HTTPS, PostgreSQL with SSL on.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** Writes a key and a certificate valid for `days` into `folder`; returns their paths. */
export function selfSignedCertificate(
  folder: string,
  days: number,
): { keyFile: string; certFile: string } {
  const keyFile = path.join(folder, `key-${days}.pem`);
  const certFile = path.join(folder, `cert-${days}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      String(days),
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile };
}
