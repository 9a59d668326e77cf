// The terminal report. Layout is computed on plain text with East Asian widths (a kanji takes two columns),
// colour is added afterwards so escape codes never count toward a line's width. Only ASCII is used for rules
// and separators: box-drawing characters and dashes are "ambiguous width" and render two columns wide in
// many Japanese terminals, which would break every alignment.
import { messagesFor } from './i18n.js';
import {
  consequences,
  consequenceTree,
  evidenceLocation,
  findingsBySeverity,
  objectLabel,
  passedByArea,
  refLabel,
  scopeRows,
  scopeVerdict,
  showControls,
  timelineSource,
  type AreaGroup,
} from './render-common.js';
import type { Finding, Report, Severity } from './types.js';

export interface TextOptions {
  color: boolean;
  /** Terminal columns; prose wraps to this. Commands and evidence lines never wrap so they stay copyable. */
  width?: number;
}

const DEFAULT_WIDTH = 80;
const MIN_WIDTH = 40;
const INDENT = '  ';

// Unicode East Asian Width W and F ranges that occur in practice (CJK, kana, Hangul, fullwidth forms,
// emoji), sorted so the lookup can stop early.
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f5],
  [0x26fa, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274e],
  [0x2753, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

// Combining marks, zero-width spaces/joiners and variation selectors add nothing to the width.
const ZERO_WIDTH_RANGES: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0x3099, 0x309a],
  [0xfe00, 0xfe0f],
  [0xfe20, 0xfe2f],
];

function inRanges(code: number, ranges: readonly (readonly [number, number])[]): boolean {
  for (const [low, high] of ranges) {
    if (code < low) return false;
    if (code <= high) return true;
  }
  return false;
}

/** Columns one code point occupies in a terminal: 0, 1 or 2. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (inRanges(code, ZERO_WIDTH_RANGES)) return 0;
  return inRanges(code, WIDE_RANGES) ? 2 : 1;
}

/** Columns a string occupies in a terminal (no escape codes expected). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

// Japanese line-breaking rules (禁則): these never start a line, those never end one.
const NO_BREAK_BEFORE = new Set([...'、。，．・：；？！）］｝」』】〉》〕ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々,.:;!?)]}%']);
const NO_BREAK_AFTER = new Set([...'（［｛「『【〈《〔([{']);

interface Unit {
  text: string;
  isSpace: boolean;
}

/**
 * Splits a paragraph into pieces a line may break between: Latin words (broken only at spaces) and single
 * wide characters (CJK breaks anywhere), glued together where 禁則 forbids a break.
 */
function breakUnits(paragraph: string): Unit[] {
  const units: Unit[] = [];
  let lastWasWide = false;
  for (const char of paragraph) {
    const previous = units[units.length - 1];
    if (char === ' ') {
      if (previous?.isSpace) previous.text += char;
      else units.push({ text: char, isSpace: true });
      continue;
    }
    const beforeSpace = units[units.length - 2];
    if (previous?.isSpace && beforeSpace && NO_BREAK_BEFORE.has(char) && charWidth(char) === 2) {
      // "x 、" must not break at the space either: the 読点 would still start the next line. (An ASCII
      // "ls ." is a different thing: the dot is an argument, not punctuation.)
      units.pop();
      beforeSpace.text += previous.text + char;
      lastWasWide = charWidth(char) === 2;
      continue;
    }
    const wide = charWidth(char) === 2;
    const previousLast = previous && !previous.isSpace ? [...previous.text].pop() ?? '' : '';
    const glue =
      previous !== undefined &&
      !previous.isSpace &&
      (NO_BREAK_BEFORE.has(char) || NO_BREAK_AFTER.has(previousLast) || (!wide && !lastWasWide) || charWidth(char) === 0);
    if (glue && previous) previous.text += char;
    else units.push({ text: char, isSpace: false });
    if (charWidth(char) !== 0) lastWasWide = wide;
  }
  return units;
}

