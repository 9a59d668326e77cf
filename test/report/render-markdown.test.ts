import { describe, expect, it } from 'vitest';
import { escapeMarkdown, escapeParagraph, fencedBlock, inlineCode, renderMarkdown } from '../../analyzer/report/render-markdown.js';
import type { Lang } from '../../analyzer/report/types.js';
import { brokenLabReport, healthyLabReport, hostileContentReport } from './reports.js';

const LANGS: Lang[] = ['en', 'ja'];

/** Cell separators of a GFM table row: pipes not escaped by a backslash. */
function separators(row: string): number {
  return (row.match(/(?<!\\)\|/g) ?? []).length;
}

/** Consecutive `|` lines, outside fenced code blocks. */
function tables(markdown: string): string[][] {
  const found: string[][] = [];
  let current: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const fenceMatch = /^(`{3,})/.exec(line);
    if (fenceMatch?.[1] && (fence === null || line === fence)) fence = fence === null ? fenceMatch[1] : null;
    if (fence === null && line.startsWith('|')) current.push(line);
    else if (current.length > 0) {
      found.push(current);
      current = [];
    }
  }
  return found;
}

describe('renderMarkdown', () => {
  it.each(LANGS)('matches the golden file for the broken lab (%s)', async (lang) => {
    await expect(renderMarkdown(brokenLabReport(lang))).toMatchFileSnapshot(`./__golden__/broken-lab.${lang}.md`);
  });

  it('matches the golden files for the healthy lab and hostile content', async () => {
    await expect(renderMarkdown(healthyLabReport('ja'))).toMatchFileSnapshot('./__golden__/healthy-lab.ja.md');
    await expect(renderMarkdown(hostileContentReport())).toMatchFileSnapshot('./__golden__/hostile-content.en.md');
  });

  it.each(LANGS)('uses the method order for its level-2 headings (%s)', (lang) => {
    const headings = renderMarkdown(brokenLabReport(lang))
      .split('\n')
      .filter((line) => line.startsWith('## '));
    expect(headings).toEqual(
      lang === 'en'
        ? ['## Summary', '## Scope', '## Findings', '## Recent changes', '## Collection gaps', '## Skipped rules', '## Rules passed']
        : ['## 概要', '## 影響範囲', '## 検出事項', '## 直近の変更', '## 収集できなかったもの', '## スキップしたルール', '## 問題のなかったルール'],
    );
  });

  it('labels each part of a finding in Japanese', () => {
    const markdown = renderMarkdown(brokenLabReport('ja'));
    for (const label of ['- **対象:**', '- **原因:**', '- **対処:**', '**確認コマンド**', '**根拠**', '### 重大（1 件）', '### 警告（2 件）']) {
      expect(markdown).toContain(label);
    }
  });

  it('keeps every table row at the column count of its header, whatever pipes the content holds', () => {
    for (const report of [brokenLabReport('en'), brokenLabReport('ja'), hostileContentReport()]) {
      const found = tables(renderMarkdown(report));
      expect(found.length).toBeGreaterThan(0);
      for (const table of found) {
        const columns = separators(table[0] ?? '');
        expect(table.map(separators)).toEqual(table.map(() => columns));
      }
    }
  });

  it('escapes pipes, backticks and HTML in prose and table cells, keeping rule authors\' code spans in cause and fix', () => {
    const markdown = renderMarkdown(hostileContentReport());
    expect(markdown).toContain('| Cluster | lab\\|\\<b>x\\</b> |');
    expect(markdown).toContain('Run `kubeadm certs renew all` and restart');
    expect(renderMarkdown(brokenLabReport('en'))).toContain('compare `kubectl -n shop get pods --show-labels | grep web` with');
    expect(markdown).toContain('\\# not a heading: the cert for \\`kube-apiserver\\` \\| expired');
    expect(markdown).toContain('**Cause:** \\* not a list item, \\_not emphasis\\_, \\[not\\](a link)');
    expect(markdown).toContain('API server certificate expired &amp; \\<rejected>');
  });

  it('uses a fence longer than any backtick run in commands and evidence', () => {
    const lines = renderMarkdown(hostileContentReport()).split('\n');
    const evidenceStart = lines.indexOf('````text');
    expect(evidenceStart).toBeGreaterThan(0);
    expect(lines.slice(evidenceStart + 1, evidenceStart + 5)).toEqual([
      '```',
      'apiserver  Apr 01, 2025 09:00 UTC  <invalid>  ca  no',
      '\\u{202e}evil\\u{202c} \\x07bell',
      '````',
    ]);
    expect(lines).toContain('````sh');
  });

  it('never lets control or bidi characters into the ticket', () => {
    expect(renderMarkdown(hostileContentReport())).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/);
  });

  it('renders a report with nothing wrong as short statements, not empty tables', () => {
    const markdown = renderMarkdown(healthyLabReport('en'));
    expect(markdown).toContain('**Verdict:** No problems at warning level or above.');
    expect(markdown).toContain('\nNo findings.\n');
    expect(markdown).toContain('| Bundle SHA-256 | not available |');
    // The summary, and the passed rules, which are never empty here; no section renders a header-only table.
    expect(tables(markdown).map((table) => table[0])).toEqual(['| Item | Value |', '| Area | Rule | Title |']);
  });
});

describe('markdown escaping helpers', () => {
  it('wraps code containing backticks in a longer run, padded when it starts or ends with one', () => {
    expect(inlineCode('kubectl get nodes')).toBe('`kubectl get nodes`');
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
    expect(inlineCode('a|b', true)).toBe('`a\\|b`');
  });

  it('sizes a fence past the longest backtick run', () => {
    expect(fencedBlock(['plain'], 'text')).toEqual(['```text', 'plain', '```']);
    expect(fencedBlock(['`````'], '')).toEqual(['``````', '`````', '``````']);
  });

  it('escapes block markers only where a block starts', () => {
    expect(escapeParagraph('1. not a list')).toBe('1\\. not a list');
    expect(escapeParagraph('- not a list')).toBe('\\- not a list');
    expect(escapeParagraph('> not a quote')).toBe('\\> not a quote');
    expect(escapeMarkdown('0.1.0 -> 1.30.2')).toBe('0.1.0 -> 1.30.2');
    expect(escapeMarkdown('line one\r\nline two')).toBe('line one<br>line two');
  });
});
