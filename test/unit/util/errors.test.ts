/** describeError: the one line a user reads for an error, its hint a sentence of its own. */
import * as assert from 'node:assert/strict';
import { UpkeepError, describeError } from '../../../src/core/util/errors';

describe('describeError', () => {
  it('ends a message without a full stop before its hint', () => {
    const error = new UpkeepError('config', '.env is not a regular file', 'Make .env a file.');
    assert.equal(describeError(error), '.env is not a regular file. Make .env a file.');
  });

  it('adds no second stop, and nothing without a hint', () => {
    assert.equal(
      describeError(new UpkeepError('config', 'Cannot read .env (EACCES).', 'Check it.')),
      'Cannot read .env (EACCES). Check it.',
    );
    assert.equal(describeError(new UpkeepError('config', 'no hint here')), 'no hint here');
    assert.equal(describeError(new Error('plain')), 'plain');
    assert.equal(describeError('text'), 'text');
  });
});
