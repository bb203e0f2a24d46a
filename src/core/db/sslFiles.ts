/**
 * The certificate and key files of a TLS connection, found as libpq finds them: the ones the
 * connection's source names, else PGSSLROOTCERT, PGSSLCERT and PGSSLKEY, else libpq's own files
 * in ~/.postgresql when they exist. Reads them with messages that name the file and who named
 * it, never its text (a key).
 */
import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileErrorReason, UpkeepError } from '../util/errors';
import { headAndTail, printable } from '../util/printable';
import { readTextFileLimited } from '../util/textFile';

/** Far more than a certificate, a key or a bundle of CA certificates takes. */
export const MAX_SSL_FILE_BYTES = 1024 * 1024;

/** A connection parameter naming a file, with its libpq variable and its default file. */
export interface SslFileParam {
  param: 'sslrootcert' | 'sslcert' | 'sslkey' | 'sslcrl' | 'sslcrldir';
  variable: 'PGSSLROOTCERT' | 'PGSSLCERT' | 'PGSSLKEY' | 'PGSSLCRL' | 'PGSSLCRLDIR';
  /** The TLS option of pg (Node's tls) its text goes to. */
  option: 'ca' | 'cert' | 'key' | 'crl';
  /** What the file holds, for messages. */
  holds: string;
  /** libpq's file in ~/.postgresql, read when nothing names one. */
  defaultName: string;
}

export const SSL_FILES: readonly SslFileParam[] = [
  {
    param: 'sslrootcert',
    variable: 'PGSSLROOTCERT',
    option: 'ca',
    holds: 'CA certificate',
    defaultName: 'root.crt',
  },
  {
    param: 'sslcert',
    variable: 'PGSSLCERT',
    option: 'cert',
    holds: 'client certificate',
    defaultName: 'postgresql.crt',
  },
  {
    param: 'sslkey',
    variable: 'PGSSLKEY',
    option: 'key',
    holds: 'client key',
    defaultName: 'postgresql.key',
  },
];

/**
 * The certificate revocation list the server's certificate is checked against, read with a CA
 * only, as libpq reads it: sslcrl, else PGSSLCRL; else, when no folder of lists is named either
 * (SSL_CRL_DIR), ~/.postgresql/root.crl when it is there. Node's tls then checks every
 * certificate of the chain against its issuer's list, as libpq asks OpenSSL to (CRL_CHECK_ALL).
 */
export const SSL_CRL: SslFileParam = {
  param: 'sslcrl',
  variable: 'PGSSLCRL',
  option: 'crl',
  holds: 'certificate revocation list',
  defaultName: 'root.crl',
};

/**
 * libpq 14's folder of revocation lists (sslcrldir, else PGSSLCRLDIR), read beside sslcrl's file
 * when both are named, as OpenSSL's hashed folder: the lists in files named `<hash>.r<n>`
 * (`openssl rehash` names them so). It has no default.
 */
export const SSL_CRL_DIR: SslFileParam = {
  param: 'sslcrldir',
  variable: 'PGSSLCRLDIR',
  option: 'crl',
  holds: 'folder of certificate revocation lists',
  defaultName: '',
};

/** A certificate or key file to read, and who named it. */
export interface SslFile {
  /** Absolute path. */
  file: string;
  /** The path as it was written, when it was relative (for messages). */
  written?: string;
  /** `source`: the URL or database.yml; `variable`: PGSSL*; `default`: ~/.postgresql. */
  from: 'source' | 'variable' | 'default';
  /** The source (`config/database.yml, development`), the variable, or the default's name. */
  namedBy: string;
}

/**
 * The folder of libpq's default files: ~/.postgresql, HOME read from `env` (the environment
 * the connection is made with, as libpq reads it first), or %APPDATA%\postgresql on Windows.
 * Undefined when that variable is unset: libpq without a home folder reads no default file, and
 * Upkeep does not fall back to the account's home, which a test or a cron line did not choose.
 */
export function libpqFolder(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform === 'win32') {
    return env.APPDATA ? path.join(env.APPDATA, 'postgresql') : undefined;
  }
  return env.HOME ? path.join(env.HOME, '.postgresql') : undefined;
}

/** `~/.postgresql/<name>` as messages show it (the folder libpqFolder reads). */
export function shownDefault(name: string): string {
  return process.platform === 'win32' ? `%APPDATA%\\postgresql\\${name}` : `~/.postgresql/${name}`;
}

/**
 * libpq's default file `name` when something is there (as libpq, a stat that finds nothing is
 * no file; one that finds a file it cannot read is read, and refused in words).
 */
export function defaultSslFile(env: NodeJS.ProcessEnv, name: string): SslFile | undefined {
  const folder = libpqFolder(env);
  if (folder === undefined) return undefined;
  const file = path.join(folder, name);
  try {
    statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  }
  return { file, from: 'default', namedBy: shownDefault(name) };
}

