/**
 * The revocation lists of a file, one text each for Node's tls, which reads only the first list
 * of a text it is given while libpq's OpenSSL reads them all.
 */
import * as assert from 'node:assert/strict';
import { crlBlocks } from '../../../src/core/db/sslFiles';
import { assertLinear } from '../../support/growth';

const list = (body: string): string => `-----BEGIN X509 CRL-----\n${body}\n-----END X509 CRL-----`;

describe('crlBlocks', () => {
  it('gives each list of a file on its own, whatever is around them', () => {
    const file = `# root\n${list('AAAA')}\nnoise\r\n${list('BBBB')}\n`;
    assert.deepEqual(crlBlocks([file, list('CCCC')]), [
      `${list('AAAA')}\n`,
      `${list('BBBB')}\n`,
      `${list('CCCC')}\n`,
    ]);
  });

  it('keeps a text with no whole list as it is, for the tls to refuse', () => {
    assert.deepEqual(crlBlocks(['not a list', '-----BEGIN X509 CRL-----\nAAAA']), [
      'not a list',
      '-----BEGIN X509 CRL-----\nAAAA',
    ]);
  });

  it('reads openings without an end in linear time, a megabyte of them too', () => {
    const openings = (n: number): string => '-----BEGIN X509 CRL-----'.repeat(n);
    const hostile = openings(40_000);
    assert.deepEqual(crlBlocks([hostile]), [hostile]);
    // A scan from every opening to the end is quadratic. One pass over 2,000 openings takes
    // some 20 microseconds: a thousand of each make a ratio.
    assertLinear(
      openings,
      (text) => {
        for (let i = 0; i < 1000; i++) crlBlocks([text]);
      },
      2_000,
    );
  });
});
