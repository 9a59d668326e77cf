// The explains relation: what the loader refuses, how findings are joined, and what the analyzer makes of
// a real bundle where one fault explains the rest.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBundle } from '../../bundle/reader.js';
import { analyzeBundle } from '../../analyzer/engine/analyze.js';
import { applyRelations } from '../../analyzer/engine/explain.js';
import { loadRules } from '../../analyzer/engine/load-rules.js';
import type { JudgedFinding, Relation } from '../../analyzer/engine/types.js';
import type { Model } from '../../analyzer/model/model.js';
import type { Finding, ObjectRef, ScopeLevel } from '../../analyzer/report/types.js';
import { packageInfo } from '../../common/package-root.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rulePack(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'labsnap-explains-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const rule = (id: string, extra = '') => `id: ${id}
area: node
severity: warning
title: { en: t, ja: t }
symptom: { en: s, ja: s }
cause: { en: c, ja: c }
fix: { en: f, ja: f }
confirm: [swapon --show]
summary: { en: "{subject}", ja: "{subject}" }
when:
  any:
    - fact: host.swap
${extra}`;

describe('loading explains / explainedBy', () => {
  it('collects both directions as cause → consequence', async () => {
    const root = rulePack({
      'a/rule.yaml': rule('a', 'explains:\n  - { rule: b, on: node }\n'),
      'b/rule.yaml': rule('b'),
      'c/rule.yaml': rule('c', 'explainedBy:\n  - { rule: b, on: object, kinds: [Pod] }\n'),
    });
    const pack = await loadRules([root], { builtin: false });
    expect(pack.relations.map((r) => [r.cause, r.consequence, r.on, r.declaredBy])).toEqual([
      ['a', 'b', 'node', 'a'],
      ['b', 'c', 'object', 'c'],
    ]);
  });

  it('refuses an unknown rule, a rule explaining itself, kinds without on: object, and a cycle', async () => {
    await expect(loadRules([rulePack({ 'a/rule.yaml': rule('a', 'explains:\n  - { rule: nope, on: node }\n') })])).rejects.toThrow(/explains\/0\/rule: unknown rule id nope/);
    await expect(loadRules([rulePack({ 'a/rule.yaml': rule('a', 'explains:\n  - { rule: a, on: node }\n') })], { builtin: false })).rejects.toThrow(/cannot explain itself/);
    await expect(loadRules([rulePack({ 'a/rule.yaml': rule('a', 'explains:\n  - { rule: b, on: node, kinds: [Pod] }\n'), 'b/rule.yaml': rule('b') })], { builtin: false })).rejects.toThrow(
      /explains\/0\/kinds: kinds only applies with on: object/,
    );
    await expect(loadRules([rulePack({ 'a/rule.yaml': rule('a', 'explains:\n  - { rule: b, on: sideways }\n'), 'b/rule.yaml': rule('b') })], { builtin: false })).rejects.toThrow(/rule\.yaml:14: explains\/0\/on/);
    const cyclic = rulePack({ 'a/rule.yaml': rule('a', 'explains:\n  - { rule: b, on: node }\n'), 'b/rule.yaml': rule('b', 'explains:\n  - { rule: a, on: node }\n') });
    await expect(loadRules([cyclic], { builtin: false })).rejects.toThrow(/cycle \(a explains b explains a\)/);
  });

  it('accepts a --rules pack whose rule a built-in rule explains', async () => {
    const root = rulePack({ 'mine/rule.yaml': rule('mine', 'explainedBy:\n  - { rule: containerd-not-running, on: node }\n') });
    const pack = await loadRules([root]);
    expect(pack.relations.some((r) => r.cause === 'containerd-not-running' && r.consequence === 'mine')).toBe(true);
  });
});

// A model that knows one host, w1-vm, as node w1.
const model = { host: (name: string) => (name === 'w1-vm' ? { node: { name: 'w1' } } : undefined) } as unknown as Model;

function judged(ruleId: string, level: ScopeLevel, name: string, objects: ObjectRef[] = [], values: Record<string, string | number> = {}): JudgedFinding {
  const finding: Finding = { ruleId, area: 'x', severity: 'critical', title: ruleId, summary: `${ruleId} on ${name}`, cause: '', fix: '', confirm: [], scope: { level, names: [name] }, objects, evidence: [] };
  return { finding, values: { subject: name, ...values } };
}

const rel = (cause: string, consequence: string, extra: Partial<Relation> = {}): Relation => ({ cause, consequence, on: 'node', declaredBy: cause, ...extra });

