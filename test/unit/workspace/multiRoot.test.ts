/**
 * A window with several workspace folders: Upkeep works on the first one and says so, naming
 * the others it leaves alone.
 */
import { strict as assert } from 'node:assert';
import { dashboardTitle, multiRootNote } from '../../../src/vscode/multiRoot';

describe('several workspace folders', () => {
  it('says nothing with one folder or none', () => {
    assert.equal(multiRootNote([]), undefined);
    assert.equal(multiRootNote(['app']), undefined);
    assert.equal(dashboardTitle(['app']), 'Upkeep Dashboard');
  });

  it('names the folder it works on and the ones it leaves alone', () => {
    assert.equal(
      multiRootNote(['alpha', 'beta', 'gamma']),
      'Upkeep works on alpha, the first of 3 workspace folders; beta and gamma are not ' +
        'covered. Open another app in a window of its own to maintain it.',
    );
    assert.equal(dashboardTitle(['alpha', 'beta']), 'Upkeep Dashboard: alpha');
  });
});
