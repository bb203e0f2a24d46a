/**
 * Errors the core raises on purpose. Callers branch on `code`, never on message text; the
 * message says what happened and what to do next, and never carries a secret.
 */

type UpkeepErrorCode =
  | 'config'
  | 'not-found'
  | 'unreachable'
  | 'auth'
  | 'timeout'
  | 'cancelled'
  | 'untrusted'
  | 'tool-missing'
  | 'parse'
  | 'refused'
  | 'internal';

export class UpkeepError extends Error {
  constructor(
    readonly code: UpkeepErrorCode,
    message: string,
    /** What the user can do about it, shown under the message. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpkeepError';
  }

  static is(value: unknown, code?: UpkeepErrorCode): value is UpkeepError {
    return value instanceof UpkeepError && (code === undefined || value.code === code);
  }
}

/**
 * One line for a user: the message of an Error, or the value as text; an UpkeepError's hint
 * follows its message as a sentence of its own.
 */
export function describeError(error: unknown): string {
  if (error instanceof UpkeepError && error.hint) {
    // Messages such as "x is not a regular file" carry no full stop: "… file Make x …" read
    // as one sentence.
    const stop = /[.!?:…]$/.test(error.message) ? '' : '.';
    return `${error.message}${stop} ${error.hint}`;
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Why a file could not be read or written, in words for the common errno codes. */
export function fileErrorReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it does not exist';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a file is in the way';
    case 'ELOOP':
      return 'its symbolic links go round in a loop';
    case 'ENAMETOOLONG':
      // Node's own message quotes the whole name, which may be a megabyte from a variable.
      return 'its name is too long for the file system';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
  }
  return describeError(error);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UpkeepError('cancelled', 'Cancelled.');
}

/** `EACCES: permission denied`: the code to search for, and what it means. */
export function fileErrorWithCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = fileErrorReason(error);
  return code && !reason.startsWith(code) ? `${code}: ${reason}` : reason;
}
