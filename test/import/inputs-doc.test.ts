// Per input kind, every rule skips with reasons in words of that kind (never a silent pass), and
// docs/inputs.md is what the rules say today.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRules, type RulePack } from '../../analyzer/engine/load-rules.js';
import { INPUT_KIND_NAMES } from '../../bundle/import/kinds.js';
import { packageInfo } from '../../common/package-root.js';
import { inputsDoc, KINDS, ruleViews } from './inputs-doc.js';

let pack: RulePack;
beforeAll(async () => {
  pack = await loadRules();
});

describe('skip reasons per input kind', () => {
  it.each(KINDS)('%s: every rule skips on an empty input, each missing input named in words of the kind', async (kind) => {
    const name = INPUT_KIND_NAMES[kind].replace(/\./g, '\\.');
    const words = new RegExp(`: (not in a ${name}( \\(no cluster data was imported\\))?|not collected in this ${name})$`);
    for (const v of await ruleViews(pack, kind)) {
      expect(v.missing.length, `${v.rule} on ${kind}`).toBeGreaterThan(0);
      // Proxmox rules skip because no host has the proxmox role: they name the manifest, not an input file.
      for (const m of v.missing.filter((x) => x !== 'manifest.json')) expect(m, `${v.rule} on ${kind}`).toMatch(words);
    }
  });

  it('names the difference between "never in this kind" and "not in this input"', async () => {
    const byRule = async (kind: (typeof KINDS)[number], rule: string) => (await ruleViews(pack, kind)).find((v) => v.rule === rule)!;
    expect((await byRule('cluster-info-dump', 'ip-forward-disabled')).missing).toContain('hosts/*/cmd/sysctl.txt: not in a kubectl cluster-info dump');
    expect((await byRule('troubleshoot', 'ip-forward-disabled')).missing).toContain('hosts/*/cmd/sysctl.txt: not collected in this troubleshoot.sh bundle');
    expect((await byRule('sosreport', 'node-not-ready')).missing).toContain('cluster/nodes.json: not in a sos report (no cluster data was imported)');
    expect((await byRule('troubleshoot', 'arp-unanswered')).never).toContain('hosts/*/capture/*.pcap');
  });
});

describe('docs/inputs.md', () => {
  it('is generated from the rules and the importers (LABSNAP_WRITE_DOCS=1 regenerates it)', async () => {
    const file = join(packageInfo().root, 'docs', 'inputs.md');
    const want = await inputsDoc(pack);
    if (process.env.LABSNAP_WRITE_DOCS === '1') writeFileSync(file, want);
    expect(readFileSync(file, 'utf8'), 'docs/inputs.md is stale: LABSNAP_WRITE_DOCS=1 npx vitest run test/import/inputs-doc.test.ts').toBe(want);
  });
});
