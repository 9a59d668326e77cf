import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateAgainst } from '../../common/schema.js';
import { renderJson } from '../../analyzer/report/render-json.js';
import type { Lang, Report } from '../../analyzer/report/types.js';
import { brokenLabReport, healthyLabReport, hostileContentReport } from './reports.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as object;
const LANGS: Lang[] = ['en', 'ja'];
const allReports = (): Report[] => [...LANGS.flatMap((lang) => [brokenLabReport(lang), healthyLabReport(lang)]), hostileContentReport()];

/** The same data with every object's keys in reverse order, as another analyzer build might assemble it. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reverseKeys(inner)]));
}

function problemsWith(mutate: (json: Record<string, any>) => void): string[] {
  const json = JSON.parse(renderJson(brokenLabReport('en'))) as Record<string, any>;
  mutate(json);
  return validateAgainst(schema, json, 'report.json').map((problem) => `${problem.pointer}: ${problem.message}`);
}

describe('renderJson', () => {
  it.each(LANGS)('matches the golden file for the broken lab (%s)', async (lang) => {
    await expect(renderJson(brokenLabReport(lang))).toMatchFileSnapshot(`./__golden__/broken-lab.${lang}.json`);
  });

  it('validates against schemas/report.schema.json for every fixture', () => {
    for (const report of allReports()) expect(validateAgainst(schema, JSON.parse(renderJson(report)), 'report.json')).toEqual([]);
  });

  it('round-trips the report unchanged', () => {
    for (const report of allReports()) expect(JSON.parse(renderJson(report))).toEqual(report);
  });

  it('writes keys in the contract order however the report object was assembled', () => {
    const report = brokenLabReport('en');
    const output = renderJson(report);
    expect(renderJson(reverseKeys(report) as Report)).toBe(output);
    expect(Object.keys(JSON.parse(output) as object)).toEqual([
      'reportVersion',
      'lang',
      'summary',
      'scope',
      'findings',
      'withdrawn',
      'recentChanges',
      'gaps',
      'skipped',
      'passed',
    ]);
  });

  it('uses a 2-space indent and ends with a newline', () => {
    const output = renderJson(healthyLabReport('en'));
    expect(output.startsWith('{\n  "reportVersion": 1,\n  "lang": "en",\n')).toBe(true);
    expect(output.endsWith('}\n')).toBe(true);
  });

  it('leaves out optional fields that are undefined and fields outside the contract', () => {
    const report = brokenLabReport('en');
    const evidence = report.findings[0]?.evidence[0];
    if (!evidence) throw new Error('fixture has evidence');
    evidence.line = undefined;
    Object.assign(evidence, { debug: 'internal' });
    const json = JSON.parse(renderJson(report)) as Report;
    expect(Object.keys(json.findings[0]?.evidence[0] ?? {})).toEqual(['path', 'pointer', 'excerpt']);
  });

  it('gives identical bytes for the same report, and for a deep copy of it', () => {
    const report = brokenLabReport('ja');
    expect(renderJson(structuredClone(report))).toBe(renderJson(report));
  });
});

describe('report schema', () => {
  it('rejects an unknown severity', () => {
    expect(problemsWith((json) => (json.findings[0].severity = 'fatal'))).toContain(
      '/findings/0/severity: must be one of "critical", "warning", "info"',
    );
  });

  it('rejects fields outside the contract', () => {
    expect(problemsWith((json) => (json.summary.bundle.path = '/srv/me/bundle.tar.gz'))).toEqual([
      '/summary/bundle/path: is not a known field',
    ]);
  });

  it('rejects a missing section', () => {
    expect(problemsWith((json) => delete json.passed)).toEqual(['/passed: is required']);
  });

  it('rejects a sha256 that is not 64 hex digits', () => {
    expect(problemsWith((json) => (json.summary.bundle.sha256 = 'sha256:abc'))).not.toEqual([]);
  });

  it('rejects evidence paths that are absolute or climb out of the bundle', () => {
    expect(problemsWith((json) => (json.findings[0].evidence[0].path = '/etc/kubernetes/admin.conf'))).not.toEqual([]);
    expect(problemsWith((json) => (json.findings[0].evidence[0].path = 'hosts/../../etc/shadow'))).not.toEqual([]);
  });

  it('rejects timeline times that are not UTC', () => {
    expect(problemsWith((json) => (json.recentChanges[0].at = '2025-04-17T07:26:30+09:00'))).not.toEqual([]);
  });

  it('requires the area of findings, skipped and passed rules, and passed rules as objects', () => {
    expect(problemsWith((json) => delete json.findings[0].area)).toEqual(['/findings/0/area: is required']);
    expect(problemsWith((json) => delete json.skipped[0].area)).toEqual(['/skipped/0/area: is required']);
    expect(problemsWith((json) => (json.passed[0] = json.passed[0].ruleId))).not.toEqual([]);
    expect(problemsWith((json) => (json.passed[0].area = 'Not An Area'))).not.toEqual([]);
    expect(problemsWith((json) => (json.passed[0].title = ''))).not.toEqual([]);
  });

  it('rejects a wrong report version or language', () => {
    expect(problemsWith((json) => (json.reportVersion = 2))).not.toEqual([]);
    expect(problemsWith((json) => (json.lang = 'de'))).not.toEqual([]);
  });
});