/**
 * `file` as named by `from`: a relative path is read from the app folder (`folder`, the one
 * holding config/), not the process's. Rails runs there, so its libpq reads database.yml's and
 * DATABASE_URL's relative paths from there; the editor's process runs anywhere. Variables
 * (PGSSLROOTCERT=certs/ca.pem) are read from the same folder: a shell started in the app reads
 * them so too, and one rule for every source is the least surprising.
 */
export function namedSslFile(
  file: string,
  folder: string,
  from: 'source' | 'variable',
  namedBy: string,
): SslFile {
  if (path.isAbsolute(file)) return { file, from, namedBy };
  return { file: path.resolve(folder, file), written: file, from, namedBy };
}

/** Characters of a long path's head, and of its tail, a message shows. */
const PATH_END_CHARS = 120;

/**
 * A path named in the configuration, for a message: one line, whole up to 240 characters, else
 * its head and its tail (the file's name) around " … ". A variable or database.yml may name one
 * of any length: a megabyte made a megabyte of message, in the log and in a notification.
 */
export function shownFile(file: string): string {
  return headAndTail(printable(file), PATH_END_CHARS, PATH_END_CHARS, ' … ');
}

/** The path of `found` for a message: the written relative path, then where it was looked for. */
function shownPath(found: SslFile): string {
  const file = shownFile(found.file);
  return found.written === undefined ? file : `${shownFile(found.written)} (${file})`;
}

/** How a file of `param` is named in a message: "PGSSLKEY names …", "… names sslkey …". */
function naming(found: SslFile, param: SslFileParam): string {
  if (found.from === 'variable') return `${found.namedBy} names ${shownPath(found)}`;
  if (found.from === 'default') {
    return `libpq reads its default ${param.holds} ${shownPath(found)}`;
  }
  return `${found.namedBy} names ${param.param} ${shownPath(found)}`;
}

/** What to do about a file that cannot be used, by who named it. */
function fixHint(found: SslFile, param: SslFileParam): string {
  if (found.from === 'variable') {
    return `Point ${param.variable} at the ${param.holds} file itself, or unset it.`;
  }
  if (found.from === 'default') {
    return (
      `Make it a readable ${param.holds} file, or name another with ${param.param} ` +
      `(or ${param.variable}).`
    );
  }
  return (
    `Point ${param.param} at the ${param.holds} file itself; a relative path is read from ` +
    'the app folder (the one holding config/).'
  );
}

/**
 * The text of a certificate or key file, read as Upkeep reads any file it does not control: a
 * regular file of at most 1 MB. Missing or unreadable, it is refused naming who named it and
 * the path; its text (a key) is never shown.
 */
export async function readSslFile(found: SslFile, param: SslFileParam): Promise<string> {
  const named = naming(found, param);
  const hint = fixHint(found, param);
  let text: string | undefined;
  try {
    text = await readTextFileLimited(found.file, MAX_SSL_FILE_BYTES);
  } catch (error) {
    // The bounded reader's own refusals read "<file> is not a regular file" and the like.
    const reason = UpkeepError.is(error)
      ? error.message.slice(error.message.lastIndexOf(' is ') + 1)
      : `cannot be read (${fileErrorReason(error)})`;
    throw new UpkeepError('config', `${named}, which ${reason}; nothing was read from it.`, hint, {
      cause: error,
    });
  }
  if (text === undefined) {
    // libpq goes on without a revocation list it cannot find, checking no revocation at all:
    // one that was named is most likely a wrong path, and a revoked server would get through.
    const unchecked =
      param.option === 'crl' ? ': libpq would skip it and check no revocation at all' : '';
    throw new UpkeepError('config', `${named}, which does not exist${unchecked}.`, hint);
  }
  if (param.option === 'key') await refuseOpenKey(found.file, named);
  return text;
}

/** Files of a folder of revocation lists Upkeep reads; a hashed folder holds one per CA. */
const MAX_CRL_FILES = 256;

/** The names OpenSSL's hashed folder looks up revocation lists by: `<issuer hash>.r<n>`. */
const HASHED_CRL_NAME = /^[0-9a-f]{8}\.r\d{1,9}$/;

/**
 * The revocation lists of libpq's folder `found` (see SSL_CRL_DIR), one text per file named as
 * OpenSSL looks lists up. OpenSSL reads only the files of the hash of the issuer it checks;
 * this reads every such file, so a list filed under a wrong hash counts here and not for
 * libpq: Node's tls takes lists, not a folder. A folder that is missing, not a folder or holds
 * no list is refused in words: libpq would then fail every server's check for want of a list.
 */
