// The report as one self-contained HTML page for a ticket: the lab's topology with findings overlaid,
// findings grouped by where they hit, a timeline chart, and the same summary, gaps, skipped and passed
// rules as the other formats. Inline CSS, script and SVG only; a Content-Security-Policy with hashes lets
// exactly that script and style run and forbids every fetch, so the page works from file:// and nothing in
// a bundle (all of it escaped) can run or phone home. Deterministic: same report + topology, same bytes.
import { createHash } from 'node:crypto';
import type { Topology } from '../model/topology.js';
import { esc, jsonForScript, ruleHtml } from './html/escape.js';
import { htmlMessagesFor, type HtmlMessages } from './html/messages.js';
import { REPORT_SCRIPT } from './html/script.js';
import { REPORT_CSS } from './html/style.js';
import { renderTimelineSvg } from './html/timeline-svg.js';
import { renderTopologySvg, type TopologySvg } from './html/topology-svg.js';
import { messagesFor, type Messages } from './i18n.js';
import { evidenceLocation, objectLabel, passedByArea, scopeRows, scopeVerdict, timelineSource } from './render-common.js';
import { SEVERITIES, type Finding, type Report, type Severity } from './types.js';
import { compareText } from '../../common/compare.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64');

/** The Content-Security-Policy of a page whose only style and script are the given inline texts. */
export function contentSecurityPolicy(style: string, script: string): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${sha256(style)}'`,
    `script-src 'sha256-${sha256(script)}'`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

interface ScopeGroupOf {
  level: 'cluster' | 'node' | 'host' | 'namespace';
  name: string;
  findings: { finding: Finding; index: number }[];
}

const LEVEL_ORDER = ['cluster', 'node', 'host', 'namespace'] as const;
const rank = (s: Severity) => SEVERITIES.indexOf(s);

/**
 * Findings by where they hit, as the text report's scope section counts them: one group per cluster, node,
 * host or namespace (a host that is a node counts as that node); each finding in exactly one group.
 */
export function findingsByScope(report: Report, topology: Topology | undefined): ScopeGroupOf[] {
  const nodeOfHost = new Map<string, string>();
  for (const m of topology?.machines ?? []) if (m.host && m.node) nodeOfHost.set(m.host.name, m.node.name);
  const groups = new Map<string, ScopeGroupOf>();
  report.findings.forEach((finding, index) => {
    let level: ScopeGroupOf['level'] = finding.scope.level;
    let names = finding.scope.names;
    if (level === 'host' && names.length > 0 && names.every((n) => nodeOfHost.has(n))) {
      level = 'node';
      names = names.map((n) => nodeOfHost.get(n)!);
    }
    const name = level === 'cluster' ? '' : [...new Set(names)].join(', ');
    const key = `${level}\u0000${name}`;
    const group = groups.get(key) ?? { level, name, findings: [] };
    group.findings.push({ finding, index });
    groups.set(key, group);
  });
  const worst = (g: ScopeGroupOf) => Math.min(...g.findings.map((f) => rank(f.finding.severity)));
  return [...groups.values()].sort(
    (a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) || worst(a) - worst(b) || compareText(a.name, b.name),
  );
}

function countPills(counts: { critical: number; warning: number; info: number }, m: Messages): string {
  return SEVERITIES.map((s) => `<li class="pill ${s}">${esc(m.severity[s])} ${counts[s]}</li>`).join('');
}

