// Every fixed heading and label the renderers print, in both report languages. Finding texts arrive already
// translated; only the frame around them lives here. Japanese is written the way an admin would write a
// ticket: plain 体言止め labels, counters (台/件/個) instead of English plurals.
import type { Lang, Severity, TimelineEntry } from './types.js';

export type ScopeGroup = 'nodes' | 'namespaces' | 'hosts';

export interface Messages {
  reportTitle: (cluster: string) => string;
  severity: Record<Severity, string>;
  severityHeading: (label: string, findings: number) => string;
  timelineKind: Record<TimelineEntry['kind'], string>;
  sections: {
    summary: string;
    scope: string;
    findings: string;
    recentChanges: string;
    gaps: string;
    skipped: string;
    passed: string;
    consequences: string;
    withdrawn: string;
  };
  summary: {
    cluster: string;
    collectedAt: string;
    finishedAt: string;
    hostsReached: string;
    hostsUnreached: string;
    rulePack: string;
    rulePackValue: (version: string, rules: number) => string;
    rulePackHash: string;
    bundle: string;
    bundleSha256: string;
    input: string;
    bundleFormat: (formatVersion: number, tool: string) => string;
    bundleFormatLabel: string;
    notAvailable: string;
    none: string;
    results: string;
    counts: (c: { critical: number; warning: number; info: number; consequences: number; withdrawn: number; skipped: number; passed: number }) => string;
    interrupted: string;
    caution: string;
    item: string;
    value: string;
  };
  scope: {
    verdict: string;
    levelHeader: string;
    level: { cluster: string; nodes: string; namespaces: string; hosts: string };
    rules: string;
    name: string;
    none: string;
    clusterWide: (rules: number) => string;
    /** "2 nodes (worker1, worker2)": one affected group, counted. */
    group: (group: ScopeGroup, names: string[]) => string;
    affects: (group: string) => string;
    alsoAffects: (groups: string[]) => string;
    incomplete: (unreachedHosts: number, interrupted: boolean) => string;
  };
  finding: {
    objects: string;
    cause: string;
    fix: string;
    confirm: string;
    evidence: string;
    none: string;
    /** Heading of the list of what a root cause explains. */
    consequences: string;
    causedBy: string;
    /** Sentence under the consequences section's heading. */
    consequencesIntro: string;
  };
  withdrawn: { intro: string; reason: string; by: string };
  timeline: { at: string; kind: string; host: string; change: string; source: string; none: string };
  gaps: {
    unreachedHosts: string;
    failedItems: string;
    path: string;
    host: string;
    status: string;
    reason: string;
    error: string;
    none: string;
  };
  skipped: { rule: string; reason: string; missing: string; none: string };
  passed: { area: string; rule: string; title: string; none: string };
  junit: {
    failureMessage: (findings: number, summary: string) => string;
    belowThreshold: string;
    skippedMessage: (reason: string, missing: string[]) => string;
    /** system-out of a rule whose findings another rule explains or withdrew: never a failure. */
    consequences: string;
    withdrawn: string;
  };
}

