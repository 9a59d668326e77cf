// The report as GitHub/GitLab-flavoured Markdown, to paste into a ticket. Every text from a rule or an
// artifact is treated as plain text: escaped in prose and tables, fenced (with a fence longer than any
// backtick run inside) when it is a command or an excerpt.
import { messagesFor } from './i18n.js';
import {
  consequences,
  consequenceTree,
  evidenceLocation,
  findingsBySeverity,
  objectLabel,
  passedByArea,
  scopeRows,
  scopeVerdict,
  showControls,
  timelineSource,
} from './render-common.js';
import type { Finding, Report } from './types.js';

// ASCII punctuation that can open emphasis, links, code, HTML, table cells or strikethrough mid-line.
const INLINE_SPECIAL = /[\\`*_[\]<|~]/g;
// Constructs that only mean something where a block starts: headings, lists, quotes, setext underlines.
const BLOCK_START = /^(?:([#>+=-])|(\d+)([.)]))/;

/** Plain text → Markdown that renders as the same text inside a line (newlines become `<br>`). */
export function escapeMarkdown(text: string): string {
  return showControls(text.replace(/\r\n?/g, '\n'))
    .replace(/&/g, '&amp;')
    .replace(INLINE_SPECIAL, (ch) => `\\${ch}`)
    .replace(/\n/g, '<br>');
}

/** Like escapeMarkdown, for text that starts a block and so must not read as a heading, list or quote. */
export function escapeParagraph(text: string): string {
  return escapeMarkdown(text.trimStart()).replace(BLOCK_START, (_whole, marker: string | undefined, digits: string, delimiter: string) =>
    marker !== undefined ? `\\${marker}` : `${digits}\\${delimiter}`,
  );
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * An inline code span that survives backticks in its content. In a table cell GFM splits on `|` even inside
 * code spans, so pipes are escaped there (GFM removes the backslash when rendering).
 */
export function inlineCode(text: string, inTable = false): string {
  const flat = showControls(text.replace(/\r\n?|\n/g, ' '));
  const fence = '`'.repeat(longestBacktickRun(flat) + 1);
  const padded = flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat;
  const body = inTable ? padded.replace(/\|/g, '\\|') : padded;
  return `${fence}${body}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the content, so content cannot close it. */
export function fencedBlock(lines: string[], info: string): string[] {
  const content = lines.map((line) => showControls(line));
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(content.join('\n')) + 1));
  return [`${fence}${info}`, ...content, fence];
}

/**
 * Cause and fix are written by rule authors with `code spans` for commands: those spans stay code (their
 * content made safe by inlineCode), everything around them is escaped like any other text.
 */
export function ruleText(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part) => (part.length > 2 && part.startsWith('`') && part.endsWith('`') ? inlineCode(part.slice(1, -1)) : escapeMarkdown(part)))
    .join('');
}

function tableRows(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}

const codeList = (items: string[], inTable: boolean): string => items.map((item) => inlineCode(item, inTable)).join(', ');

export function renderMarkdown(report: Report): string {
  const m = messagesFor(report.lang);
  const { summary } = report;
  const out: string[] = [`# ${escapeMarkdown(m.reportTitle(summary.cluster))}`];
  const block = (...lines: string[]): void => {
    out.push('', ...lines);
  };

  if (summary.interrupted) block(`> **${escapeMarkdown(m.summary.caution)}:** ${escapeMarkdown(m.summary.interrupted)}`);

  block(`## ${m.sections.summary}`);
  const names = (list: string[]): string => (list.length > 0 ? codeList(list, true) : escapeMarkdown(m.summary.none));
  block(
    ...tableRows(
      [m.summary.item, m.summary.value],
      [
        [m.summary.cluster, escapeMarkdown(summary.cluster)],
        [m.summary.collectedAt, escapeMarkdown(summary.collectedAt)],
        [m.summary.finishedAt, escapeMarkdown(summary.finishedAt)],
        [m.summary.hostsReached, names(summary.hosts.reached)],
        [m.summary.hostsUnreached, names(summary.hosts.unreached.map((host) => host.name))],
        [m.summary.rulePack, escapeMarkdown(m.summary.rulePackValue(summary.rulePack.version, summary.rulePack.rules))],
        [m.summary.rulePackHash, inlineCode(summary.rulePack.hash, true)],
        [m.summary.bundle, inlineCode(summary.bundle.name, true)],
        [m.summary.input, escapeMarkdown(summary.bundle.input)],
        [
          m.summary.bundleSha256,
          summary.bundle.sha256 !== null ? inlineCode(summary.bundle.sha256, true) : escapeMarkdown(m.summary.notAvailable),
        ],
        [m.summary.bundleFormatLabel, escapeMarkdown(m.summary.bundleFormat(summary.bundle.formatVersion, summary.bundle.tool))],
        [m.summary.results, escapeMarkdown(m.summary.counts(summary.counts))],
      ],
    ),
  );

  block(`## ${m.sections.scope}`);
  block(`**${m.scope.verdict}:** ${scopeVerdict(report).map(escapeMarkdown).join(report.lang === 'ja' ? '' : ' ')}`);
  const rows = scopeRows(report);
  if (rows.length > 0) {
    block(
      ...tableRows(
        [m.scope.levelHeader, m.scope.name, m.scope.rules],
        rows.map((row) => [escapeMarkdown(row.level), inlineCode(row.name, true), codeList(row.ruleIds, true)]),
      ),
    );
  }

  block(`## ${m.sections.findings}`);
  const groups = findingsBySeverity(report);
  if (groups.length === 0) block(escapeParagraph(m.finding.none));
  const findingBlocks = (finding: Finding, heading = '####'): void => {
    block(`${heading} ${inlineCode(finding.ruleId)} (${escapeMarkdown(finding.area)}): ${escapeMarkdown(finding.title)}`);
    block(escapeParagraph(finding.summary));
    block(
      ...(finding.causedBy ? [`- **${m.finding.causedBy}:** ${finding.causedBy.map((ref) => `${inlineCode(ref.ruleId)}: ${escapeMarkdown(ref.summary)}`).join('; ')}`] : []),
      ...(finding.objects.length > 0 ? [`- **${m.finding.objects}:** ${codeList(finding.objects.map(objectLabel), false)}`] : []),
      `- **${m.finding.cause}:** ${ruleText(finding.cause)}`,
      `- **${m.finding.fix}:** ${ruleText(finding.fix)}`,
    );
    if (finding.confirm.length > 0) block(`**${m.finding.confirm}**`, '', ...fencedBlock(finding.confirm, 'sh'));
    if (finding.evidence.length > 0) {
      block(`**${m.finding.evidence}**`);
      for (const evidence of finding.evidence) {
        block(inlineCode(evidenceLocation(evidence)), '', ...fencedBlock(evidence.excerpt, 'text'));
      }
    }
  };
  for (const group of groups) {
    block(`### ${escapeMarkdown(m.severityHeading(m.severity[group.severity], group.findings.length))}`);
    for (const finding of group.findings) {
      findingBlocks(finding);
      const explained = consequenceTree(report, finding);
      if (explained.length > 0) {
        block(
          `**${m.finding.consequences}**`,
          '',
          ...explained.map(({ depth, finding: c }) => `${'  '.repeat(depth)}- ${escapeMarkdown(`[${m.severity[c.severity]}]`)} ${inlineCode(c.ruleId)}: ${escapeMarkdown(c.summary)}`),
        );
      }
    }
  }
  const explained = consequences(report);
  if (explained.length > 0) {
    block(`## ${m.sections.consequences}`);
    block(escapeParagraph(m.finding.consequencesIntro));
    for (const finding of explained) findingBlocks(finding, '###');
  }
  if (report.withdrawn.length > 0) {
    block(`## ${m.sections.withdrawn}`);
    block(escapeParagraph(m.withdrawn.intro));
    block(
      ...tableRows(
        [m.skipped.rule, m.withdrawn.reason, m.withdrawn.by],
        report.withdrawn.map((f) => [
          `${inlineCode(f.ruleId, true)}<br>${escapeMarkdown(f.summary)}`,
          escapeMarkdown(f.reason),
          `${inlineCode(f.withdrawnBy.ruleId, true)}<br>${escapeMarkdown(f.withdrawnBy.summary)}`,
        ]),
      ),
    );
  }

  block(`## ${m.sections.recentChanges}`);
  if (report.recentChanges.length === 0) block(escapeParagraph(m.timeline.none));
  else {
    block(
      ...tableRows(
        [m.timeline.at, m.timeline.kind, m.timeline.host, m.timeline.change, m.timeline.source],
        report.recentChanges.map((entry) => [
          escapeMarkdown(entry.at),
          escapeMarkdown(m.timelineKind[entry.kind]),
          entry.host !== undefined ? inlineCode(entry.host, true) : '',
          escapeMarkdown(entry.text),
          inlineCode(timelineSource(entry), true),
        ]),
      ),
    );
  }

  block(`## ${m.sections.gaps}`);
  const { gaps } = report;
  if (gaps.unreachedHosts.length === 0 && gaps.items.length === 0) block(escapeParagraph(m.gaps.none));
  if (gaps.unreachedHosts.length > 0) {
    block(`**${m.gaps.unreachedHosts}**`);
    block(
      ...tableRows(
        [m.gaps.host, m.gaps.error],
        gaps.unreachedHosts.map((host) => [inlineCode(host.name, true), escapeMarkdown(host.error)]),
      ),
    );
  }
  if (gaps.items.length > 0) {
    block(`**${m.gaps.failedItems}**`);
    block(
      ...tableRows(
        [m.gaps.path, m.gaps.host, m.gaps.status, m.gaps.reason],
        gaps.items.map((item) => [
          inlineCode(item.path, true),
          item.host !== undefined ? inlineCode(item.host, true) : '',
          escapeMarkdown(item.status),
          escapeMarkdown(item.reason),
        ]),
      ),
    );
  }

  block(`## ${m.sections.skipped}`);
  if (report.skipped.length === 0) block(escapeParagraph(m.skipped.none));
  else {
    block(
      ...tableRows(
        [m.skipped.rule, m.skipped.reason, m.skipped.missing],
        report.skipped.map((rule) => [
          `${inlineCode(rule.ruleId, true)} (${escapeMarkdown(rule.area)})<br>${escapeMarkdown(rule.title)}`,
          escapeMarkdown(rule.reason),
          rule.missing.map((path) => inlineCode(path, true)).join('<br>'),
        ]),
      ),
    );
  }

  block(`## ${m.sections.passed}`);
  // One row per rule, the area only on the first of its group: a table reads as grouped yet stays one line
  // per rule, short next to the findings.
  const passed = passedByArea(report);
  if (passed.length === 0) block(escapeParagraph(m.passed.none));
  else {
    block(
      ...tableRows(
        [m.passed.area, m.passed.rule, m.passed.title],
        passed.flatMap((group) =>
          group.rules.map((rule, i) => [i === 0 ? escapeMarkdown(group.area) : '', inlineCode(rule.ruleId, true), escapeMarkdown(rule.title)]),
        ),
      ),
    );
  }

  return `${out.join('\n')}\n`;
}
