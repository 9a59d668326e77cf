// A rule with nothing to read reports itself skipped, and the reason is in the report's language: a
// Japanese report must not fall back to English for the skipped-rules section, nor an English one show
// Japanese.
import { describe, expect, it } from 'vitest';
import { openMemoryBundle } from '../../bundle/reader.js';
import type { Lang } from '../../analyzer/report/types.js';
import { analyzeBundle } from '../../analyzer/engine/analyze.js';
import { loadRules, type RulePack } from '../../analyzer/engine/load-rules.js';
import { caseManifest, type RuleCase } from '../../analyzer/engine/tester.js';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const EMPTY: RuleCase = { name: 'empty bundle', hosts: { w1: ['worker'] }, files: {} };

async function skipOnEmpty(pack: RulePack, id: string, lang: Lang) {
  const rule = pack.rules.find((r) => r.meta.id === id)!;
  const bundle = openMemoryBundle(EMPTY.files, caseManifest(EMPTY), `skip-${id}`);
  const { report, warnings } = await analyzeBundle(bundle, { ...pack, rules: [rule] }, { lang });
  expect(warnings, id).toEqual([]);
  const fired = report.findings.filter((f) => f.ruleId === id).map((f) => f.summary);
  const skipped = report.skipped.find((s) => s.ruleId === id);
  expect(skipped, `${id} (${lang}) did not skip on an empty bundle; findings: ${JSON.stringify(fired)}`).toBeDefined();
  return skipped!;
}

describe('skip reasons follow the report language', async () => {
  const pack = await loadRules();
  const ids = pack.rules.map((r) => r.meta.id);

  it('covers every built-in rule', () => {
    expect(ids.length).toBeGreaterThan(40);
  });

  it.each(ids)('%s: Japanese reason in ja, none in en', async (id) => {
    const ja = await skipOnEmpty(pack, id, 'ja');
    expect(ja.reason, `${id} ja`).toMatch(JAPANESE);
    const en = await skipOnEmpty(pack, id, 'en');
    expect(en.reason, `${id} en`).not.toMatch(JAPANESE);
    expect(en.reason.trim(), `${id} en`).not.toBe('');
    // The missing inputs are data (paths and the manifest's reasons), the same in either language.
    expect(ja.missing, id).toEqual(en.missing);
  });
});
