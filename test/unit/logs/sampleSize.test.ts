/**
 * What a percentile or an error rate of few requests is said to rest on, at the thresholds the
 * Duration chart draws them from (nearest rank: a p95 of 19 requests is the slowest of them).
 */
import { strict as assert } from 'node:assert';
import {
  percentileSample,
  percentileSampleShort,
  rateSample,
} from '../../../src/core/logs/sampleSize';

describe('sample size notes', () => {
  it('says a p95 under 20 requests and a p99 under 100 is the slowest one', () => {
    assert.equal(percentileSample('p95Ms', 19), 'over 19 requests: the slowest one');
    assert.equal(percentileSample('p95Ms', 20), undefined);
    assert.equal(percentileSample('p99Ms', 99), 'over 99 requests: the slowest one');
    assert.equal(percentileSample('p99Ms', 100), undefined);
    assert.equal(percentileSample('p99Ms', 1), 'over 1 request: the only one');
    assert.equal(percentileSampleShort('p99Ms', 3), 'slowest of 3');
    assert.equal(percentileSampleShort('p99Ms', 1), 'only 1');
    // No request, no figure: nothing to say of it; a median of one request is that one.
    assert.equal(percentileSample('p99Ms', 0), undefined);
    assert.equal(percentileSample('p50Ms', 1), undefined);
  });

  it('says an error rate over fewer than 100 requests with its count', () => {
    assert.equal(rateSample(1, 2), '1 of 2 requests');
    assert.equal(rateSample(0, 1), '0 of 1 request');
    assert.equal(rateSample(3, 100), undefined);
    assert.equal(rateSample(0, 0), undefined);
  });
});
