// Every fixture bundle is a regression case: its expected.yaml (fires / silent / skipped) must hold, and
// every scenario bundle must still be exactly what its fixtures/scenarios/<name>.ts builds.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRules, type RulePack } from '../../analyzer/engine/load-rules.js';
import { findRegressionCases, runRegressionCase } from '../../analyzer/engine/tester.js';
import { packageInfo } from '../../common/package-root.js';
import { checkScenario, scenarioNames } from '../../fixtures/tools/make-scenarios.js';

const fixtures = join(packageInfo().root, 'fixtures');
const cases = await findRegressionCases([fixtures]);
let pack: RulePack;
beforeAll(async () => {
  pack = await loadRules();
});

describe('regression bundles under fixtures/', () => {
  it('finds the shipped bundles', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(cases.map((c) => [c.slice(fixtures.length + 1)]))('%s', async (file) => {
    const outcome = await runRegressionCase(join(fixtures, file), pack);
    expect(outcome.diff).toEqual([]);
  });
});

describe('scenario bundles', () => {
  it.each(scenarioNames().map((n) => [n, n]))('%s matches fixtures/scenarios/%s.ts', async (name) => {
    expect(await checkScenario(name)).toEqual([]);
  });
});
