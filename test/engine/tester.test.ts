// The rule tester must be able to fail: wrong expectations, tables without both kinds of case, and
// invalid rule files are all reported with the file, line and field.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRules } from '../../analyzer/engine/load-rules.js';
import { compareExpected, testRule } from '../../analyzer/engine/tester.js';
import type { Report } from '../../analyzer/report/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rulePack(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'labsnap-rules-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const RULE = `id: my-swap
area: node
severity: warning
title: { en: Swap somewhere, ja: どこかで swap }
symptom: { en: s, ja: 症状 }
cause: { en: c, ja: 原因 }
fix: { en: f, ja: 対処 }
confirm: [swapon --show]
summary: { en: "swap on {subject}", ja: "{subject} で swap" }
when:
  any:
    - fact: host.swap
`;

describe('rule tester', () => {
  it('reports a must-fire case that does not fire and a silent case that fires', async () => {
    const root = rulePack({
      'x/my-swap/rule.yaml': RULE,
      'x/my-swap/cases.yaml': `fire:
  - name: nothing there
    files: { hosts/w1/cmd/swapon.txt: "" }
silent:
  - name: swap there
    files:
      hosts/w1/cmd/swapon.txt: |
        NAME TYPE SIZE USED PRIO
        /swap.img file 1024 0 -2
`,
    });
    const pack = await loadRules([root], { builtin: false });
    const outcomes = await testRule(pack.rules[0]!, pack, join(root, 'x/my-swap'));
    expect(outcomes.map((o) => [o.kind, o.ok])).toEqual([
      ['fire', false],
      ['silent', false],
    ]);
    expect(outcomes[1]!.detail).toContain('swap on w1');
  });

  it('refuses a table without must-stay-silent cases', async () => {
    const root = rulePack({ 'x/my-swap/rule.yaml': RULE, 'x/my-swap/cases.yaml': 'fire:\n  - name: a\n    files: {}\nsilent: []\n' });
    const pack = await loadRules([root], { builtin: false });
    await expect(testRule(pack.rules[0]!, pack, join(root, 'x/my-swap'))).rejects.toThrow(/silent/);
  });

  it('checks relation cases: with, explainedBy, withdrawnBy, alsoFire', async () => {
    const other = RULE.replace('id: my-swap', 'id: my-cause').replace('swap on {subject}', 'cause on {subject}') + 'explains:\n  - { rule: my-swap, on: node }\n';
    const swapOn = '      hosts/w1/cmd/swapon.txt: |\n        NAME TYPE SIZE USED PRIO\n        /swap.img file 1024 0 -2\n';
    const root = rulePack({
      'x/my-swap/rule.yaml': RULE,
      'x/my-cause/rule.yaml': other,
      'x/my-cause/cases.yaml': 'fire:\n  - name: a\n    files: {}\nsilent:\n  - name: b\n    files: {}\n',
      'x/my-swap/cases.yaml': `fire:
  - name: explained (holds)
    with: [my-cause]
    explainedBy: my-cause
    files:
${swapOn}  - name: claimed root but explained (fails)
    with: [my-cause]
    files:
${swapOn}  - name: claimed withdrawn (fails)
    with: [my-cause]
    withdrawnBy: my-cause
    files:
${swapOn}silent:
  - name: cause alone, but nothing fired (fails on alsoFire)
    with: [my-cause]
    alsoFire: [my-cause]
    files: { hosts/w1/cmd/swapon.txt: "" }
`,
    });
    const pack = await loadRules([root], { builtin: false });
    const swap = pack.rules.find((r) => r.meta.id === 'my-swap')!;
    const outcomes = await testRule(swap, pack, join(root, 'x/my-swap'));
    expect(outcomes.map((o) => [o.name, o.ok])).toEqual([
      ['explained (holds)', true],
      ['claimed root but explained (fails)', false],
      ['claimed withdrawn (fails)', false],
      ['cause alone, but nothing fired (fails on alsoFire)', false],
    ]);
    expect(outcomes[1]!.detail).toContain('expected a root cause, but my-cause explains');
    expect(outcomes[2]!.detail).toContain('expected a finding withdrawn by my-cause, none was withdrawn');
    expect(outcomes[3]!.detail).toContain('expected my-cause to fire alongside');

    const bad = rulePack({ 'x/my-swap/rule.yaml': RULE, 'x/my-swap/cases.yaml': 'fire:\n  - name: a\n    explainedBy: my-cause\n    files: {}\nsilent:\n  - name: b\n    files: {}\n' });
    const badPack = await loadRules([bad], { builtin: false });
    await expect(testRule(badPack.rules[0]!, badPack, join(bad, 'x/my-swap'))).rejects.toThrow(/explainedBy names my-cause, which is not in its `with` list/);
    const broken = rulePack({ 'x/my-swap/rule.yaml': RULE, 'x/my-swap/cases.yaml': 'fire:\n  - name: a: b\n    files: {}\n' });
    const brokenPack = await loadRules([broken], { builtin: false });
    await expect(testRule(brokenPack.rules[0]!, brokenPack, join(broken, 'x/my-swap'))).rejects.toThrow(/cases\.yaml:\d+: invalid YAML/);
  });

  it('reads fromFiles relative to the case table, and names a missing one', async () => {
    const swapon = 'NAME TYPE SIZE USED PRIO\n/swap.img file 1024 0 -2\n';
    const table = (ref: string) => `fire:\n  - name: from a kept file\n    fromFiles: { hosts/w1/cmd/swapon.txt: ${ref} }\n    names: [w1]\nsilent:\n  - name: none\n    files: { hosts/w1/cmd/swapon.txt: "" }\n`;
    const root = rulePack({ 'x/my-swap/rule.yaml': RULE, 'x/my-swap/cases.yaml': table('../../data/swapon.txt'), 'data/swapon.txt': swapon });
    const pack = await loadRules([root], { builtin: false });
    const outcomes = await testRule(pack.rules[0]!, pack, join(root, 'x/my-swap'));
    expect(outcomes.map((o) => [o.kind, o.ok])).toEqual([
      ['fire', true],
      ['silent', true],
    ]);
    const root2 = rulePack({ 'x/my-swap/rule.yaml': RULE, 'x/my-swap/cases.yaml': table('../../data/nothing.txt') });
    const pack2 = await loadRules([root2], { builtin: false });
    await expect(testRule(pack2.rules[0]!, pack2, join(root2, 'x/my-swap'))).rejects.toThrow(/from a kept file.*nothing\.txt is not a file/);
  });

  it('names file, line and field of an invalid rule', async () => {
    const root = rulePack({ 'x/my-swap/rule.yaml': RULE.replace('severity: warning', 'severity: fatal').replace('fact: host.swap', 'fact: host.nothing') });
    await expect(loadRules([root], { builtin: false })).rejects.toThrow(/rule\.yaml:3: severity: must be one of/);
    const root2 = rulePack({ 'x/my-swap/rule.yaml': RULE.replace('fact: host.swap', 'fact: host.nothing') });
    await expect(loadRules([root2], { builtin: false })).rejects.toThrow(/rule\.yaml:12: when\/any\/0\/fact: unknown fact collection/);
    const root3 = rulePack({ 'x/other-name/rule.yaml': RULE });
    await expect(loadRules([root3], { builtin: false })).rejects.toThrow(/rule\.yaml:1: id: must equal the rule's folder name \(other-name\)/);
    const root4 = rulePack({ 'x/my-swap/rule.yaml': RULE.replace('    - fact: host.swap', '    - log: { sources: [journal-kubelet], regex: "(unclosed" }') });
    await expect(loadRules([root4], { builtin: false })).rejects.toThrow(/invalid regular expression/);
  });
});

describe('regression expectations', () => {
  const finding = { ruleId: 'swap-enabled', severity: 'critical', title: 't', summary: 'Swap is active on w1 (/swap.img)', cause: '', fix: '', confirm: [], scope: { level: 'host', names: ['w1'] }, objects: [], evidence: [] } as const;
  const report = { findings: [finding], withdrawn: [], skipped: [{ ruleId: 'pve-vlan-not-allowed', title: 't', reason: 'no Proxmox host', missing: [] }] } as unknown as Report;

  it('passes when fires, silent and skipped hold', () => {
    expect(compareExpected({ fires: [{ rule: 'swap-enabled', names: 'w1' }], silent: ['cni-not-installed'], skipped: ['pve-vlan-not-allowed'] }, report).diff).toEqual([]);
  });

  it('diffs a missing fire, a wrong name, a noisy silent rule and a rule that ran instead of skipping', () => {
    const { diff } = compareExpected({ fires: [{ rule: 'cni-not-installed' }, { rule: 'swap-enabled', names: 'w2' }], silent: ['swap-enabled'], skipped: ['swap-enabled'] }, report);
    expect(diff).toEqual([
      '- fires cni-not-installed',
      '+ did not fire',
      '- fires swap-enabled naming w2',
      '+ swap-enabled named w1: Swap is active on w1 (/swap.img)',
      '- silent swap-enabled',
      '+ swap-enabled fired: Swap is active on w1 (/swap.img)',
      '- skipped swap-enabled',
      '+ fired',
    ]);
  });

  it('tells a root cause from a consequence, and checks withdrawn findings', () => {
    const consequence = { ...finding, ruleId: 'node-not-ready', summary: 'w1 is NotReady', causedBy: [{ ruleId: 'swap-enabled', summary: finding.summary }] };
    const gone = { ...finding, ruleId: 'cert-expired', summary: 'w1: x509 errors', withdrawnBy: { ruleId: 'clock-skew', summary: 'w1 is behind' }, reason: 'clock' };
    const withRelations = { ...report, findings: [finding, consequence], withdrawn: [gone] } as unknown as Report;
    const ok = compareExpected(
      { fires: [{ rule: 'swap-enabled', names: 'w1' }, { rule: 'node-not-ready', names: 'w1', explainedBy: 'swap-enabled' }], withdrawn: [{ rule: 'cert-expired', by: 'clock-skew', names: 'w1' }] },
      withRelations,
    );
    expect(ok.diff).toEqual([]);
    const { diff } = compareExpected(
      { fires: [{ rule: 'node-not-ready', names: 'w1' }, { rule: 'swap-enabled', explainedBy: 'clock-skew' }], withdrawn: [{ rule: 'cert-expired', by: 'swap-enabled' }], silent: ['cert-expired'] },
      withRelations,
    );
    expect(diff).toEqual([
      '- fires node-not-ready as a root cause naming w1',
      '+ node-not-ready named w1 (caused by swap-enabled): w1 is NotReady',
      '- fires swap-enabled explained by clock-skew',
      '+ swap-enabled named w1: Swap is active on w1 (/swap.img)',
      '- withdrawn cert-expired by swap-enabled',
      '+ withdrawn by another rule',
      '- silent cert-expired',
      '+ cert-expired fired (withdrawn): w1: x509 errors',
    ]);
  });

  it('reports a todo that still does not fire as a note, not a failure', () => {
    const { diff, notes } = compareExpected({ fires: [{ rule: 'cni-not-installed' }], todo: ['cni-not-installed'] }, report);
    expect(diff).toEqual([]);
    expect(notes).toHaveLength(1);
  });
});
