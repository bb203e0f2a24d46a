/**
 * Checks the messages a server sends before node-postgres parses them. pg-protocol reads the
 * fields of an error or notice message up to a NUL byte each, and up to a NUL for the end: one
 * that ends without it (a server that does not speak PostgreSQL, or something posing as one)
 * made it loop forever at full CPU, which no timeout, Ctrl-C or SIGTERM could stop, and which
 * froze the editor's extension host with it.
 */

/** ErrorResponse and NoticeResponse. */
const FIELD_MESSAGES = new Set([0x45, 0x4e]);

export class FrameCheck {
  /** The start of a message header split across chunks. */
  private header: Buffer = Buffer.alloc(0);
  /** Bytes of the current message's body still to come. */
  private remaining = 0;
  /** The body of an error or notice message being read, to check once whole. */
  private fields: Buffer[] | undefined;

  /** What is wrong with the messages in `chunk`, or undefined when nothing is. */
  check(chunk: Buffer): string | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining === 0 && this.fields === undefined) {
        // A header is 5 bytes: its type, then its length (which counts itself).
        const taken = Math.min(5 - this.header.length, chunk.length - at);
        const header =
          this.header.length === 0 && taken === 5
            ? chunk.subarray(at, at + 5)
            : Buffer.concat([this.header, chunk.subarray(at, at + taken)]);
        at += taken;
        if (header.length < 5) {
          this.header = header;
          return undefined;
        }
        this.header = Buffer.alloc(0);
        const length = header.readInt32BE(1);
        if (length < 4) return `a message whose length (${length}) is less than 4`;
        this.remaining = length - 4;
        this.fields = FIELD_MESSAGES.has(header[0]) ? [] : undefined;
      }
      const taken = Math.min(this.remaining, chunk.length - at);
      this.fields?.push(chunk.subarray(at, at + taken));
      this.remaining -= taken;
      at += taken;
      if (this.remaining === 0 && this.fields !== undefined) {
        const body = Buffer.concat(this.fields);
        this.fields = undefined;
        if (!fieldsEnd(body)) return 'an error or notice message that does not end as one must';
      }
    }
    return undefined;
  }
}

/** True when `body` is fields (a type byte, then text up to a NUL) and then a NUL, in bounds. */
function fieldsEnd(body: Buffer): boolean {
  let at = 0;
  while (at < body.length) {
    if (body[at] === 0) return true;
    const end = body.indexOf(0, at + 1);
    if (end === -1) return false;
    at = end + 1;
  }
  return false;
}
