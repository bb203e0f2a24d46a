/**
 * Certificates made with the openssl CLI: self-signed ones for 127.0.0.1, for servers whose
 * certificate no CA signed (an app's HTTPS, PostgreSQL with SSL on), and a CA of the test's own
 * with certificates it signs (a server's, a client's), as RDS or a company CA gives them.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
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

export interface CertificateFiles {
  keyFile: string;
  certFile: string;
}

/** A CA named `name` (its key and its certificate, valid two days) in `folder`. */
export function certificateAuthority(folder: string, name: string): CertificateFiles {
  const keyFile = path.join(folder, `${name}.key`);
  const certFile = path.join(folder, `${name}.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile]
      .concat(['-days', '2', '-subj', `/CN=${name}`])
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
    { stdio: 'ignore' },
  );
  return { keyFile, certFile };
}

/**
 * A key and a certificate for `commonName` signed by `ca`, written into `folder` as `<name>.key`
 * and `<name>.pem`. `altName` is its subjectAltName (`IP:127.0.0.1`, `DNS:db.internal`), which
 * a server's certificate needs; a client's goes without.
 */
export async function signedCertificate(
  folder: string,
  ca: CertificateFiles,
  name: string,
  commonName: string,
  altName?: string,
): Promise<CertificateFiles> {
  const keyFile = path.join(folder, `${name}.key`);
  const certFile = path.join(folder, `${name}.pem`);
  const request = path.join(folder, `${name}.csr`);
  const extensions = path.join(folder, `${name}.ext`);
  execFileSync(
    'openssl',
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', request].concat([
      '-subj',
      `/CN=${commonName}`,
    ]),
    { stdio: 'ignore' },
  );
  await fs.writeFile(
    extensions,
    `basicConstraints=CA:FALSE\n${altName ? `subjectAltName=${altName}\n` : ''}`,
  );
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', request, '-CA', ca.certFile, '-CAkey', ca.keyFile].concat([
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '2',
      '-extfile',
      extensions,
    ]),
    { stdio: 'ignore' },
  );
  return { keyFile, certFile };
}

/**
 * A certificate revocation list `ca` signs, revoking `revoked` (none: a list that revokes
 * nothing), written into `folder` as `<name>.crl` with openssl's own CA bookkeeping beside it.
 */
export async function revocationList(
  folder: string,
  ca: CertificateFiles,
  name: string,
  revoked: CertificateFiles[],
): Promise<string> {
  const config = path.join(folder, `${name}-ca.cnf`);
  const index = path.join(folder, `${name}-index.txt`);
  const serial = path.join(folder, `${name}-crlnumber`);
  await fs.writeFile(index, '');
  await fs.writeFile(serial, '01\n');
  await fs.writeFile(
    config,
    `[ca]\ndefault_ca = list\n[list]\ndatabase = ${index}\ncrlnumber = ${serial}\n` +
      'default_md = sha256\ndefault_crl_days = 2\n',
  );
  const signer = ['-config', config, '-keyfile', ca.keyFile, '-cert', ca.certFile];
  for (const certificate of revoked) {
    execFileSync('openssl', ['ca', ...signer, '-revoke', certificate.certFile], {
      stdio: 'ignore',
    });
  }
  const file = path.join(folder, `${name}.crl`);
  execFileSync('openssl', ['ca', ...signer, '-gencrl', '-out', file], { stdio: 'ignore' });
  return file;
}
