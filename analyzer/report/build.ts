// Assembles the Report from findings, skips and facts, after the seed's method: summary, scope (how far
// the damage goes), findings, recent changes, collection gaps. Pure and deterministic.
import { describeInput } from '../../bundle/import/kinds.js';
import type { Manifest } from '../../bundle/manifest.js';
import type { ReadSummary } from '../../bundle/reader.js';
import type { Model } from '../model/model.js';
import type { Finding, Lang, PassedRule, Report, SkippedRule, TimelineEntry, WithdrawnFinding } from './types.js';
import { SEVERITIES } from './types.js';
import { compareText } from '../../common/compare.js';

export interface ReportInputs {
  lang: Lang;
  bundleName: string;
  read: ReadSummary;
  model: Model;
  rulePack: { version: string; hash: string; rules: number };
  findings: Finding[];
  withdrawn?: WithdrawnFinding[];
  skipped: SkippedRule[];
  passed: PassedRule[];
  timeline: TimelineEntry[];
}

const severityRank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

/** A finding no other finding explains. */
export const isRootCause = (f: Finding): boolean => f.causedBy === undefined;

/** Root causes first, then consequences; by severity, rule and summary within each. */
export function sortFindings<F extends Finding>(findings: F[]): F[] {
  return [...findings].sort(
    (a, b) =>
      Number(!isRootCause(a)) - Number(!isRootCause(b)) ||
      severityRank(a.severity) - severityRank(b.severity) ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.summary, b.summary),
  );
}

function scopeOf(findings: Finding[], model: Model): Report['scope'] {
  // How far the damage goes is told by its causes; a consequence on the same object adds no reach.
  const serious = findings.filter((f) => f.severity !== 'info' && isRootCause(f));
  const groups = { nodes: new Map<string, Set<string>>(), namespaces: new Map<string, Set<string>>(), hosts: new Map<string, Set<string>>() };
  const clusterWide = new Set<string>();
  const add = (map: Map<string, Set<string>>, name: string, id: string) => {
    const set = map.get(name) ?? new Set<string>();
    set.add(id);
    map.set(name, set);
  };
  for (const f of serious) {
    for (const name of f.scope.names) {
      if (f.scope.level === 'node') add(groups.nodes, name, f.ruleId);
      else if (f.scope.level === 'namespace') add(groups.namespaces, name, f.ruleId);
      else if (f.scope.level === 'host') {
        // A host that is a Kubernetes node is reported under its node name: one place per machine.
        const node = model.host(name)?.node;
        if (node) add(groups.nodes, node.name, f.ruleId);
        else add(groups.hosts, name, f.ruleId);
      } else clusterWide.add(f.ruleId);
    }
  }
  const list = (m: Map<string, Set<string>>) =>
    [...m.entries()].map(([name, ids]) => ({ name, ruleIds: [...ids].sort() })).sort((a, b) => compareText(a.name, b.name));
  const nodes = list(groups.nodes);
  const totalNodes = model.nodes.length;
  const level: Report['scope']['level'] =
    clusterWide.size > 0 || (totalNodes > 1 && nodes.length === totalNodes)
      ? 'cluster'
      : nodes.length > 0
        ? 'nodes'
        : groups.hosts.size > 0
          ? 'hosts'
          : groups.namespaces.size > 0
            ? 'namespaces'
            : 'none';
  return { level, nodes, namespaces: list(groups.namespaces), hosts: list(groups.hosts), clusterWide: [...clusterWide].sort() };
}

function gapsOf(manifest: Manifest, model: Model): Report['gaps'] {
  const unreachedHosts = manifest.hosts.filter((h) => !h.reached).map((h) => ({ name: h.name, error: h.error ?? 'not reached' }));
  const unreached = new Set(unreachedHosts.map((h) => h.name));
  const items = [
    // Items of unreached hosts are summed up by the host line; listing each would bury the rest.
    ...model.artifacts
      .failedItems()
      .filter((i) => !(i.host && unreached.has(i.host)))
      .map((i) => ({
        path: i.path,
        ...(i.host ? { host: i.host } : {}),
        status: i.status,
        reason: (i.stderr ?? '').split('\n').find((l) => l.trim() !== '') ?? (i.exitCode != null ? `exit ${i.exitCode}` : i.status),
      })),
    ...model.artifacts.damagedEntries().map((d) => ({ path: d.path, status: 'damaged', reason: d.reason })),
    ...model.artifacts.absentItems().map((i) => ({ path: i.path, ...(i.host ? { host: i.host } : {}), status: 'absent', reason: 'listed in the manifest but absent from the bundle' })),
  ].sort((a, b) => compareText(a.path, b.path) || compareText(a.status, b.status));
  return { unreachedHosts, items };
}

export function buildReport(inputs: ReportInputs): Report {
  const { model } = inputs;
  const manifest = model.manifest;
  const findings = sortFindings(inputs.findings);
  const withdrawn = sortFindings(inputs.withdrawn ?? []);
  const count = (s: string) => findings.filter((f) => f.severity === s && isRootCause(f)).length;
  return {
    reportVersion: 1,
    lang: inputs.lang,
    summary: {
      cluster: manifest.cluster,
      collectedAt: manifest.collectedAt,
      finishedAt: manifest.finishedAt,
      interrupted: manifest.interrupted,
      bundle: { name: inputs.bundleName, sha256: inputs.read.sha256, formatVersion: manifest.formatVersion, tool: `${manifest.tool.name} ${manifest.tool.version}`, input: describeInput(manifest) },
      hosts: {
        reached: manifest.hosts.filter((h) => h.reached).map((h) => h.name).sort(),
        unreached: manifest.hosts.filter((h) => !h.reached).map((h) => ({ name: h.name, error: h.error ?? 'not reached' })).sort((a, b) => compareText(a.name, b.name)),
      },
      rulePack: inputs.rulePack,
      counts: {
        critical: count('critical'),
        warning: count('warning'),
        info: count('info'),
        consequences: findings.filter((f) => !isRootCause(f)).length,
        withdrawn: withdrawn.length,
        skipped: inputs.skipped.length,
        passed: inputs.passed.length,
      },
    },
    scope: scopeOf(findings, model),
    findings,
    withdrawn,
    recentChanges: inputs.timeline,
    gaps: gapsOf(manifest, model),
    skipped: [...inputs.skipped].sort((a, b) => compareText(a.ruleId, b.ruleId)),
    passed: [...inputs.passed].sort((a, b) => compareText(a.ruleId, b.ruleId)),
  };
}