const en: Messages = {
  reportTitle: (cluster) => `labsnap report: ${cluster}`,
  severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
  severityHeading: (label, findings) => `${label} (${findings})`,
  timelineKind: {
    event: 'event',
    package: 'package',
    rollout: 'rollout',
    restart: 'restart',
    boot: 'boot',
    config: 'config',
  },
  sections: {
    summary: 'Summary',
    scope: 'Scope',
    findings: 'Findings',
    recentChanges: 'Recent changes',
    gaps: 'Collection gaps',
    skipped: 'Skipped rules',
    passed: 'Rules passed',
    consequences: 'Consequences',
    withdrawn: 'Withdrawn findings',
  },
  summary: {
    cluster: 'Cluster',
    collectedAt: 'Collected at',
    finishedAt: 'Finished at',
    hostsReached: 'Hosts reached',
    hostsUnreached: 'Hosts unreached',
    rulePack: 'Rule pack',
    rulePackValue: (version, rules) => `${version} (${rules} ${rules === 1 ? 'rule' : 'rules'})`,
    rulePackHash: 'Rule pack hash',
    bundle: 'Bundle',
    bundleSha256: 'Bundle SHA-256',
    input: 'Input',
    bundleFormat: (formatVersion, tool) => `format v${formatVersion}, ${tool}`,
    bundleFormatLabel: 'Bundle format',
    notAvailable: 'not available',
    none: 'none',
    results: 'Results',
    counts: (c) =>
      `${c.critical} critical, ${c.warning} warning, ${c.info} info${
        c.consequences + c.withdrawn > 0 ? ` (root causes)\n${c.consequences} ${c.consequences === 1 ? 'consequence' : 'consequences'}, ${c.withdrawn} withdrawn` : ''
      }\n${c.skipped} skipped, ${c.passed} passed`,
    interrupted:
      'Collection was interrupted: the bundle is incomplete, so a rule that did not fire proves nothing.',
    caution: 'Warning',
    item: 'Item',
    value: 'Value',
  },
  scope: {
    verdict: 'Verdict',
    levelHeader: 'Level',
    level: { cluster: 'Cluster-wide', nodes: 'Nodes', namespaces: 'Namespaces', hosts: 'Hosts' },
    rules: 'Rules',
    name: 'Name',
    none: 'No problems at warning level or above.',
    clusterWide: (rules) => `Cluster-wide: ${rules} ${rules === 1 ? 'problem affects' : 'problems affect'} the whole cluster.`,
    group: (group, names) => `${countNoun(group, names.length)} (${names.join(', ')})`,
    affects: (group) => `Affects ${group}.`,
    alsoAffects: (groups) => `Also affected: ${groups.join('; ')}.`,
    incomplete: (unreached, interrupted) => {
      const why = [
        ...(unreached > 0 ? [`${unreached} ${unreached === 1 ? 'host was' : 'hosts were'} not reached`] : []),
        ...(interrupted ? ['collection was interrupted'] : []),
      ];
      return `The damage may reach further: ${why.join(' and ')}.`;
    },
  },
  finding: {
    objects: 'Objects',
    cause: 'Cause',
    fix: 'Fix',
    confirm: 'Confirm with',
    evidence: 'Evidence',
    none: 'No findings.',
    consequences: 'Explains',
    causedBy: 'Caused by',
    consequencesIntro: 'Findings that a finding above explains: fix the cause first, then check these again.',
  },
  withdrawn: {
    intro: 'Rules fired here, but another finding contradicts what they assumed, so they are not findings.',
    reason: 'Withdrawn because',
    by: 'Contradicted by',
  },
  timeline: {
    at: 'Time (UTC)',
    kind: 'Kind',
    host: 'Host',
    change: 'Change',
    source: 'Source',
    none: 'No changes recorded before collection.',
  },
  gaps: {
    unreachedHosts: 'Unreached hosts',
    failedItems: 'Items not collected',
    path: 'Path',
    host: 'Host',
    status: 'Status',
    reason: 'Reason',
    error: 'Error',
    none: 'Everything planned was collected.',
  },
  skipped: { rule: 'Rule', reason: 'Reason', missing: 'Missing', none: 'No rules were skipped.' },
  passed: { area: 'Area', rule: 'Rule', title: 'Title', none: 'No rule passed.' },
  junit: {
    failureMessage: (findings, summary) =>
      findings === 1 ? summary : `${findings} findings; first: ${summary}`,
    belowThreshold: 'Findings below the failure threshold:',
    skippedMessage: (reason, missing) => (missing.length > 0 ? `${reason} Missing: ${missing.join(', ')}` : reason),
    consequences: 'Consequences of other findings (they fail with their cause):',
    withdrawn: 'Withdrawn findings (another finding contradicts their premise):',
  },
};

function countNoun(group: ScopeGroup, n: number): string {
  const singular = { nodes: 'node', namespaces: 'namespace', hosts: 'host' }[group];
  return `${n} ${n === 1 ? singular : `${singular}s`}`;
}

const jaCounter: Record<ScopeGroup, (n: number) => string> = {
  nodes: (n) => `ノード ${n} 台`,
  namespaces: (n) => `Namespace ${n} 個`,
  hosts: (n) => `ホスト ${n} 台`,
};

