// Root causes above their consequences in every format: consequences listed under their cause and apart,
// never counted, failed or scoped on their own; withdrawn findings kept with their reason.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failsAt } from '../../analyzer/engine/run.js';
import { renderJson } from '../../analyzer/report/render-json.js';
import { renderHtml } from '../../analyzer/report/render-html.js';
import { renderJunit } from '../../analyzer/report/render-junit.js';
import { renderMarkdown } from '../../analyzer/report/render-markdown.js';
import { renderText } from '../../analyzer/report/render-text.js';
import type { Lang, Report } from '../../analyzer/report/types.js';
import { validateAgainst } from '../../common/schema.js';
import { rootCauseReport } from './root-cause-report.js';
import { descendants, parseXml } from './xml.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as object;
const LANGS: Lang[] = ['en', 'ja'];

describe('a report with consequences and a withdrawn finding', () => {
  it.each(LANGS)('matches the golden text and markdown (%s)', async (lang) => {
    await expect(renderText(rootCauseReport(lang), { color: false, width: 80 })).toMatchFileSnapshot(`./__golden__/root-causes.${lang}.txt`);
    await expect(renderMarkdown(rootCauseReport(lang))).toMatchFileSnapshot(`./__golden__/root-causes.${lang}.md`);
  });

  it('names only root causes before the consequences section of the text report', () => {
    const text = renderText(rootCauseReport('en'), { color: false, width: 100 });
    const head = text.slice(0, text.indexOf('\nConsequences\n'));
    // Before the consequences section a consequence appears only as a line under its cause.
    expect(head.match(/\[CRITICAL\] node-not-ready/g)).toHaveLength(1);
    expect(head).toMatch(/Explains:\n\s+- \[CRITICAL\] node-not-ready: w1 is NotReady[^\n]*\n(?:[^\n]*\n)*?\s{6}- \[WARNING\] service-no-endpoints: Service demo\/web/);
    expect(head).not.toMatch(/^\[CRITICAL\] node-not-ready/m);
    expect(head).toContain('1 critical, 1 warning, 0 info (root causes)');
    expect(text).toContain('Caused by:\n    - containerd-not-running: w1: containerd is down');
    expect(text).toMatch(/Withdrawn findings\n-+\n[\s\S]*cert-expired \(certs\)[\s\S]*Withdrawn because\s+The x509 errors come from a host whose clock is behind/);
  });

  it('keeps causedBy, withdrawnBy and the reason in JSON, valid against the schema', () => {
    const json = JSON.parse(renderJson(rootCauseReport('en'))) as Report;
    expect(validateAgainst(schema, json, 'report.json')).toEqual([]);
    expect(json.findings.map((f) => [f.ruleId, f.causedBy?.map((r) => r.ruleId)])).toEqual([
      ['containerd-not-running', undefined],
      ['clock-skew', undefined],
      ['node-not-ready', ['containerd-not-running']],
      ['service-no-endpoints', ['node-not-ready']],
    ]);
    expect(json.withdrawn[0]).toMatchObject({ ruleId: 'cert-expired', withdrawnBy: { ruleId: 'clock-skew' }, reason: expect.stringContaining('clock is behind') });
    expect(json.summary.counts).toMatchObject({ critical: 1, warning: 1, consequences: 2, withdrawn: 1 });
  });

  it('marks consequences with their cause and lists withdrawn findings with the reason in HTML', () => {
    const html = renderHtml(rootCauseReport('en'));
    const article = (rule: string) => new RegExp(`<article class="finding [a-z]+( consequence)?" id="f\\d+" data-rule="${rule}">[\\s\\S]*?</article>`).exec(html)?.[0] ?? '';
    expect(article('node-not-ready')).toContain('finding critical consequence');
    expect(article('node-not-ready')).toMatch(/class="caused-by"><strong>Caused by:<\/strong> <code>containerd-not-running<\/code> w1: containerd is down/);
    expect(article('containerd-not-running')).not.toContain('consequence');
    expect(article('containerd-not-running')).not.toContain('caused-by');
    const withdrawn = /<section id="withdrawn">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(withdrawn).toContain('<code>cert-expired</code>');
    expect(withdrawn).toContain('clock is behind');
    expect(withdrawn).toContain('<code>clock-skew</code>');
  });

  it('rejects a causedBy that does not name a finding', () => {
    const json = JSON.parse(renderJson(rootCauseReport('en'))) as Record<string, any>;
    json.findings[2].causedBy = [{ ruleId: 'containerd-not-running' }];
    expect(validateAgainst(schema, json, 'report.json').map((p) => p.pointer)).toContain('/findings/2/causedBy/0/summary');
    json.withdrawn[0].extra = 1;
    expect(validateAgainst(schema, json, 'report.json').map((p) => p.message).join('\n')).toMatch(/unevaluated|must NOT have/);
  });

  it('fails a JUnit testcase only for root causes; consequences and withdrawn findings go to system-out', () => {
    const xml = parseXml(renderJunit(rootCauseReport('en'), { failOn: 'warning' }));
    const byName = new Map(descendants(xml, 'testcase').map((t) => [t.attributes.name, t]));
    expect(descendants(byName.get('containerd-not-running')!, 'failure')).toHaveLength(1);
    expect(descendants(byName.get('clock-skew')!, 'failure')).toHaveLength(1);
    for (const id of ['node-not-ready', 'service-no-endpoints', 'cert-expired']) {
      const testcase = byName.get(id)!;
      expect(descendants(testcase, 'failure')).toHaveLength(0);
      expect(descendants(testcase, 'system-out')).toHaveLength(1);
    }
    expect(descendants(xml, 'testsuite')[0]!.attributes.failures).toBe('2');
  });

  it('--fail-on looks at root causes only', () => {
    const report = rootCauseReport('en');
    expect(failsAt(report, 'critical')).toBe(true);
    const onlyConsequences: Report = { ...report, findings: report.findings.filter((f) => f.causedBy !== undefined) };
    expect(failsAt(onlyConsequences, 'info')).toBe(false);
  });
});