describe('applyRelations', () => {
  it('joins a host finding to the finding of its node, and not to another node', () => {
    const out = applyRelations([judged('runtime', 'host', 'w1-vm'), judged('node', 'node', 'w1'), judged('node', 'node', 'w2')], [rel('runtime', 'node')], model, 'en');
    expect(out.findings.map((f) => [f.summary, f.causedBy?.map((r) => r.summary)])).toEqual([
      ['runtime on w1-vm', undefined],
      ['node on w1', ['runtime on w1-vm']],
      ['node on w2', undefined],
    ]);
  });

  it('on: object joins on a shared object of the given kinds only; on: subject needs the same scope', () => {
    const pod = { kind: 'Pod', namespace: 'demo', name: 'web-1' };
    const svc = { kind: 'Service', namespace: 'demo', name: 'web' };
    const findings = [judged('crash', 'namespace', 'demo', [pod]), judged('svc', 'namespace', 'demo', [svc, pod]), judged('other', 'namespace', 'demo', [svc])];
    const out = applyRelations(findings, [rel('crash', 'svc', { on: 'object', kinds: ['Pod'] }), rel('crash', 'other', { on: 'object', kinds: ['Pod'] })], model, 'en');
    expect(out.findings.filter((f) => f.causedBy).map((f) => f.ruleId)).toEqual(['svc']);
    const bySubject = applyRelations(findings, [rel('crash', 'other', { on: 'subject' })], model, 'en');
    expect(bySubject.findings.find((f) => f.ruleId === 'other')?.causedBy).toHaveLength(1);
    const nsVsNode = applyRelations([judged('a', 'namespace', 'w1'), judged('b', 'node', 'w1')], [rel('a', 'b', { on: 'subject' })], model, 'en');
    expect(nsVsNode.findings.every((f) => f.causedBy === undefined)).toBe(true);
  });

  it('checks when: conditions on both findings, and withdraws with the reason in the report language', () => {
    const relation = rel('clock', 'cert', { when: { cause: { clock: { eq: 'behind' } }, consequence: { expired: { eq: 0 } } }, withdraw: { en: 'clock, not expiry', ja: '時計のずれ' } });
    const withdrawn = applyRelations([judged('clock', 'host', 'w1-vm', [], { clock: 'behind' }), judged('cert', 'node', 'w1', [], { expired: 0 })], [relation], model, 'ja');
    expect(withdrawn.findings.map((f) => f.ruleId)).toEqual(['clock']);
    expect(withdrawn.withdrawn).toMatchObject([{ ruleId: 'cert', withdrawnBy: { ruleId: 'clock', summary: 'clock on w1-vm' }, reason: '時計のずれ' }]);
    const ahead = applyRelations([judged('clock', 'host', 'w1-vm', [], { clock: 'ahead' }), judged('cert', 'node', 'w1', [], { expired: 0 })], [relation], model, 'en');
    expect(ahead.withdrawn).toEqual([]);
    const expired = applyRelations([judged('clock', 'host', 'w1-vm', [], { clock: 'behind' }), judged('cert', 'node', 'w1', [], { expired: 2 })], [relation], model, 'en');
    expect(expired.withdrawn).toEqual([]);
  });

  it('a withdrawn finding explains nothing; a chain keeps every link; several causes are all named', () => {
    const relations = [rel('clock', 'cert', { withdraw: { en: 'r', ja: 'r' } }), rel('cert', 'node'), rel('runtime', 'node'), rel('node', 'calico')];
    const out = applyRelations([judged('clock', 'node', 'w1'), judged('cert', 'node', 'w1'), judged('runtime', 'node', 'w1'), judged('node', 'node', 'w1'), judged('calico', 'node', 'w1')], relations, model, 'en');
    expect(out.withdrawn.map((f) => f.ruleId)).toEqual(['cert']);
    expect(Object.fromEntries(out.findings.map((f) => [f.ruleId, f.causedBy?.map((r) => r.ruleId) ?? []]))).toEqual({ clock: [], runtime: [], node: ['runtime'], calico: ['node'] });
    const both = applyRelations([judged('cert', 'node', 'w1'), judged('runtime', 'node', 'w1'), judged('node', 'node', 'w1')], relations, model, 'en');
    expect(both.findings.find((f) => f.ruleId === 'node')?.causedBy?.map((r) => r.ruleId)).toEqual(['cert', 'runtime']);
  });

  it('fills summaries that name other findings before taking references to them', () => {
    const node = judged('node', 'node', 'w1');
    node.finding.summary = 'w1 NotReady; related: {related}';
    const calico = judged('calico', 'node', 'w1');
    const out = applyRelations([node, calico], [rel('node', 'calico')], model, 'en', (kept) => {
      for (const f of kept) f.summary = f.summary.replace('{related}', 'calico');
    });
    expect(out.findings.find((f) => f.ruleId === 'calico')?.causedBy).toEqual([{ ruleId: 'node', summary: 'w1 NotReady; related: calico' }]);
  });
});

describe('a bundle where containerd stopped on w1', () => {
  it('names only containerd-not-running as the root cause, in the counts and the scope', async () => {
    const pack = await loadRules();
    const bundle = await openBundle(join(packageInfo().root, 'fixtures', 'bundles', 'containerd-stopped'));
    const { report } = await analyzeBundle(bundle, pack, { lang: 'en' });
    expect(report.findings.filter((f) => !f.causedBy).map((f) => f.ruleId)).toEqual(['containerd-not-running']);
    expect(report.summary.counts).toMatchObject({ critical: 1, warning: 0, consequences: 4 });
    expect(report.scope.nodes).toEqual([{ name: 'w1', ruleIds: ['containerd-not-running'] }]);
    expect(report.scope.namespaces).toEqual([]);
    // Root causes come first in the list, consequences after them.
    expect(report.findings[0]?.ruleId).toBe('containerd-not-running');
  });

  it('without the cause rule (--only), its consequences are root causes again', async () => {
    const pack = await loadRules();
    const bundle = await openBundle(join(packageInfo().root, 'fixtures', 'bundles', 'containerd-stopped'));
    const { report } = await analyzeBundle(bundle, pack, { lang: 'en', only: ['node-not-ready', 'calico-node-not-ready'] });
    expect(report.findings.map((f) => [f.ruleId, f.causedBy === undefined])).toEqual([
      ['calico-node-not-ready', true],
      ['node-not-ready', true],
    ]);
  });
});