const ja: Messages = {
  reportTitle: (cluster) => `labsnap 診断レポート: ${cluster}`,
  severity: { critical: '重大', warning: '警告', info: '情報' },
  severityHeading: (label, findings) => `${label}（${findings} 件）`,
  timelineKind: {
    event: 'イベント',
    package: 'パッケージ',
    rollout: 'ロールアウト',
    restart: '再起動',
    boot: '起動',
    config: '設定変更',
  },
  sections: {
    summary: '概要',
    scope: '影響範囲',
    findings: '検出事項',
    recentChanges: '直近の変更',
    gaps: '収集できなかったもの',
    skipped: 'スキップしたルール',
    passed: '問題のなかったルール',
    consequences: '派生した検出事項',
    withdrawn: '取り下げた検出事項',
  },
  summary: {
    cluster: 'クラスタ',
    collectedAt: '収集開始',
    finishedAt: '収集完了',
    hostsReached: '収集できたホスト',
    hostsUnreached: '未到達のホスト',
    rulePack: 'ルールパック',
    rulePackValue: (version, rules) => `${version}（ルール ${rules} 件）`,
    rulePackHash: 'ルールのハッシュ',
    bundle: 'バンドル',
    bundleSha256: 'バンドルの SHA-256',
    input: '入力の種類',
    bundleFormat: (formatVersion, tool) => `形式 v${formatVersion}、${tool}`,
    bundleFormatLabel: 'バンドル形式',
    notAvailable: 'なし',
    none: 'なし',
    results: '結果',
    counts: (c) =>
      `${c.consequences + c.withdrawn > 0 ? '根本原因: ' : ''}重大 ${c.critical} 件、警告 ${c.warning} 件、情報 ${c.info} 件${
        c.consequences + c.withdrawn > 0 ? `\n派生 ${c.consequences} 件、取り下げ ${c.withdrawn} 件` : ''
      }\nスキップ ${c.skipped} 件、問題なし ${c.passed} 件`,
    interrupted:
      '収集が途中で中断されました。バンドルが不完全なため、検出されなかった問題も「問題なし」とは言い切れません。',
    caution: '注意',
    item: '項目',
    value: '内容',
  },
  scope: {
    verdict: '判定',
    levelHeader: '区分',
    level: { cluster: 'クラスタ全体', nodes: 'ノード', namespaces: 'Namespace', hosts: 'ホスト' },
    rules: 'ルール',
    name: '名前',
    none: '警告以上の問題は見つかりませんでした。',
    clusterWide: (rules) => `クラスタ全体に影響する問題が ${rules} 件あります。`,
    group: (group, names) => `${jaCounter[group](names.length)}（${names.join(', ')}）`,
    affects: (group) => `${group}に影響があります。`,
    alsoAffects: (groups) => `このほか、${groups.join('、')}にも影響があります。`,
    incomplete: (unreached, interrupted) => {
      const why = [
        ...(unreached > 0 ? [`到達できなかったホストが ${unreached} 台ある`] : []),
        ...(interrupted ? ['収集が中断された'] : []),
      ];
      return `${why.join('うえ、')}ため、実際の影響範囲はこれより広い可能性があります。`;
    },
  },
  finding: {
    objects: '対象',
    cause: '原因',
    fix: '対処',
    confirm: '確認コマンド',
    evidence: '根拠',
    none: '検出事項はありません。',
    consequences: 'これが説明する検出事項',
    causedBy: '原因',
    consequencesIntro: '上の検出事項が原因で起きているものです。先に原因を直し、その後で改めて確認してください。',
  },
  withdrawn: {
    intro: 'ルールは反応しましたが、前提が別の検出事項と矛盾するため検出事項としていません。',
    reason: '取り下げ理由',
    by: '矛盾する検出事項',
  },
  timeline: {
    at: '日時 (UTC)',
    kind: '種別',
    host: 'ホスト',
    change: '内容',
    source: '出典',
    none: '収集前に記録された変更はありません。',
  },
  gaps: {
    unreachedHosts: '到達できなかったホスト',
    failedItems: '収集できなかった項目',
    path: 'パス',
    host: 'ホスト',
    status: '状態',
    reason: '理由',
    error: 'エラー',
    none: '予定した項目はすべて収集できました。',
  },
  skipped: { rule: 'ルール', reason: '理由', missing: '不足しているファイル', none: 'スキップしたルールはありません。' },
  passed: { area: '領域', rule: 'ルール', title: 'タイトル', none: '問題のなかったルールはありません。' },
  junit: {
    failureMessage: (findings, summary) => (findings === 1 ? summary : `${findings} 件検出（1 件目: ${summary}）`),
    belowThreshold: '失敗の基準に満たない検出事項:',
    skippedMessage: (reason, missing) => (missing.length > 0 ? `${reason} 不足しているファイル: ${missing.join(', ')}` : reason),
    consequences: '他の検出事項から派生したもの（原因の側で失敗として扱う）:',
    withdrawn: '取り下げた検出事項（前提が別の検出事項と矛盾する）:',
  },
};

const catalog: Record<Lang, Messages> = { en, ja };

export function messagesFor(lang: Lang): Messages {
  return catalog[lang];
}

