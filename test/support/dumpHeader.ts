/**
 * The first bytes of a custom-format dump as pg_dump 17 writes them (archive format 1.16), with
 * the database and versions a test asks for: what pg_restore 15 refuses as too new.
 */
export function newerDumpHeader(database = 'shop', pgDumpVersion = '17.2'): Buffer {
  const int = (value: number): Buffer => {
    const bytes = Buffer.alloc(5);
    bytes[0] = value < 0 ? 1 : 0;
    bytes.writeUInt32LE(Math.abs(value), 1);
    return bytes;
  };
  const text = (value: string): Buffer => {
    const bytes = Buffer.from(value);
    return Buffer.concat([int(bytes.length), bytes]);
  };
  return Buffer.concat([
    Buffer.from('PGDMP'),
    Buffer.from([1, 16, 0, 4, 8, 1]),
    // The compression algorithm (none), then the time: seconds to year, and isdst.
    Buffer.from([0]),
    ...[0, 30, 3, 4, 11, 126, 0].map(int),
    text(database),
    text('17.2'),
    text(pgDumpVersion),
    Buffer.alloc(64),
  ]);
}
