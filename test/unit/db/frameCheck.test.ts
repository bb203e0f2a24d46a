/**
 * FrameCheck reads the server's messages as they arrive, in chunks cut anywhere: a well-formed
 * stream passes however it is cut, and an error message without its closing NUL is caught
 * however it is cut.
 */
import * as assert from 'node:assert/strict';
import { FrameCheck } from '../../../src/core/db/frameCheck';

function message(type: string, body: string): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(4 + Buffer.byteLength(body), 1);
  return Buffer.concat([header, Buffer.from(body)]);
}

/** What FrameCheck says of `stream` cut into chunks of `size` bytes. */
function checked(stream: Buffer, size: number): string | undefined {
  const check = new FrameCheck();
  for (let at = 0; at < stream.length; at += size) {
    const problem = check.check(stream.subarray(at, at + size));
    if (problem) return problem;
  }
  return undefined;
}

describe('FrameCheck', () => {
  const good = Buffer.concat([
    message('R', '\0\0\0\0'),
    message('N', 'SNOTICE\0Mhello\0\0'),
    message('E', 'SERROR\0C42P01\0Mno such table\0\0'),
    message('E', '\0'),
    message('Z', 'I'),
  ]);

  it('passes a well-formed stream however it is cut', () => {
    for (let size = 1; size <= good.length; size++) {
      assert.equal(checked(good, size), undefined, `chunks of ${size}`);
    }
  });

  it('catches an error or notice message that does not end, however it is cut', () => {
    for (const bad of [message('E', 'SFATAL'), message('N', ''), message('E', 'SFATAL\0Mx\0')]) {
      const stream = Buffer.concat([message('R', '\0\0\0\0'), bad, message('Z', 'I')]);
      for (let size = 1; size <= stream.length; size++) {
        assert.match(checked(stream, size) ?? '', /does not end/, `chunks of ${size}`);
      }
    }
  });

  it('catches a length shorter than the length field itself', () => {
    const stream = Buffer.from([0x5a, 0, 0, 0, 2]);
    assert.match(checked(stream, 5) ?? '', /length \(2\) is less than 4/);
  });
});