/**
 * Wraps prose to `width` columns. Newlines in the input start new lines; a word longer than the line is left
 * whole on its own line (paths and URLs must stay copyable) rather than cut.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    let pendingSpace = false;
    for (const unit of breakUnits(paragraph)) {
      if (unit.isSpace) {
        pendingSpace = line !== '';
        continue;
      }
      const unitWidth = displayWidth(unit.text);
      const gap = pendingSpace ? 1 : 0;
      if (line !== '' && lineWidth + gap + unitWidth > width) {
        lines.push(line);
        line = unit.text;
        lineWidth = unitWidth;
      } else {
        line += (gap ? ' ' : '') + unit.text;
        lineWidth += gap + unitWidth;
      }
      pendingSpace = false;
    }
    lines.push(line);
  }
  return lines;
}

/** Tabs to spaces at 8-column stops, so excerpts keep their alignment whatever the terminal's tab setting. */
function expandTabs(line: string): string {
  let out = '';
  let column = 0;
  for (const char of line) {
    if (char === '\t') {
      const spaces = 8 - (column % 8);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += char;
      column += charWidth(char);
    }
  }
  return out;
}

/** Content from the bundle or the rules, made safe to print on one terminal line. */
function clean(text: string): string {
  return showControls(text.replace(/\r\n?/g, '\n'));
}

function wrapIndented(text: string, indent: string, width: number): string[] {
  return wrapText(clean(text), Math.max(1, width - displayWidth(indent))).map((line) => (line === '' ? '' : indent + line));
}

/**
 * Rows as aligned columns with the last column wrapped under itself. When the fixed columns leave too little
 * room for the last one, each row stacks instead: fixed columns on one line, the last below them.
 */
function table(rows: string[][], indent: string, width: number): string[] {
  if (rows.length === 0) return [];
  const fixedCount = Math.max(...rows.map((row) => row.length)) - 1;
  const columnWidths = Array.from({ length: fixedCount }, (_, i) => Math.max(...rows.map((row) => displayWidth(clean(row[i] ?? '')))));
  const lastStart = displayWidth(indent) + columnWidths.reduce((sum, w) => sum + w + 2, 0);
  const stacked = width - lastStart < 24;
  const out: string[] = [];
  for (const row of rows) {
    const fixed = row.slice(0, fixedCount).map((cell) => clean(cell));
    const last = row[fixedCount] ?? '';
    if (stacked) {
      out.push(indent + fixed.filter((cell) => cell !== '').join('  '));
      out.push(...wrapIndented(last, `${indent}    `, width));
      continue;
    }
    const prefix = indent + fixed.map((cell, i) => padToWidth(cell, columnWidths[i] ?? 0)).join('  ') + (fixedCount > 0 ? '  ' : '');
    const wrapped = wrapText(clean(last), width - lastStart);
    const hanging = ' '.repeat(lastStart);
    wrapped.forEach((line, i) => out.push((i === 0 ? prefix + line : line === '' ? '' : hanging + line).trimEnd()));
  }
  return out;
}

/**
 * Cuts text to `width` columns, marking the cut with "..." (ASCII: an ellipsis is ambiguous width). A Latin
 * word is not cut in half when an earlier space allows; Japanese may be cut between any two characters.
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const chars = [...text];
  let kept = 0;
  let used = 0;
  for (const char of chars) {
    const w = charWidth(char);
    if (used + w + 3 > width) break;
    kept++;
    used += w;
  }
  const inWord = (char: string | undefined): boolean => char !== undefined && char !== ' ' && charWidth(char) === 1;
  let cut = kept;
  if (inWord(chars[kept - 1]) && inWord(chars[kept])) {
    const space = chars.lastIndexOf(' ', kept - 1);
    if (space > 0) cut = space;
  }
  return `${chars.slice(0, cut).join('').trimEnd()}...`;
}

// Below this many columns a cut title says too little to be worth a column of its own.
const MIN_TITLE_WIDTH = 20;

/**
 * Passed rules, one line each: area (on the first rule of its group), id, and the title cut to the line.
 * They matter least in the report, so they get no wrapped prose that would outweigh the findings. On a
 * terminal too narrow for that, each area heads its rules and each title goes under its id.
 */
