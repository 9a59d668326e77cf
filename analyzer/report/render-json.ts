// The report as JSON (schemas/report.schema.json). Objects are rebuilt field by field in the order of
// types.ts rather than serialized as given, so the key order does not depend on how the analyzer happened to
// assemble them, and nothing outside the contract (a stray field, an explicit undefined) leaks into the file.
import type { CollectionGap, Evidence, Finding, FindingRef, ObjectRef, PassedRule, Report, SkippedRule, TimelineEntry, WithdrawnFinding } from './types.js';

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

const scopeEntry = (entry: { name: string; ruleIds: string[] }) => ({ name: entry.name, ruleIds: [...entry.ruleIds] });
const hostError = (host: { name: string; error: string }) => ({ name: host.name, error: host.error });

function objectRef(object: ObjectRef) {
  return { kind: object.kind, ...optional('namespace', object.namespace), name: object.name };
}

function evidence(item: Evidence) {
  return {
    path: item.path,
    ...optional('line', item.line),
    ...optional('pointer', item.pointer),
    excerpt: [...item.excerpt],
  };
}

function finding(item: Finding) {
  return {
    ruleId: item.ruleId,
    area: item.area,
    severity: item.severity,
    title: item.title,
    summary: item.summary,
    cause: item.cause,
    fix: item.fix,
    confirm: [...item.confirm],
    scope: { level: item.scope.level, names: [...item.scope.names] },
    objects: item.objects.map(objectRef),
    evidence: item.evidence.map(evidence),
    ...optional('causedBy', item.causedBy?.map(findingRef)),
  };
}

function findingRef(ref: FindingRef) {
  return { ruleId: ref.ruleId, summary: ref.summary };
}

function withdrawnFinding(item: WithdrawnFinding) {
  return { ...finding(item), withdrawnBy: findingRef(item.withdrawnBy), reason: item.reason };
}

function timelineEntry(entry: TimelineEntry) {
  return {
    at: entry.at,
    kind: entry.kind,
    ...optional('host', entry.host),
    text: entry.text,
    path: entry.path,
    ...optional('line', entry.line),
  };
}

function gap(item: CollectionGap) {
  return { path: item.path, ...optional('host', item.host), status: item.status, reason: item.reason };
}

function skippedRule(rule: SkippedRule) {
  return { ruleId: rule.ruleId, title: rule.title, area: rule.area, reason: rule.reason, missing: [...rule.missing] };
}

function passedRule(rule: PassedRule) {
  return { ruleId: rule.ruleId, title: rule.title, area: rule.area };
}

/** The report in its canonical JSON form: fixed key order, 2-space indent, trailing newline. */
export function renderJson(report: Report): string {
  const { summary, scope } = report;
  const canonical = {
    reportVersion: report.reportVersion,
    lang: report.lang,
    summary: {
      cluster: summary.cluster,
      collectedAt: summary.collectedAt,
      finishedAt: summary.finishedAt,
      interrupted: summary.interrupted,
      bundle: {
        name: summary.bundle.name,
        sha256: summary.bundle.sha256,
        formatVersion: summary.bundle.formatVersion,
        tool: summary.bundle.tool,
        input: summary.bundle.input,
      },
      hosts: { reached: [...summary.hosts.reached], unreached: summary.hosts.unreached.map(hostError) },
      rulePack: { version: summary.rulePack.version, hash: summary.rulePack.hash, rules: summary.rulePack.rules },
      counts: {
        critical: summary.counts.critical,
        warning: summary.counts.warning,
        info: summary.counts.info,
        consequences: summary.counts.consequences,
        withdrawn: summary.counts.withdrawn,
        skipped: summary.counts.skipped,
        passed: summary.counts.passed,
      },
    },
    scope: {
      level: scope.level,
      nodes: scope.nodes.map(scopeEntry),
      namespaces: scope.namespaces.map(scopeEntry),
      hosts: scope.hosts.map(scopeEntry),
      clusterWide: [...scope.clusterWide],
    },
    findings: report.findings.map(finding),
    withdrawn: report.withdrawn.map(withdrawnFinding),
    recentChanges: report.recentChanges.map(timelineEntry),
    gaps: { unreachedHosts: report.gaps.unreachedHosts.map(hostError), items: report.gaps.items.map(gap) },
    skipped: report.skipped.map(skippedRule),
    passed: report.passed.map(passedRule),
  };
  return `${JSON.stringify(canonical, null, 2)}\n`;
}