function findingHtml(finding: Finding, index: number, m: Messages, h: HtmlMessages, topo: TopologySvg | undefined): string {
  const out: string[] = [];
  // A consequence stays in its scope group (the element it names is still affected) but says what causes it.
  out.push(`<article class="finding ${finding.severity}${finding.causedBy ? ' consequence' : ''}" id="f${index}" data-rule="${esc(finding.ruleId)}">`);
  out.push(
    `<h4><span class="sev ${finding.severity}">${esc(m.severity[finding.severity])}</span><code>${esc(finding.ruleId)}</code><span>${esc(finding.title)}</span><span class="area">${esc(finding.area)}</span></h4>`,
  );
  out.push(`<p class="summary-line">${esc(finding.summary)}</p>`);
  if (finding.causedBy) {
    out.push(`<p class="caused-by"><strong>${esc(m.finding.causedBy)}:</strong> ${finding.causedBy.map((ref) => `<code>${esc(ref.ruleId)}</code> ${esc(ref.summary)}`).join('; ')}</p>`);
  }
  out.push('<dl>');
  if (finding.objects.length > 0) out.push(`<dt>${esc(m.finding.objects)}</dt><dd>${finding.objects.map((o) => `<code>${esc(objectLabel(o))}</code>`).join(' ')}</dd>`);
  out.push(`<dt>${esc(m.finding.cause)}</dt><dd>${ruleHtml(finding.cause)}</dd>`);
  out.push(`<dt>${esc(m.finding.fix)}</dt><dd>${ruleHtml(finding.fix, h.copy)}</dd></dl>`);
  if (finding.confirm.length > 0) {
    out.push(`<div class="label confirm">${esc(m.finding.confirm)}</div><ul class="cmds">`);
    for (const cmd of finding.confirm) out.push(`<li><code>${esc(cmd)}</code><button type="button" class="copy">${esc(h.copy)}</button></li>`);
    out.push('</ul>');
  }
  if (finding.evidence.length > 0) {
    out.push(`<div class="label">${esc(m.finding.evidence)}</div>`);
    // The first few excerpts open: enough to see the point; the rest one click away.
    for (const [i, ev] of finding.evidence.entries()) {
      out.push(`<details class="evidence"${i < 3 ? ' open' : ''}><summary>${esc(evidenceLocation(ev))}</summary><pre class="excerpt">${esc(ev.excerpt.join('\n'))}</pre></details>`);
    }
  }
  out.push(`<a class="open-full" href="#f${index}">${esc(h.fullFinding)}</a>`);
  const targets = topo?.elementsOfFinding.get(index) ?? [];
  if (targets.length > 0) {
    out.push(`<p class="targets">${esc(h.showInTopology)}: `);
    for (const id of targets) out.push(`<button type="button" data-show="${esc(id)}">${esc(topo?.labels.get(id) ?? id)}</button>`);
    out.push('</p>');
  }
  out.push('</article>');
  return out.join('');
}