function passedLines(groups: AreaGroup[], indent: string, width: number): string[] {
  const oneLine = (text: string): string => clean(text).replace(/\n/g, ' ');
  const areaWidth = Math.max(...groups.map((group) => displayWidth(oneLine(group.area))));
  const idWidth = Math.max(...groups.flatMap((group) => group.rules.map((rule) => displayWidth(oneLine(rule.ruleId)))));
  const titleStart = displayWidth(indent) + areaWidth + 2 + idWidth + 2;
  const out: string[] = [];
  if (width - titleStart >= MIN_TITLE_WIDTH) {
    for (const group of groups) {
      group.rules.forEach((rule, i) => {
        const area = padToWidth(i === 0 ? oneLine(group.area) : '', areaWidth);
        out.push(`${indent}${area}  ${padToWidth(oneLine(rule.ruleId), idWidth)}  ${truncateToWidth(oneLine(rule.title), width - titleStart)}`);
      });
    }
    return out;
  }
  const ruleIndent = indent + INDENT;
  const titleIndent = ruleIndent + INDENT;
  for (const group of groups) {
    out.push(indent + oneLine(group.area));
    for (const rule of group.rules) {
      out.push(ruleIndent + oneLine(rule.ruleId), titleIndent + truncateToWidth(oneLine(rule.title), width - displayWidth(titleIndent)));
    }
  }
  return out;
}

const ANSI = {
  bold: '\u001b[1m',
  red: '\u001b[1;31m',
  yellow: '\u001b[1;33m',
  cyan: '\u001b[36m',
  reset: '\u001b[0m',
} as const;

const SEVERITY_COLOR: Record<Severity, string> = { critical: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan };

