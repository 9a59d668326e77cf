// A report where one fault explains others, shaped like what the analyzer produces for the containerd-stopped
// scenario plus a cert-expired finding that clock skew withdrew: one root cause, a chain of two consequences,
// a withdrawn finding.
import type { Finding, Lang, Report, WithdrawnFinding } from '../../analyzer/report/types.js';
import { healthyLabReport } from './reports.js';

const texts = {
  en: {
    containerd: ['containerd is not running on a node', 'w1: containerd is down: failed, result exit-code since 2026-11-27 09:47Z', 'containerd stopped after a config.toml edit.', 'Fix config.toml, then `sudo systemctl enable --now containerd`.'],
    node: ['A node is NotReady', 'w1 is NotReady since 2026-11-27 09:50Z: containerd is not running. 9 of 9 pods on it not Ready.', 'kubelet reports the node not ready.', 'Fix the cause the related findings name.'],
    service: ['Service has no ready endpoints', 'Service demo/web (Ingress web) has no ready endpoints: none of the 1 selected pods is Ready', 'Its pods are not Ready.', 'Make the pods Ready.'],
    cert: ['A cluster certificate has expired', 'w2: 1 x509 "certificate has expired" error(s); no expired certificate among the collected pki files', 'kubeadm certificates live one year.', 'Renew them: `sudo kubeadm certs renew all`.'],
    clock: 'w2: clock is 2.0 h behind the other hosts (NTP not synchronized)',
    reason: 'The x509 errors come from a host whose clock is behind, and every collected certificate is valid at the collector\'s time.',
  },
  ja: {
    containerd: ['ノードで containerd が動いていない', 'w1: containerd が停止: failed, result exit-code（2026-11-27 09:47Z から）', 'config.toml の編集後に containerd が止まった。', 'config.toml を直し `sudo systemctl enable --now containerd`。'],
    node: ['ノードが NotReady', 'w1 が 2026-11-27 09:50Z から NotReady: containerd が動いていない。Pod 9 個中 9 個が Ready でない。', 'kubelet がノードを準備未完了と報告している。', '関連する検出が示す原因を直す。'],
    service: ['Service に Ready なエンドポイントがない', 'Service demo/web（Ingress web）に Ready なエンドポイントがない: 選択された Pod 1 個のうち Ready は 0 個', 'Pod が Ready でない。', 'Pod を Ready にする。'],
    cert: ['クラスタの証明書が期限切れ', 'w2: x509「certificate has expired」エラー 1 件', 'kubeadm の証明書は 1 年で切れる。', '`sudo kubeadm certs renew all` で更新する。'],
    clock: 'w2: 時計が他のホストより 2.0 h 遅れている（NTP 未同期）',
    reason: 'x509 エラーは時計が遅れているホストのもので、収集した証明書はすべてコレクタの時刻で有効。',
  },
} as const;

function finding(lang: Lang, key: 'containerd' | 'node' | 'service' | 'cert', fields: Omit<Finding, 'title' | 'summary' | 'cause' | 'fix'>): Finding {
  const [title, summary, cause, fix] = texts[lang][key];
  const { causedBy, ...rest } = fields;
  return { ...rest, title, summary, cause, fix, ...(causedBy ? { causedBy } : {}) };
}

export function rootCauseReport(lang: Lang): Report {
  const base = healthyLabReport(lang);
  const containerd = finding(lang, 'containerd', {
    ruleId: 'containerd-not-running',
    area: 'runtime',
    severity: 'critical',
    confirm: ['sudo systemctl status containerd --no-pager'],
    scope: { level: 'node', names: ['w1'] },
    objects: [{ kind: 'Node', name: 'w1' }],
    evidence: [{ path: 'hosts/w1/cmd/systemctl-containerd.txt', line: 3, excerpt: ['     Active: failed (Result: exit-code) since Fri 2026-11-27 09:47:02 UTC; 13min ago'] }],
  });
  const node = finding(lang, 'node', {
    ruleId: 'node-not-ready',
    area: 'node',
    severity: 'critical',
    confirm: ['kubectl describe node w1'],
    scope: { level: 'node', names: ['w1'] },
    objects: [{ kind: 'Node', name: 'w1' }, { kind: 'Pod', namespace: 'demo', name: 'web-6d4c-9w4dn' }],
    evidence: [{ path: 'cluster/nodes.json', pointer: '/items/1/status/conditions/4', excerpt: ['Ready=False KubeletNotReady: container runtime is down'] }],
    causedBy: [{ ruleId: 'containerd-not-running', summary: texts[lang].containerd[1] }],
  });
  const service = finding(lang, 'service', {
    ruleId: 'service-no-endpoints',
    area: 'service',
    severity: 'warning',
    confirm: ['kubectl -n demo get endpoints web'],
    scope: { level: 'namespace', names: ['demo'] },
    objects: [{ kind: 'Service', namespace: 'demo', name: 'web' }, { kind: 'Pod', namespace: 'demo', name: 'web-6d4c-9w4dn' }],
    evidence: [],
    causedBy: [{ ruleId: 'node-not-ready', summary: texts[lang].node[1] }],
  });
  const clock: Finding = {
    ruleId: 'clock-skew',
    area: 'certs',
    severity: 'warning',
    title: lang === 'ja' ? 'ホスト間で時刻がずれている（クロックスキュー）' : 'Host clocks disagree (clock skew)',
    summary: texts[lang].clock,
    cause: lang === 'ja' ? '時刻同期が動いていない。' : 'Time sync is off.',
    fix: lang === 'ja' ? '`sudo timedatectl set-ntp true`' : '`sudo timedatectl set-ntp true`',
    confirm: ['timedatectl'],
    scope: { level: 'host', names: ['w2'] },
    objects: [{ kind: 'Node', name: 'w2' }],
    evidence: [{ path: 'manifest.json', pointer: '/hosts/3/clockOffsetMs', excerpt: ['{"name":"w2","clockOffsetMs":-7200000}'] }],
  };
  const cert: WithdrawnFinding = {
    ...finding(lang, 'cert', {
      ruleId: 'cert-expired',
      area: 'certs',
      severity: 'critical',
      confirm: ['sudo kubeadm certs check-expiration'],
      scope: { level: 'host', names: ['w2'] },
      objects: [],
      evidence: [{ path: 'hosts/w2/cmd/journal-kubelet.log', line: 12, excerpt: ['Jan 01 00:03:01 w2 kubelet[733]: E0101 ... x509: certificate has expired or is not yet valid'] }],
    }),
    withdrawnBy: { ruleId: 'clock-skew', summary: texts[lang].clock },
    reason: texts[lang].reason,
  };
  return {
    ...base,
    summary: { ...base.summary, counts: { ...base.summary.counts, critical: 1, warning: 1, consequences: 2, withdrawn: 1, passed: 5 } },
    scope: { level: 'nodes', nodes: [{ name: 'w1', ruleIds: ['containerd-not-running'] }, { name: 'w2', ruleIds: ['clock-skew'] }], namespaces: [], hosts: [], clusterWide: [] },
    findings: [containerd, clock, node, service],
    withdrawn: [cert],
    passed: base.passed.slice(0, 5),
  };
}
