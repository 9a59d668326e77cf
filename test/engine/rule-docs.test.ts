// docs/rules.md and docs/rules.ja.md must be what the rule metadata generates (npm run docs:rules).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../analyzer/engine/load-rules.js';
import { renderRuleDocs } from '../../analyzer/engine/rule-docs.js';
import { packageInfo } from '../../common/package-root.js';

describe('generated rule docs', () => {
  it.each([
    ['en', 'rules.md'],
    ['ja', 'rules.ja.md'],
  ] as const)('docs/%s is up to date (run `npm run docs:rules`)', async (lang, file) => {
    const pack = await loadRules();
    const committed = readFileSync(join(packageInfo().root, 'docs', file), 'utf8');
    expect(committed).toBe(renderRuleDocs(pack, lang));
  });
});