function table(header: string[], rows: string[][], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${header.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderHtml(report: Report, topology?: Topology): string {
  const m = messagesFor(report.lang);
  const h = htmlMessagesFor(report.lang);
  const { summary } = report;
  const topo = topology ? renderTopologySvg(report, topology, h) : undefined;
  const body: string[] = [];

  body.push('<header>');
  body.push(`<h1>${esc(m.reportTitle(summary.cluster))}</h1>`);
  body.push(`<p class="sub">${esc(m.summary.collectedAt)} ${esc(summary.collectedAt)} · ${esc(m.summary.bundle)} <code>${esc(summary.bundle.name)}</code> · ${esc(m.summary.hostsReached)} ${summary.hosts.reached.length}${summary.hosts.unreached.length > 0 ? ` · ${esc(m.summary.hostsUnreached)} ${summary.hosts.unreached.length}` : ''}</p>`);
  body.push(`<ul class="pills">${countPills(summary.counts, m)}</ul>`);
  if (summary.interrupted) body.push(`<p class="banner"><strong>${esc(m.summary.caution)}:</strong> ${esc(m.summary.interrupted)}</p>`);
  body.push(`<p><strong>${esc(m.scope.verdict)}:</strong> ${esc(scopeVerdict(report).join(report.lang === 'ja' ? '' : ' '))}</p>`);
  body.push('</header>');

  body.push(`<section id="topology-section"><h2>${esc(h.topology)}</h2>`);
  if (topo) {
    body.push(`<div class="topo-tools"><button type="button" id="zoom-in" title="${esc(h.zoomIn)}">+</button><button type="button" id="zoom-out" title="${esc(h.zoomOut)}">−</button><button type="button" id="zoom-fit">${esc(h.fit)}</button><span>${esc(h.topologyHelp)}</span>`);
    body.push(`<span class="legend">${(['critical', 'warning', 'info', 'healthy'] as const).map((k) => `<span><i class="l-${k}"></i>${esc(h.legend[k])}</span>`).join('')}</span></div>`);
    body.push(`<div class="topo-wrap"><div class="topo-view">${topo.svg}</div>`);
    body.push(`<aside class="panel card" id="panel" aria-live="polite" aria-label="${esc(h.details)}"><button type="button" class="close" id="panel-close" title="${esc(h.close)}">×</button><div id="panel-body"></div></aside></div>`);
  } else body.push(`<p class="empty">${esc(h.noTopology)}</p>`);
  body.push('</section>');

  body.push(`<section id="scope"><h2>${esc(m.sections.scope)}</h2>`);
  const rows = scopeRows(report);
  if (rows.length > 0) {
    body.push(table([m.scope.levelHeader, m.scope.name, m.scope.rules], rows.map((r) => [esc(r.level), `<code>${esc(r.name)}</code>`, r.ruleIds.map((id) => `<code>${esc(id)}</code>`).join(' ')])));
  } else body.push(`<p class="empty">${esc(m.scope.none)}</p>`);
  body.push('</section>');

  body.push(`<section id="findings"><h2>${esc(m.sections.findings)} <span class="area">${esc(h.findingsByScope)}</span></h2>`);
  const groups = findingsByScope(report, topology);
  if (groups.length === 0) body.push(`<p class="empty">${esc(m.finding.none)}</p>`);
  for (const group of groups) {
    const count = (s: Severity) => group.findings.filter((f) => f.finding.severity === s).length;
    const label = h.scopeGroups[group.level];
    body.push(`<div class="scope-group"><h3>${esc(label)}${group.name ? ` <code>${esc(group.name)}</code>` : ''} <span class="area">${esc(h.severityCount(count('critical'), count('warning'), count('info')))}</span></h3>`);
    for (const { finding, index } of group.findings) body.push(findingHtml(finding, index, m, h, topo));
    body.push('</div>');
  }
  body.push('</section>');

  if (report.withdrawn.length > 0) {
    body.push(`<section id="withdrawn"><h2>${esc(m.sections.withdrawn)}</h2><p>${esc(m.withdrawn.intro)}</p>`);
    body.push(
      table(
        [m.skipped.rule, m.withdrawn.reason, m.withdrawn.by],
        report.withdrawn.map((f) => [
          `<code>${esc(f.ruleId)}</code><br>${esc(f.summary)}`,
          esc(f.reason),
          `<code>${esc(f.withdrawnBy.ruleId)}</code><br>${esc(f.withdrawnBy.summary)}`,
        ]),
      ),
    );
    body.push('</section>');
  }

  body.push(`<section id="changes"><h2>${esc(m.sections.recentChanges)} <span class="area">${esc(h.timelineCount(report.recentChanges.length))}</span></h2>`);
  if (report.recentChanges.length === 0) body.push(`<p class="empty">${esc(m.timeline.none)}</p>`);
  else {
    body.push(renderTimelineSvg(report));
    const header = [m.timeline.at, m.timeline.kind, m.timeline.host, m.timeline.change, m.timeline.source].map((c) => `<th>${esc(c)}</th>`).join('');
    body.push(`<div class="tl-table"><table><thead><tr>${header}</tr></thead><tbody>`);
    report.recentChanges.forEach((e, i) => {
      const cells = [esc(e.at), esc(m.timelineKind[e.kind]), e.host !== undefined ? `<code>${esc(e.host)}</code>` : '', esc(e.text), `<code>${esc(timelineSource(e))}</code>`];
      body.push(`<tr id="tl-${i}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
    });
    body.push('</tbody></table></div>');
  }
  body.push('</section>');

  body.push(`<section id="summary"><h2>${esc(m.sections.summary)}</h2>`);
  const names = (list: string[]) => (list.length > 0 ? list.map((n) => `<code>${esc(n)}</code>`).join(' ') : esc(m.summary.none));
  body.push(
    `<table class="kv"><tbody>${[
      [m.summary.cluster, esc(summary.cluster)],
      [m.summary.collectedAt, esc(summary.collectedAt)],
      [m.summary.finishedAt, esc(summary.finishedAt)],
      [m.summary.hostsReached, names(summary.hosts.reached)],
      [m.summary.hostsUnreached, names(summary.hosts.unreached.map((u) => u.name))],
      [m.summary.rulePack, esc(m.summary.rulePackValue(summary.rulePack.version, summary.rulePack.rules))],
      [m.summary.rulePackHash, `<code>${esc(summary.rulePack.hash)}</code>`],
      [m.summary.bundle, `<code>${esc(summary.bundle.name)}</code>`],
      [m.summary.bundleSha256, summary.bundle.sha256 !== null ? `<code>${esc(summary.bundle.sha256)}</code>` : esc(m.summary.notAvailable)],
      [m.summary.bundleFormatLabel, esc(m.summary.bundleFormat(summary.bundle.formatVersion, summary.bundle.tool))],
      [m.summary.results, esc(m.summary.counts(summary.counts)).replace('\n', '<br>')],
    ]
      .map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${v}</td></tr>`)
      .join('')}</tbody></table>`,
  );
  body.push('</section>');

  body.push(`<section id="gaps"><h2>${esc(m.sections.gaps)}</h2>`);
  const { gaps } = report;
  if (gaps.unreachedHosts.length === 0 && gaps.items.length === 0) body.push(`<p class="empty">${esc(m.gaps.none)}</p>`);
  if (gaps.unreachedHosts.length > 0) {
    body.push(`<h3>${esc(m.gaps.unreachedHosts)}</h3>`);
    body.push(table([m.gaps.host, m.gaps.error], gaps.unreachedHosts.map((u) => [`<code>${esc(u.name)}</code>`, esc(u.error)])));
  }
  if (gaps.items.length > 0) {
    body.push(`<h3>${esc(m.gaps.failedItems)}</h3>`);
    body.push(table([m.gaps.path, m.gaps.host, m.gaps.status, m.gaps.reason], gaps.items.map((i) => [`<code>${esc(i.path)}</code>`, i.host !== undefined ? `<code>${esc(i.host)}</code>` : '', esc(i.status), esc(i.reason)])));
  }
  body.push('</section>');

  body.push(`<section id="skipped"><h2>${esc(m.sections.skipped)}</h2>`);
  if (report.skipped.length === 0) body.push(`<p class="empty">${esc(m.skipped.none)}</p>`);
  else {
    body.push(
      table(
        [m.skipped.rule, m.skipped.reason, m.skipped.missing],
        report.skipped.map((s) => [`<code>${esc(s.ruleId)}</code> <span class="area">${esc(s.area)}</span><br>${esc(s.title)}`, esc(s.reason), s.missing.map((p) => `<code>${esc(p)}</code>`).join('<br>')]),
      ),
    );
  }
  body.push('</section>');

  body.push(`<section id="passed"><h2>${esc(m.sections.passed)}</h2>`);
  const passed = passedByArea(report);
  if (passed.length === 0) body.push(`<p class="empty">${esc(m.passed.none)}</p>`);
  else {
    body.push(table([m.passed.area, m.passed.rule, m.passed.title], passed.flatMap((g) => g.rules.map((r, i) => [i === 0 ? esc(g.area) : '', `<code>${esc(r.ruleId)}</code>`, esc(r.title)]))));
  }
  body.push('</section>');
  body.push(`<footer>${esc(h.generatedBy(summary.bundle.tool))} · ${esc(m.summary.rulePack)} ${esc(summary.rulePack.version)}</footer>`);

  const ui = jsonForScript({ noFindings: h.noFindingsHere, copy: h.copy, copied: h.copied });
  return [
    '<!DOCTYPE html>',
    `<html lang="${report.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    // Our own constant, free of quotes and angle brackets: written as is so it reads as a policy.
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(REPORT_CSS, REPORT_SCRIPT)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(m.reportTitle(summary.cluster))}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    `<main>${body.join('\n')}</main>`,
    `<script type="application/json" id="labsnap-ui">${ui}</script>`,
    `<script>${REPORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
