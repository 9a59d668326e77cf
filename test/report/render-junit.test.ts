import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, renderJunit } from '../../analyzer/report/render-junit.js';
import type { Lang, Report } from '../../analyzer/report/types.js';
import { brokenLabReport, healthyLabReport, hostileContentReport } from './reports.js';
import { descendants, parseXml, type XmlElement } from './xml.js';

const LANGS: Lang[] = ['en', 'ja'];

function testcases(xml: string): XmlElement[] {
  return descendants(parseXml(xml), 'testcase');
}

function testcaseFor(xml: string, ruleId: string): XmlElement {
  const found = testcases(xml).find((testcase) => testcase.attributes.name === ruleId);
  if (!found) throw new Error(`no testcase for ${ruleId}`);
  return found;
}

describe('renderJunit', () => {
  it.each(LANGS)('matches the golden file for the broken lab (%s)', async (lang) => {
    await expect(renderJunit(brokenLabReport(lang))).toMatchFileSnapshot(`./__golden__/broken-lab.${lang}.junit.xml`);
  });

  it('writes one testcase per rule with failures, skips and passes counted consistently', () => {
    const xml = renderJunit(brokenLabReport('en'), { failOn: 'warning' });
    const root = parseXml(xml);
    const cases = descendants(root, 'testcase');
    expect(cases.map((testcase) => testcase.attributes.name)).toEqual([
      'cni-not-installed',
      'containerd-systemd-cgroup',
      'ip-forward-disabled',
      'kubeadm-token-expired',
      'metallb-arp-unanswered',
      'service-no-endpoints',
      'swap-enabled',
    ]);
    expect(descendants(root, 'failure')).toHaveLength(3);
    expect(descendants(root, 'skipped')).toHaveLength(1);
    for (const suite of [root, ...descendants(root, 'testsuite')]) {
      expect(suite.attributes).toMatchObject({ tests: '7', failures: '3', errors: '0', skipped: '1', time: '0' });
    }
    expect(cases.every((testcase) => testcase.attributes.time === '0')).toBe(true);
  });

  it('fails a testcase only for findings at or above failOn', () => {
    const failuresAt = (failOn: 'critical' | 'warning' | 'info' | 'never'): number =>
      descendants(parseXml(renderJunit(brokenLabReport('en'), { failOn })), 'failure').length;
    expect(failuresAt('critical')).toBe(1);
    expect(failuresAt('warning')).toBe(3);
    expect(failuresAt('info')).toBe(4);
    expect(failuresAt('never')).toBe(0);
    expect(failuresAt('warning')).toBe(descendants(parseXml(renderJunit(brokenLabReport('en'))), 'failure').length);
  });

  it('keeps findings below failOn visible in system-out instead of dropping them', () => {
    const swap = testcaseFor(renderJunit(brokenLabReport('en'), { failOn: 'critical' }), 'swap-enabled');
    expect(swap.children.map((child) => child.name)).toEqual(['system-out']);
    expect(swap.children[0]?.text).toContain('Swap partition /dev/sda3 (4 GiB) is active on worker1.');
  });

  it('names the worst severity as the failure type and carries the full finding in its body', () => {
    const failure = testcaseFor(renderJunit(brokenLabReport('en')), 'cni-not-installed').children[0];
    expect(failure?.attributes.type).toBe('critical');
    expect(failure?.attributes.message).toContain('Node worker1 is NotReady');
    expect(failure?.text).toContain('$ kubectl describe node worker1');
    expect(failure?.text).toContain('cluster/nodes.json#/items/2/status/conditions/3');
  });

  it('reports a skipped rule with its reason and missing paths in the report language', () => {
    const skipped = testcaseFor(renderJunit(brokenLabReport('ja')), 'metallb-arp-unanswered').children[0];
    expect(skipped?.name).toBe('skipped');
    expect(skipped?.attributes.message).toContain('worker2 に到達できませんでした');
    expect(skipped?.attributes.message).toContain('不足しているファイル: hosts/worker2/arp/capture.pcapng');
  });

  it('names the classname after the rule area, whatever the outcome', () => {
    const classnames = Object.fromEntries(
      testcases(renderJunit(brokenLabReport('en'))).map((testcase) => [testcase.attributes.name, testcase.attributes.classname]),
    );
    expect(classnames).toEqual({
      'cni-not-installed': 'labsnap.node',
      'containerd-systemd-cgroup': 'labsnap.runtime',
      'ip-forward-disabled': 'labsnap.node',
      'kubeadm-token-expired': 'labsnap.kubeadm',
      'metallb-arp-unanswered': 'labsnap.arp',
      'service-no-endpoints': 'labsnap.service',
      'swap-enabled': 'labsnap.node',
    });
  });

  it('gives a rule the same testcase identity whether it passes or fails, so CI history follows it', () => {
    const failing = testcaseFor(renderJunit(brokenLabReport('en')), 'swap-enabled');
    const passing = testcaseFor(renderJunit(healthyLabReport('en')), 'swap-enabled');
    expect(passing.attributes).toEqual(failing.attributes);
    expect(passing.children).toEqual([]);
  });

  it('escapes markup and makes control characters visible so hostile text round-trips through a parser', () => {
    const xml = renderJunit(hostileContentReport());
    expect(xml).not.toMatch(/[\u0000\u0007\u001b\u202e]/);
    const root = parseXml(xml);
    const failure = descendants(root, 'failure')[0];
    expect(failure?.text).toContain('API server certificate expired & <rejected>');
    expect(failure?.text).toContain('\\x1b[31mred\\x1b[0m \\x00 end');
    expect(failure?.attributes.message).toContain('| expired "yesterday"');
    expect(descendants(root, 'testsuite')[0]?.attributes.name).toBe('labsnap lab|<b>x</b>');
    expect(descendants(root, 'property').find((p) => p.attributes.name === 'interrupted')?.attributes.value).toBe('true');
  });

  it('replaces characters XML cannot carry at all', () => {
    const report: Report = brokenLabReport('en');
    const [first] = report.findings;
    if (!first) throw new Error('fixture has findings');
    first.summary = 'lone \ud800 surrogate and \uffff non-character';
    const failure = descendants(parseXml(renderJunit(report)), 'failure')[0];
    expect(failure?.attributes.message).toBe('lone \ufffd surrogate and \ufffd non-character');
  });

  it('keeps newlines and tabs in attribute values instead of letting a parser flatten them', () => {
    expect(escapeXmlAttribute('a\n\tb "c" <d> & e')).toBe('a&#10;&#9;b &quot;c&quot; &lt;d&gt; &amp; e');
  });

  it('is well-formed for every fixture, language and threshold', () => {
    const reports = [...LANGS.flatMap((lang) => [brokenLabReport(lang), healthyLabReport(lang)]), hostileContentReport()];
    for (const report of reports) {
      for (const failOn of ['critical', 'warning', 'info', 'never'] as const) {
        expect(() => parseXml(renderJunit(report, { failOn }))).not.toThrow();
      }
    }
  });
});
