// The report as JUnit XML for CI: one testcase per rule, classname `labsnap.<area>` so CI groups rules by
// layer. A testcase's identity (classname + name) depends on the rule alone, never on its outcome, so CI
// history follows a rule from passing to failing and back. Times are "0" and no timestamp is written: the
// same report must give the same bytes.
import { compareText } from '../../common/compare.js';
import { messagesFor, type Messages } from './i18n.js';
import { evidenceLocation, objectLabel, refLabel, showControls } from './render-common.js';
import { SEVERITIES, type Finding, type Report, type Severity, type WithdrawnFinding } from './types.js';

export interface JunitOptions {
  /** Findings at or above this severity fail their testcase; `never` reports them without failing. */
  failOn?: Severity | 'never';
}

const DEFAULT_FAIL_ON: Severity = 'warning';

// XML 1.0 cannot carry these at all, not even as character references.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NON_CHARACTER = /[\ufffe\uffff]/g;

function xmlSafe(text: string): string {
  return showControls(text).replace(UNPAIRED_SURROGATE, '\ufffd').replace(NON_CHARACTER, '\ufffd');
}

export function escapeXmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also keep their tabs and newlines, which a parser would otherwise normalize to spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function atOrAbove(severity: Severity, threshold: Severity | 'never'): boolean {
  return threshold !== 'never' && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

function describeFinding(finding: Finding, m: Messages): string {
  const lines = [`[${m.severity[finding.severity]}] ${finding.title}`, finding.summary];
  if (finding.causedBy) lines.push(`${m.finding.causedBy}: ${finding.causedBy.map(refLabel).join('; ')}`);
  if ('withdrawnBy' in finding) {
    const w = finding as WithdrawnFinding;
    lines.push(`${m.withdrawn.reason}: ${w.reason}`, `${m.withdrawn.by}: ${refLabel(w.withdrawnBy)}`);
    return lines.join('\n');
  }
  if (finding.objects.length > 0) lines.push(`${m.finding.objects}: ${finding.objects.map(objectLabel).join(', ')}`);
  lines.push(`${m.finding.cause}: ${finding.cause}`, `${m.finding.fix}: ${finding.fix}`);
  if (finding.confirm.length > 0) lines.push(`${m.finding.confirm}:`, ...finding.confirm.map((command) => `  $ ${command}`));
  if (finding.evidence.length > 0) {
    lines.push(`${m.finding.evidence}:`);
    for (const evidence of finding.evidence) {
      lines.push(`  ${evidenceLocation(evidence)}`, ...evidence.excerpt.map((line) => `    | ${line}`));
    }
  }
  return lines.join('\n');
}

type Outcome = { area: string } & (
  | { kind: 'findings'; failing: Finding[]; belowThreshold: Finding[]; consequences: Finding[]; withdrawn: WithdrawnFinding[] }
  | { kind: 'skipped'; reason: string; missing: string[] }
  | { kind: 'passed' }
);

/**
 * One outcome per rule id. A rule that produced findings is judged on them even if it was also skipped for
 * some input; a skipped rule is never reported as passed. Consequences and withdrawn findings never fail
 * their testcase: a consequence fails with its cause's testcase, a withdrawn finding is not a finding.
 */
function outcomesByRule(report: Report, failOn: Severity | 'never'): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>();
  for (const rule of report.passed) outcomes.set(rule.ruleId, { area: rule.area, kind: 'passed' });
  for (const rule of report.skipped) outcomes.set(rule.ruleId, { area: rule.area, kind: 'skipped', reason: rule.reason, missing: rule.missing });
  const outcomeOf = (finding: Finding) => {
    let outcome = outcomes.get(finding.ruleId);
    if (outcome?.kind !== 'findings') {
      outcome = { area: finding.area, kind: 'findings', failing: [], belowThreshold: [], consequences: [], withdrawn: [] };
      outcomes.set(finding.ruleId, outcome);
    }
    return outcome;
  };
  for (const finding of report.findings) {
    const outcome = outcomeOf(finding);
    if (finding.causedBy) outcome.consequences.push(finding);
    else (atOrAbove(finding.severity, failOn) ? outcome.failing : outcome.belowThreshold).push(finding);
  }
  for (const finding of report.withdrawn) outcomeOf(finding).withdrawn.push(finding);
  return outcomes;
}

