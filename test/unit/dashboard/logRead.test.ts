/**
 * The words naming a dashboard log read in progress: the file (or the first and how many more)
 * and the total size, as the notification with Cancel shows them.
 */
import { strict as assert } from 'node:assert';
import { describeLogRead } from '../../../src/core/dashboard/logRead';
import { workspaceLabel } from '../../../src/core/logs/parallel';

const label = workspaceLabel('/apps/shop');
const MB = 1024 * 1024;

describe('dashboard log read description', () => {
  it('names one file by its workspace path, with its size', () => {
    assert.equal(
      describeLogRead([{ path: '/apps/shop/log/production.log', size: 299 * MB }], label),
      'log/production.log (299 MB)',
    );
  });

  it('names the rotated logs by the live one, counts the rest, with the total size', () => {
    // In the order a glob may list them.
    const files = ['production.log.2', 'production.log.1', 'production.log'].map((name) => ({
      path: `/apps/shop/log/${name}`,
      size: 300 * MB,
    }));
    assert.equal(describeLogRead(files, label), 'log/production.log and 2 more files (900 MB)');
    assert.equal(
      describeLogRead(files.slice(0, 2), label),
      'log/production.log.1 and 1 more file (600 MB)',
    );
  });

  it('keeps a file outside the workspace absolute, and says something with no file', () => {
    assert.equal(
      describeLogRead([{ path: '/var/log/app.log', size: 2048 }], label),
      '/var/log/app.log (2048 bytes)',
    );
    assert.equal(describeLogRead([], label), 'the log sources');
  });
});
