// The meta test over every built-in rule (schema-valid, both languages, case table with must-fire and
// must-stay-silent cases, id = folder) and every case of every table.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRulesDir, loadRules, type RulePack } from '../../analyzer/engine/load-rules.js';
import { loadCaseTable, testRule } from '../../analyzer/engine/tester.js';
import { ruleFolder } from '../../analyzer/engine/run.js';

let pack: RulePack;
beforeAll(async () => {
  pack = await loadRules();
});

describe('built-in rule pack', () => {
  it('loads, and holds the engine rules of the analyzer issue', () => {
    const ids = pack.rules.map((r) => r.meta.id);
    expect(ids).toEqual(expect.arrayContaining(['cni-not-installed', 'swap-enabled', 'service-no-endpoints']));
    expect(pack.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('every rule has en and ja texts, confirm commands, and a folder named after its id', () => {
    for (const r of pack.rules) {
      for (const key of ['title', 'symptom', 'cause', 'fix', 'summary'] as const) {
        expect(r.meta[key].en.trim(), `${r.meta.id} ${key}.en`).not.toBe('');
        expect(r.meta[key].ja.trim(), `${r.meta.id} ${key}.ja`).not.toBe('');
        // A Japanese text that is only a copy of the English one is not a translation.
        expect(r.meta[key].ja, `${r.meta.id} ${key}.ja`).not.toBe(r.meta[key].en === r.meta[key].ja && !/\{/.test(r.meta[key].en) ? r.meta[key].en : undefined);
      }
      expect(r.meta.confirm.length).toBeGreaterThan(0);
      expect(r.dir.split('/').pop()).toBe(r.meta.id);
      expect(existsSync(join(builtinRulesDir(), r.dir, 'rule.yaml'))).toBe(true);
    }
  });

  it('every rule has a case table with must-fire and must-stay-silent cases', () => {
    for (const r of pack.rules) {
      const table = loadCaseTable(r, ruleFolder(r));
      expect(table.fire.length, r.meta.id).toBeGreaterThan(0);
      expect(table.silent.length, r.meta.id).toBeGreaterThan(0);
    }
  });

  it('Japanese texts are really Japanese', () => {
    for (const r of pack.rules) expect(r.meta.title.ja, r.meta.id).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
  });
});

describe('rule case tables', () => {
  it('every case of every rule passes', async () => {
    const failures: string[] = [];
    for (const r of pack.rules) {
      for (const o of await testRule(r, pack, ruleFolder(r))) if (!o.ok) failures.push(`${o.rule} [${o.kind}] ${o.name}: ${o.detail}`);
    }
    expect(failures).toEqual([]);
  });

  it('the rule files the pack hashes are the files on disk', () => {
    for (const r of pack.rules) expect(r.digestInput.startsWith(readFileSync(join(builtinRulesDir(), r.dir, 'rule.yaml'), 'utf8'))).toBe(true);
  });
});
