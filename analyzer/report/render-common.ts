// Decisions every renderer must make the same way, so the four formats never disagree about what the
// report says: grouping by severity and by area, how evidence is located, what the scope verdict is.
import { compareText } from '../../common/compare.js';
import { messagesFor, type ScopeGroup } from './i18n.js';
import { SEVERITIES, type Evidence, type Finding, type FindingRef, type PassedRule, type Report, type Severity, type TimelineEntry } from './types.js';

export interface SeverityGroup {
  severity: Severity;
  findings: Finding[];
}

/**
 * Root causes, critical first; within a severity the analyzer's order is kept (it is already deterministic).
 * Consequences are listed under their causes (consequenceTree) and in a section of their own.
 */
export function findingsBySeverity(report: Report): SeverityGroup[] {
  return SEVERITIES.map((severity) => ({ severity, findings: report.findings.filter((f) => f.severity === severity && f.causedBy === undefined) })).filter(
    (group) => group.findings.length > 0,
  );
}

/** Findings that another finding explains, in the analyzer's order. */
export function consequences(report: Report): Finding[] {
  return report.findings.filter((f) => f.causedBy !== undefined);
}

const refersTo = (ref: FindingRef, f: Finding): boolean => ref.ruleId === f.ruleId && ref.summary === f.summary;

/** What a finding explains, directly (depth 0) and through its consequences (depth 1, 2, ...), each once. */
export function consequenceTree(report: Report, cause: Finding): { depth: number; finding: Finding }[] {
  const out: { depth: number; finding: Finding }[] = [];
  const seen = new Set<Finding>([cause]);
  const walk = (parent: Finding, depth: number): void => {
    for (const f of report.findings) {
      if (seen.has(f) || !f.causedBy?.some((ref) => refersTo(ref, parent))) continue;
      seen.add(f);
      out.push({ depth, finding: f });
      walk(f, depth + 1);
    }
  };
  walk(cause, 0);
  return out;
}

/** `rule-id: summary`, how one finding names another. */
export function refLabel(ref: FindingRef): string {
  return `${ref.ruleId}: ${ref.summary}`;
}

/** `path:line`, `path#pointer` or the bare path: the form a reader pastes into `less +N` or `jq`. */
export function evidenceLocation(evidence: Evidence): string {
  if (evidence.line !== undefined) return `${evidence.path}:${evidence.line}`;
  if (evidence.pointer !== undefined) return `${evidence.path}#${evidence.pointer}`;
  return evidence.path;
}

export function timelineSource(entry: TimelineEntry): string {
  return entry.line !== undefined ? `${entry.path}:${entry.line}` : entry.path;
}

const SCOPE_GROUPS: readonly ScopeGroup[] = ['nodes', 'namespaces', 'hosts'];

/**
 * The scope verdict as sentences: the widest affected level first, then the other affected groups, then a
 * warning when unreached hosts or an interrupted run mean the real damage may be wider than what was seen.
 */
export function scopeVerdict(report: Report): string[] {
  const m = messagesFor(report.lang).scope;
  const { scope } = report;
  const describeGroup = (group: ScopeGroup): string => m.group(group, scope[group].map((entry) => entry.name));
  const affectedGroups = SCOPE_GROUPS.filter((group) => scope[group].length > 0);
  const sentences: string[] = [];
  if (scope.level === 'none') sentences.push(m.none);
  else if (scope.level === 'cluster') {
    sentences.push(m.clusterWide(scope.clusterWide.length));
    if (affectedGroups.length > 0) sentences.push(m.alsoAffects(affectedGroups.map(describeGroup)));
  } else {
    const widest = scope.level;
    sentences.push(m.affects(describeGroup(widest)));
    const others = affectedGroups.filter((group) => group !== widest);
    if (others.length > 0) sentences.push(m.alsoAffects(others.map(describeGroup)));
  }
  const unreached = report.summary.hosts.unreached.length;
  if (unreached > 0 || report.summary.interrupted) sentences.push(m.incomplete(unreached, report.summary.interrupted));
  return sentences;
}

/** Rows of the scope table: one per affected name, cluster-wide rules first. */
export function scopeRows(report: Report): { level: string; name: string; ruleIds: string[] }[] {
  const m = messagesFor(report.lang).scope;
  const rows: { level: string; name: string; ruleIds: string[] }[] = [];
  if (report.scope.clusterWide.length > 0) rows.push({ level: m.level.cluster, name: report.summary.cluster, ruleIds: report.scope.clusterWide });
  for (const group of SCOPE_GROUPS) {
    for (const entry of report.scope[group]) rows.push({ level: m.level[group], name: entry.name, ruleIds: entry.ruleIds });
  }
  return rows;
}

/** `Service shop/web`, `Node worker1`: kind first, then the name as kubectl prints it. */
export function objectLabel(object: Finding['objects'][number]): string {
  return object.namespace !== undefined ? `${object.kind} ${object.namespace}/${object.name}` : `${object.kind} ${object.name}`;
}

// C0/C1 controls, DEL and bidi overrides from a hostile or garbled artifact must not reach a terminal or a
// ticket as-is: they can move the cursor, recolour the screen or reorder what the reader sees.
const INVISIBLE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Replaces control characters other than tab and newline with a visible `\xNN` / `\u{NNNN}` form. */
export function showControls(text: string): string {
  return text.replace(INVISIBLE_CONTROLS, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

export interface AreaGroup {
  area: string;
  rules: PassedRule[];
}

/** Passed rules by area, areas and ids in code-unit order, so every format lists them the same way. */
export function passedByArea(report: Report): AreaGroup[] {
  const groups = new Map<string, PassedRule[]>();
  for (const rule of report.passed) {
    const group = groups.get(rule.area);
    if (group) group.push(rule);
    else groups.set(rule.area, [rule]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([area, rules]) => ({ area, rules: [...rules].sort((a, b) => compareText(a.ruleId, b.ruleId)) }));
}
