import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charWidth, displayWidth, renderText, truncateToWidth, wrapText } from '../../analyzer/report/render-text.js';
import type { Lang } from '../../analyzer/report/types.js';
import { brokenLabReport, healthyLabReport, hostileContentReport } from './reports.js';

const LANGS: Lang[] = ['en', 'ja'];
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

/** Lines the renderer deliberately leaves unwrapped: commands, evidence excerpts, long paths and hashes. */
function isExemptFromWrapping(line: string): boolean {
  return /^\s*(\$|\|) /.test(line) || line.split(' ').some((token) => token.length > 30 && displayWidth(token) === token.length);
}

describe('renderText', () => {
  it.each(LANGS)('matches the golden file for the broken lab (%s)', async (lang) => {
    await expect(renderText(brokenLabReport(lang), { color: false, width: 80 })).toMatchFileSnapshot(
      `./__golden__/broken-lab.${lang}.txt`,
    );
  });

  it.each(LANGS)('matches the golden file for the healthy lab (%s)', async (lang) => {
    await expect(renderText(healthyLabReport(lang), { color: false })).toMatchFileSnapshot(`./__golden__/healthy-lab.${lang}.txt`);
  });

  it('matches the golden file for hostile content', async () => {
    await expect(renderText(hostileContentReport(), { color: false })).toMatchFileSnapshot('./__golden__/hostile-content.en.txt');
  });

  it('puts the sections in the order of the troubleshooting method', () => {
    const en = renderText(brokenLabReport('en'), { color: false });
    const enOrder = ['Summary', 'Scope', 'Findings', 'Recent changes', 'Collection gaps', 'Skipped rules', 'Rules passed'];
    const ja = renderText(brokenLabReport('ja'), { color: false });
    const jaOrder = ['概要', '影響範囲', '検出事項', '直近の変更', '収集できなかったもの', 'スキップしたルール', '問題のなかったルール'];
    for (const [text, order] of [[en, enOrder], [ja, jaOrder]] as const) {
      const positions = order.map((heading) => text.indexOf(`\n${heading}\n`));
      expect(positions.every((position) => position > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it('orders findings critical, then warning, then info', () => {
    const text = renderText(brokenLabReport('en'), { color: false });
    const badges = [...text.matchAll(/^\[(CRITICAL|WARNING|INFO)\]/gm)].map((match) => match[1]);
    expect(badges).toEqual(['CRITICAL', 'WARNING', 'WARNING', 'INFO']);
  });

  it('leads the scope with a verdict that names the affected node and namespace and warns about the unreached host', () => {
    const text = renderText(brokenLabReport('ja'), { color: false, width: 200 });
    expect(text).toContain(
      '判定  ノード 1 台（worker1）に影響があります。このほか、Namespace 1 個（shop）にも影響があります。到達できなかったホストが 1 台あるため、実際の影響範囲はこれより広い可能性があります。',
    );
    expect(renderText(healthyLabReport('en'), { color: false })).toContain('Verdict  No problems at warning level or above.');
  });

  it('writes no escape codes at all when colour is off, even for content that carries them', () => {
    for (const report of [...LANGS.map(brokenLabReport), ...LANGS.map(healthyLabReport), hostileContentReport()]) {
      expect(renderText(report, { color: false })).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
  });

  it('colours severity badges when asked, without changing the layout', () => {
    const plain = renderText(brokenLabReport('en'), { color: false, width: 72 });
    const coloured = renderText(brokenLabReport('en'), { color: true, width: 72 });
    expect(coloured).toContain('\u001b[1;31m[CRITICAL]\u001b[0m cni-not-installed');
    expect(coloured).toContain('\u001b[1;33m[WARNING]\u001b[0m swap-enabled');
    expect(coloured.replace(ANSI_ESCAPE, '')).toBe(plain);
  });

  it.each([
    ['en', 60],
    ['en', 100],
    ['ja', 50],
    ['ja', 80],
  ] as const)('wraps prose within the width (%s, %i columns), counting CJK as two columns', (lang, width) => {
    const lines = renderText(brokenLabReport(lang), { color: false, width }).split('\n');
    const tooWide = lines.filter((line) => !isExemptFromWrapping(line) && displayWidth(line) > width);
    expect(tooWide).toEqual([]);
  });

  it.each(LANGS)('lists each passed rule once, grouped by area, within the width at any size (%s)', (lang) => {
    const report = healthyLabReport(lang);
    const heading = lang === 'en' ? 'Rules passed' : '問題のなかったルール';
    for (const width of [40, 50, 64, 80, 120]) {
      const text = renderText(report, { color: false, width });
      const section = text.slice(text.indexOf(`\n${heading}\n`)).split('\n').slice(3, -1);
      expect(section.filter((line) => displayWidth(line) > width)).toEqual([]);
      for (const rule of report.passed) expect(section.filter((line) => line.includes(` ${rule.ruleId}`))).toHaveLength(1);
      const areaLabels = section.map((line) => /^ {2}([a-z]+)(?: |$)/.exec(line)?.[1]).filter((area) => area !== undefined);
      expect(areaLabels).toEqual(['metallb', 'node', 'proxmox', 'runtime', 'service']);
    }
  });

  it('gives a passed rule one line when the width allows, its title cut rather than wrapped', () => {
    const lines = renderText(healthyLabReport('en'), { color: false, width: 80 }).split('\n');
    expect(lines).toContain('  node     br-netfilter-missing       br_netfilter is not loaded or...');
    expect(lines).toContain('           swap-enabled               Swap is enabled on a Kubernetes node');
  });

  it('shows the area next to the rule id of findings and skipped rules', () => {
    const text = renderText(brokenLabReport('en'), { color: false });
    expect(text).toContain('[WARNING] service-no-endpoints (service): Service has no endpoints\n');
    expect(text).toContain('  metallb-arp-unanswered (arp): MetalLB VIP does not answer ARP\n');
  });

  it('keeps commands and evidence whole so they can be copied', () => {
    const text = renderText(brokenLabReport('en'), { color: false, width: 40 });
    expect(text).toContain('    $ kubectl -n shop get pods -l app=web --show-labels\n');
    expect(text).toContain('      | /dev/sda3                               partition       4194300         0               -2\n');
  });
});

describe('displayWidth', () => {
  it('counts wide and fullwidth characters as two columns and combining marks as none', () => {
    expect(displayWidth('worker1')).toBe(7);
    expect(displayWidth('影響範囲')).toBe(8);
    expect(displayWidth('ノードworker1')).toBe(13);
    expect(displayWidth('ＡＢ')).toBe(4);
    expect(displayWidth('ｱｲ')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(charWidth('한')).toBe(2);
  });
});

describe('truncateToWidth', () => {
  it('leaves text that fits alone', () => {
    expect(truncateToWidth('Service has no endpoints', 24)).toBe('Service has no endpoints');
  });

  it('cuts at a space rather than inside a word, and counts the dots', () => {
    expect(truncateToWidth('IPv4 forwarding is disabled on a node', 20)).toBe('IPv4 forwarding...');
    expect(truncateToWidth('supercalifragilistic', 10)).toBe('superca...');
  });

  it('cuts Japanese between characters, counting them as two columns', () => {
    const cut = truncateToWidth('MetalLB に払い出せるアドレスが残っておらず', 21);
    expect(cut).toBe('MetalLB に払い出せ...');
    expect(displayWidth(cut)).toBeLessThanOrEqual(21);
  });
});

describe('wrapText', () => {
  it('breaks Japanese between characters but never before closing punctuation or after an opening bracket', () => {
    const text = 'worker1 で swap パーティション /dev/sda3（4 GiB）が有効になっています。再起動のたびにノードが外れます。';
    const lines = wrapText(text, 16);
    expect(lines.length).toBeGreaterThan(4);
    expect(lines.every((line) => displayWidth(line) <= 16)).toBe(true);
    expect(lines.some((line) => /^[、。）」]/.test(line))).toBe(false);
    expect(lines.some((line) => /[（「]$/.test(line))).toBe(false);
    expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
  });

  it('does not break at a space that precedes closing punctuation', () => {
    expect(wrapText('abc def 、ghi', 7)).toEqual(['abc', 'def 、', 'ghi']);
  });

  it('leaves a word longer than the line whole instead of cutting it', () => {
    expect(wrapText('see /var/lib/kubelet/pki/kubelet-client-current.pem now', 20)).toEqual([
      'see',
      '/var/lib/kubelet/pki/kubelet-client-current.pem',
      'now',
    ]);
  });

  it('keeps explicit newlines as line breaks', () => {
    expect(wrapText('first line\nsecond line', 40)).toEqual(['first line', 'second line']);
  });

  it('never exceeds the width and never loses or reorders a character (property)', () => {
    const word = fc.oneof(
      fc.stringMatching(/^[a-z0-9./=-]{1,8}$/),
      fc.constantFrom('ノード', '影響', 'が', 'です。', '（4 GiB）', '「NotReady」', 'Namespace', '再起動'),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), fc.integer({ min: 12, max: 60 }), (words, width) => {
        const text = words.join(' ');
        const lines = wrapText(text, width);
        expect(lines.every((line) => displayWidth(line) <= width)).toBe(true);
        expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
        // Only a paragraph that itself starts with punctuation may put it first on a line.
        expect(lines.slice(1).some((line) => /^[、。）」]/.test(line))).toBe(false);
      }),
    );
  });
});