function testcase(ruleId: string, outcome: Outcome, m: Messages): string[] {
  const open = `    <testcase classname="${escapeXmlAttribute(`labsnap.${outcome.area}`)}" name="${escapeXmlAttribute(ruleId)}" time="0"`;
  if (outcome.kind === 'passed') return [`${open}/>`];
  if (outcome.kind === 'skipped') {
    const message = m.junit.skippedMessage(outcome.reason, outcome.missing);
    return [`${open}>`, `      <skipped message="${escapeXmlAttribute(message)}"/>`, '    </testcase>'];
  }
  const body: string[] = [];
  const [first] = outcome.failing;
  if (first) {
    // SEVERITIES is ordered worst first, so the first one present names the failure's type.
    const worst = SEVERITIES.find((severity) => outcome.failing.some((f) => f.severity === severity)) ?? first.severity;
    const message = m.junit.failureMessage(outcome.failing.length, first.summary);
    const details = outcome.failing.map((finding) => describeFinding(finding, m)).join('\n\n');
    body.push(`      <failure type="${worst}" message="${escapeXmlAttribute(message)}">${escapeXmlText(details)}</failure>`);
  }
  const out = [
    ...(outcome.belowThreshold.length > 0 ? [m.junit.belowThreshold, ...outcome.belowThreshold.map((finding) => describeFinding(finding, m))] : []),
    ...(outcome.consequences.length > 0 ? [m.junit.consequences, ...outcome.consequences.map((finding) => describeFinding(finding, m))] : []),
    ...(outcome.withdrawn.length > 0 ? [m.junit.withdrawn, ...outcome.withdrawn.map((finding) => describeFinding(finding, m))] : []),
  ];
  if (out.length > 0) body.push(`      <system-out>${escapeXmlText(out.join('\n\n'))}</system-out>`);
  if (body.length === 0) return [`${open}/>`];
  return [`${open}>`, ...body, '    </testcase>'];
}

export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const failOn = options.failOn ?? DEFAULT_FAIL_ON;
  const m = messagesFor(report.lang);
  const outcomes = outcomesByRule(report, failOn);
  const ruleIds = [...outcomes.keys()].sort(compareText);
  let failures = 0;
  let skipped = 0;
  for (const outcome of outcomes.values()) {
    if (outcome.kind === 'findings' && outcome.failing.length > 0) failures++;
    if (outcome.kind === 'skipped') skipped++;
  }
  const counts = `tests="${ruleIds.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0"`;
  const { summary } = report;
  const properties: [string, string][] = [
    ['cluster', summary.cluster],
    ['collectedAt', summary.collectedAt],
    ['bundle', summary.bundle.name],
    ['input', summary.bundle.input],
    ...(summary.bundle.sha256 !== null ? ([['bundle.sha256', summary.bundle.sha256]] as [string, string][]) : []),
    ['rulePack.version', summary.rulePack.version],
    ['rulePack.hash', summary.rulePack.hash],
    ['failOn', failOn],
    ['interrupted', String(summary.interrupted)],
    ...summary.hosts.unreached.map((host): [string, string] => ['host.unreached', `${host.name}: ${host.error}`]),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="labsnap" ${counts}>`,
    `  <testsuite name="${escapeXmlAttribute(`labsnap ${summary.cluster}`)}" ${counts}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property name="${escapeXmlAttribute(name)}" value="${escapeXmlAttribute(value)}"/>`),
    '    </properties>',
    ...ruleIds.flatMap((ruleId) => {
      const outcome = outcomes.get(ruleId);
      return outcome ? testcase(ruleId, outcome, m) : [];
    }),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