export async function readCrlFolder(found: SslFile): Promise<string[]> {
  const named = naming(found, SSL_CRL_DIR);
  const hint = fixHint(found, SSL_CRL_DIR);
  let names: string[];
  try {
    names = await fs.readdir(found.file);
  } catch (error) {
    throw new UpkeepError(
      'config',
      `${named}, which ${fileErrorReason(error).replace(/^it /, '')}: libpq would find no ` +
        "list there and refuse every server's certificate.",
      hint,
      { cause: error },
    );
  }
  const lists = names.filter((name) => HASHED_CRL_NAME.test(name)).sort();
  if (lists.length === 0) {
    throw new UpkeepError(
      'config',
      `${named}, which holds no revocation list named as OpenSSL looks them up (<hash>.r0, as ` +
        "`openssl rehash` names them): libpq would refuse every server's certificate.",
      `Run openssl rehash ${shownFile(found.file)}, or name one list file with sslcrl.`,
    );
  }
  if (lists.length > MAX_CRL_FILES) {
    throw new UpkeepError(
      'config',
      `${named}, which holds ${lists.length} revocation lists; Upkeep reads at most ` +
        `${MAX_CRL_FILES}.`,
      'Keep the lists of the CAs that sign your servers in it.',
    );
  }
  const texts: string[] = [];
  for (const name of lists) {
    const file = path.join(found.file, name);
    // Named in messages as a file of the folder: "… names sslcrldir crls/1a2b3c4d.r0 (…)".
    const written = found.written === undefined ? undefined : path.join(found.written, name);
    texts.push(await readSslFile({ ...found, file, written }, SSL_CRL_DIR));
  }
  return texts;
}

/**
 * The PEM revocation lists of `texts`, one each. A file may hold several (a root's and an
 * intermediate's), and libpq's OpenSSL loads them all, while Node's tls takes the first of each
 * text it is given. A text with no PEM list is kept whole, for Node to refuse as it does.
 */
export function crlBlocks(texts: readonly string[]): string[] {
  const begin = '-----BEGIN X509 CRL-----';
  const end = '-----END X509 CRL-----';
  const blocks: string[] = [];
  for (const text of texts) {
    const before = blocks.length;
    // indexOf, not a lazy regular expression: a text of many BEGINs and no END stays linear.
    for (let at = text.indexOf(begin); at >= 0;) {
      const stop = text.indexOf(end, at + begin.length);
      if (stop < 0) break;
      blocks.push(text.slice(at, stop + end.length) + '\n');
      at = text.indexOf(begin, stop + end.length);
    }
    if (blocks.length === before) blocks.push(text);
  }
  return blocks;
}

/**
 * libpq's refusal of a key others may read, which psql gives as "has group or world access": a
 * key the root user owns may be read by its group (0640), any other by its owner alone (0600).
 * Windows has no such modes, and libpq checks none there.
 */
async function refuseOpenKey(file: string, named: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { uid, mode } = await fs.stat(file);
  const open = uid === 0 ? mode & 0o037 : mode & 0o077;
  if (open === 0) return;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  throw new UpkeepError(
    'config',
    `${named}, which others can read (mode ${octal}): libpq (psql, Rails) refuses such a key.`,
    `Make it readable by its owner alone: chmod 600 ${printable(file)} (640 for a key the root ` +
      'user owns and its group reads).',
  );
}

/**
 * libpq's refusal of a client certificate without its key, in words: a certificate is in use
 * and nothing names a key, so libpq looked for its default one, which is not there.
 */
export function missingDefaultKey(cert: SslFile, keyFile: string): UpkeepError {
  return new UpkeepError(
    'config',
    `The client certificate ${shownPath(cert)} has no key: nothing names one (sslkey, ` +
      `PGSSLKEY) and libpq's default ${shownFile(keyFile)} does not exist.`,
    `Name the key with sslkey (or PGSSLKEY), or put it at ${shownDefault('postgresql.key')}.`,
  );
}

/**
 * What to do when the server's certificate is not signed by the CA of `root`, the file the
 * chain was checked against, by who named it.
 */
export function unsignedHint(root: SslFile): string {
  const lead = "The server's certificate is not signed by the CA in";
  const file = shownFile(root.file);
  if (root.from === 'variable') {
    return `${lead} ${root.namedBy} (${file}): point ${root.namedBy} at the CA that signed it.`;
  }
  if (root.from === 'default') {
    return (
      `${lead} ${root.namedBy} (${file}), which libpq reads when nothing names a CA: put the CA ` +
      'that signed it there, or name that one with sslrootcert (or PGSSLROOTCERT).'
    );
  }
  return (
    `${lead} the sslrootcert of ${root.namedBy} (${file}): point sslrootcert at the CA that ` +
    'signed it.'
  );
}

/**
 * Refuses libpq 16's `sslrootcert=system` in words: the system's CA roots are OpenSSL's store
 * (/etc/ssl/certs, SSL_CERT_FILE, SSL_CERT_DIR), while Node trusts the list it was built with,
 * so Upkeep would check the server against other CAs than psql. `what` says who set it. Read as
 * a file, it was a file named `system` in the app folder, which does not exist.
 */
export function refuseSystemRoots(value: unknown, what: string): void {
  if (value !== 'system') return;
  throw new UpkeepError(
    'config',
    `${what} sets sslrootcert to system (libpq 16's trust in the system's CA certificates), ` +
      "which Upkeep does not support: Node trusts its own list of CAs, not the system's, and " +
      'would not check the server against the same ones as psql.',
    'Name a CA file with sslrootcert and write sslmode=verify-full: the system bundle itself ' +
      '(/etc/ssl/certs/ca-certificates.crt on Debian and Ubuntu) makes Upkeep and psql trust ' +
      'the same CAs.',
  );
}
