/**
 * The setting an error names, which the editor's message offers to open with Open Settings: the
 * recovery drill's errors said "Set upkeep.backups.drillTargetUrl" with no way there.
 */
import * as assert from 'node:assert/strict';
import { UpkeepError } from '../../../src/core/util/errors';
import { settingNamed } from '../../../src/core/util/settingNamed';

describe('settingNamed', () => {
  it('finds the setting in the hint first, then in the message, without the full stop', () => {
    const error = new UpkeepError(
      'config',
      'No drill target: the drill needs a server.',
      'Set upkeep.backups.drillTargetUrl.',
    );
    assert.equal(settingNamed(error), 'upkeep.backups.drillTargetUrl');
    const both = new UpkeepError(
      'config',
      'No dump to restore: upkeep.backups.pattern is not set.',
      'Or set upkeep.backups.drillTargetUrl.',
    );
    assert.equal(settingNamed(both), 'upkeep.backups.drillTargetUrl');
    assert.equal(settingNamed(new Error('upkeep.database.url is wrong')), 'upkeep.database.url');
  });

  it('finds none in an error that names no setting, or only a command or a file', () => {
    assert.equal(settingNamed(new Error('Cannot reach 127.0.0.1:5432.')), undefined);
    assert.equal(settingNamed(new Error('Run upkeep.runRecoveryDrill again.')), undefined);
    assert.equal(settingNamed(new Error('Read upkeep.yml.')), undefined);
    assert.equal(settingNamed('not an error'), undefined);
  });
});