export function renderText(report: Report, options: TextOptions): string {
  const width = Math.max(MIN_WIDTH, options.width ?? DEFAULT_WIDTH);
  const m = messagesFor(report.lang);
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const out: string[] = [];

  const heading = (title: string): void => {
    out.push('', paint(ANSI.bold, title), '-'.repeat(displayWidth(title)));
  };
  const note = (text: string): void => {
    out.push(...wrapIndented(text, INDENT, width));
  };

  const title = clean(m.reportTitle(report.summary.cluster));
  out.push(paint(ANSI.bold, title), '='.repeat(displayWidth(title)));

  const { summary } = report;
  heading(m.sections.summary);
  const hostList = (names: string[]): string => (names.length > 0 ? names.join(', ') : m.summary.none);
  out.push(
    ...table(
      [
        [m.summary.cluster, summary.cluster],
        [m.summary.collectedAt, summary.collectedAt],
        [m.summary.finishedAt, summary.finishedAt],
        [m.summary.hostsReached, hostList(summary.hosts.reached)],
        [m.summary.hostsUnreached, hostList(summary.hosts.unreached.map((host) => host.name))],
        [m.summary.rulePack, m.summary.rulePackValue(summary.rulePack.version, summary.rulePack.rules)],
        [m.summary.rulePackHash, summary.rulePack.hash],
        [m.summary.bundle, summary.bundle.name],
        [m.summary.input, summary.bundle.input],
        [m.summary.bundleSha256, summary.bundle.sha256 ?? m.summary.notAvailable],
        [m.summary.bundleFormatLabel, m.summary.bundleFormat(summary.bundle.formatVersion, summary.bundle.tool)],
        [m.summary.results, m.summary.counts(summary.counts)],
      ],
      INDENT,
      width,
    ),
  );
  if (summary.interrupted) {
    const warning = wrapIndented(m.summary.interrupted, `${INDENT}  `, width).map((line, i) => (i === 0 ? `${INDENT}! ${line.trimStart()}` : line));
    out.push('', ...warning.map((line) => paint(ANSI.yellow, line)));
  }

  heading(m.sections.scope);
  out.push(...table([[m.scope.verdict, scopeVerdict(report).join(report.lang === 'ja' ? '' : ' ')]], INDENT, width));
  const rows = scopeRows(report);
  if (rows.length > 0) {
    out.push('', ...table(rows.map((row) => [row.level, row.name, row.ruleIds.join(', ')]), INDENT, width));
  }

  heading(m.sections.findings);
  const groups = findingsBySeverity(report);
  if (groups.length === 0) note(m.finding.none);
  const findingLines = (finding: Finding): void => {
    const badge = `[${m.severity[finding.severity]}]`;
    const headline = wrapText(clean(`${badge} ${finding.ruleId} (${finding.area}): ${finding.title}`), width);
    out.push('', ...headline.map((line, i) => (i === 0 ? paint(SEVERITY_COLOR[finding.severity], badge) + line.slice(badge.length) : line)));
    out.push(...wrapIndented(finding.summary, INDENT, width));
    if (finding.causedBy) {
      out.push(`${INDENT}${m.finding.causedBy}:`);
      for (const ref of finding.causedBy) out.push(...bulleted(refLabel(ref), `${INDENT}${INDENT}`));
    }
    out.push(
      ...table(
        [
          ...(finding.objects.length > 0 ? [[m.finding.objects, finding.objects.map(objectLabel).join(', ')]] : []),
          [m.finding.cause, finding.cause],
          [m.finding.fix, finding.fix],
        ],
        INDENT,
        width,
      ),
    );
    if (finding.confirm.length > 0) {
      out.push(`${INDENT}${m.finding.confirm}:`);
      for (const command of finding.confirm) out.push(`${INDENT}${INDENT}$ ${clean(command)}`);
    }
    if (finding.evidence.length > 0) {
      out.push(`${INDENT}${m.finding.evidence}:`);
      for (const evidence of finding.evidence) {
        out.push(`${INDENT}${INDENT}${clean(evidenceLocation(evidence))}`);
        for (const line of evidence.excerpt) out.push(`${INDENT}${INDENT}${INDENT}| ${clean(expandTabs(line))}`.trimEnd());
      }
    }
  };
  const bulleted = (text: string, indent: string): string[] =>
    wrapIndented(text, `${indent}  `, width).map((line, i) => (i === 0 ? `${indent}- ${line.trimStart()}` : line));
  for (const group of groups) {
    for (const finding of group.findings) {
      findingLines(finding);
      const explained = consequenceTree(report, finding);
      if (explained.length > 0) {
        out.push(`${INDENT}${m.finding.consequences}:`);
        for (const { depth, finding: c } of explained) {
          out.push(...bulleted(`[${m.severity[c.severity]}] ${c.ruleId}: ${c.summary}`, `${INDENT}${INDENT}${INDENT.repeat(depth)}`));
        }
      }
    }
  }
  const explained = consequences(report);
  if (explained.length > 0) {
    heading(m.sections.consequences);
    note(m.finding.consequencesIntro);
    for (const finding of explained) findingLines(finding);
  }
  if (report.withdrawn.length > 0) {
    heading(m.sections.withdrawn);
    note(m.withdrawn.intro);
    for (const finding of report.withdrawn) {
      out.push('', ...wrapIndented(`${finding.ruleId} (${finding.area}): ${finding.title}`, '', width));
      out.push(...wrapIndented(finding.summary, INDENT, width));
      out.push(...table([[m.withdrawn.reason, finding.reason], [m.withdrawn.by, refLabel(finding.withdrawnBy)]], INDENT, width));
    }
  }

  heading(m.sections.recentChanges);
  if (report.recentChanges.length === 0) note(m.timeline.none);
  else {
    out.push(
      ...table(
        report.recentChanges.map((entry) => [
          entry.at,
          m.timelineKind[entry.kind],
          entry.host ?? '',
          `${entry.text}\n(${timelineSource(entry)})`,
        ]),
        INDENT,
        width,
      ),
    );
  }

  heading(m.sections.gaps);
  const { gaps } = report;
  if (gaps.unreachedHosts.length === 0 && gaps.items.length === 0) note(m.gaps.none);
  if (gaps.unreachedHosts.length > 0) {
    out.push(`${INDENT}${m.gaps.unreachedHosts}:`);
    out.push(...table(gaps.unreachedHosts.map((host) => [host.name, host.error]), INDENT + INDENT, width));
  }
  if (gaps.items.length > 0) {
    out.push(`${INDENT}${m.gaps.failedItems}:`);
    out.push(...table(gaps.items.map((item) => [item.path, item.host ?? '', item.status, item.reason]), INDENT + INDENT, width));
  }

  heading(m.sections.skipped);
  if (report.skipped.length === 0) note(m.skipped.none);
  for (const rule of report.skipped) {
    out.push(...wrapIndented(`${rule.ruleId} (${rule.area}): ${rule.title}`, INDENT, width));
    out.push(
      ...table(
        [[m.skipped.reason, rule.reason], ...(rule.missing.length > 0 ? [[m.skipped.missing, rule.missing.join('\n')]] : [])],
        INDENT + INDENT,
        width,
      ),
    );
  }

  heading(m.sections.passed);
  const passed = passedByArea(report);
  if (passed.length === 0) note(m.passed.none);
  else out.push(...passedLines(passed, INDENT, width));

  return `${out.join('\n')}\n`;
}
