// Realistic reports for the renderer tests, shaped like what the analyzer produces for the shipped scenarios.
import type { Finding, Lang, PassedRule, Report } from '../../analyzer/report/types.js';

const BUNDLE_SHA256 = '9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8';
const RULE_PACK_HASH = '4d1e0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918070605f';

type Texts = Pick<Finding, 'title' | 'summary' | 'cause' | 'fix'>;

const cniTexts: Record<Lang, Texts> = {
  en: {
    title: 'Node NotReady: no CNI plugin installed',
    summary: 'Node worker1 is NotReady: kubelet reports "cni plugin not initialized" and /etc/cni/net.d on worker1 is empty.',
    cause: 'No CNI plugin is installed, so the container runtime network never becomes ready and kubelet keeps the node NotReady.',
    fix: 'Install the CNI plugin (Calico) once from a control-plane node, then wait for calico-node on worker1 to become Ready.',
  },
  ja: {
    title: 'ノードが NotReady: CNI プラグインが未導入',
    summary: 'worker1 が NotReady です。kubelet が「cni plugin not initialized」を出しており、worker1 の /etc/cni/net.d は空です。',
    cause: 'CNI プラグインが導入されていないため、コンテナランタイムのネットワークが準備完了にならず、kubelet はノードを NotReady のままにしています。',
    fix: 'control-plane から CNI（Calico）を一度だけ導入し、worker1 上の calico-node が Ready になるのを待ちます。',
  },
};

const swapTexts: Record<Lang, Texts> = {
  en: {
    title: 'Swap is enabled on a Kubernetes node',
    summary: 'Swap partition /dev/sda3 (4 GiB) is active on worker1.',
    cause: 'kubelet refuses to start with swap on unless failSwapOn is false; after a reboot the node drops out again.',
    fix: 'Run swapoff -a on worker1 and comment out the swap line in /etc/fstab so it stays off after a reboot.',
  },
  ja: {
    title: 'Kubernetes ノードで swap が有効',
    summary: 'worker1 で swap パーティション /dev/sda3（4 GiB）が有効になっています。',
    cause: 'failSwapOn を false にしない限り kubelet は swap 有効だと起動しません。再起動のたびにノードが外れます。',
    fix: 'worker1 で swapoff -a を実行し、再起動後も無効のままになるよう /etc/fstab の swap 行をコメントアウトします。',
  },
};

const serviceTexts: Record<Lang, Texts> = {
  en: {
    title: 'Service has no endpoints',
    summary: 'Service shop/web selects app=web, but no Ready pod matches, so its Endpoints are empty.',
    cause: 'The pods of Deployment shop/web are labelled app=web-v2 since the last rollout; the selector still says app=web.',
    fix: 'Align the labels: compare `kubectl -n shop get pods --show-labels | grep web` with the selector, then fix the one that changed.',
  },
  ja: {
    title: 'Service にエンドポイントがない',
    summary: 'Service shop/web は app=web を選択していますが、一致する Ready な Pod がなく Endpoints が空です。',
    cause: '直近のロールアウト以降、Deployment shop/web の Pod のラベルが app=web-v2 になっており、selector は app=web のままです。',
    fix: 'ラベルを揃えます。`kubectl -n shop get pods --show-labels | grep web` と selector を見比べ、変わった方を直します。',
  },
};

const tokenTexts: Record<Lang, Texts> = {
  en: {
    title: 'Bootstrap token expired',
    summary: 'Bootstrap token abcdef.************ expired at 2025-04-15T09:12:00Z.',
    cause: 'kubeadm join tokens live 24 hours by default.',
    fix: 'Only needed to add a node: run kubeadm token create --print-join-command on cp1.',
  },
  ja: {
    title: 'ブートストラップトークンの期限切れ',
    summary: 'ブートストラップトークン abcdef.************ は 2025-04-15T09:12:00Z に期限切れになりました。',
    cause: 'kubeadm join 用のトークンの有効期限は既定で 24 時間です。',
    fix: 'ノードを追加するときだけ必要です。cp1 で kubeadm token create --print-join-command を実行します。',
  },
};

const skippedTexts: Record<Lang, { title: string; reason: string }> = {
  en: {
    title: 'MetalLB VIP does not answer ARP',
    reason: 'Needs an ARP capture from every node; worker2 was not reached (ssh: No route to host).',
  },
  ja: {
    title: 'MetalLB の VIP が ARP に応答しない',
    reason: '全ノードの ARP キャプチャが必要ですが、worker2 に到達できませんでした（ssh: No route to host）。',
  },
};

const timelineTexts: Record<Lang, string[]> = {
  en: [
    'Node worker1 status is now: NodeNotReady',
    'kubelet.service restarted (exit code 1, restart counter 14)',
    'Deployment shop/web rolled out revision 7 (image registry.lab/web:1.4.0)',
    'apt: upgraded kubelet 1.29.6 -> 1.30.2, kubeadm 1.29.6 -> 1.30.2',
    'System booted',
  ],
  ja: [
    'ノード worker1 の状態が NodeNotReady に変化',
    'kubelet.service が再起動（終了コード 1、再起動回数 14）',
    'Deployment shop/web をリビジョン 7 にロールアウト（イメージ registry.lab/web:1.4.0）',
    'apt: kubelet 1.29.6 → 1.30.2、kubeadm 1.29.6 → 1.30.2 に更新',
    'システム起動',
  ],
};

const gapReasons: Record<Lang, [string, string]> = {
  en: ['exit 127: pve-firewall: command not found', 'timed out after 30 s'],
  ja: ['終了コード 127: pve-firewall コマンドが見つかりません', '30 秒でタイムアウト'],
};

// Titles as the built-in rule.yaml files word them; long ones are kept so the renderers must cut or wrap.
const passedRules: Record<string, { area: string } & Record<Lang, string>> = {
  'br-netfilter-missing': {
    area: 'node',
    en: 'br_netfilter is not loaded or bridge-nf-call-iptables is off on a node',
    ja: 'ノードで br_netfilter 未ロード、または bridge-nf-call-iptables が無効',
  },
  'cni-not-installed': { area: 'node', en: cniTexts.en.title, ja: cniTexts.ja.title },
  'containerd-systemd-cgroup': {
    area: 'runtime',
    en: 'containerd does not use the systemd cgroup driver',
    ja: 'containerd が systemd の cgroup ドライバを使っていない',
  },
  'ip-forward-disabled': { area: 'node', en: 'IPv4 forwarding is disabled on a node', ja: 'ノードで IPv4 転送（ip_forward）が無効' },
  'metallb-pool-exhausted': {
    area: 'metallb',
    en: 'A LoadBalancer Service is pending because MetalLB has no address left to give it',
    ja: 'MetalLB に払い出せるアドレスが残っておらず LoadBalancer Service が Pending',
  },
  'pve-vlan-not-allowed': {
    area: 'proxmox',
    en: "A VM's VLAN is not allowed on its Proxmox bridge",
    ja: 'VM の VLAN が Proxmox のブリッジで許可されていない',
  },
  'service-no-endpoints': { area: 'service', en: serviceTexts.en.title, ja: serviceTexts.ja.title },
  'swap-enabled': { area: 'node', en: swapTexts.en.title, ja: swapTexts.ja.title },
};

function passed(lang: Lang, ids: string[]): PassedRule[] {
  return ids.map((ruleId) => {
    const rule = passedRules[ruleId];
    if (!rule) throw new Error(`no fixture title for ${ruleId}`);
    return { ruleId, title: rule[lang], area: rule.area };
  });
}

/** worker1 NotReady (no CNI, swap on), a Service without endpoints, worker2 unreached, a skipped rule. */
export function brokenLabReport(lang: Lang): Report {
  const unreached = [{ name: 'worker2', error: 'ssh: connect to host 192.168.10.23 port 22: No route to host' }];
  return {
    reportVersion: 1,
    lang,
    summary: {
      cluster: 'homelab',
      collectedAt: '2025-04-16T22:30:05Z',
      finishedAt: '2025-04-16T22:31:47Z',
      interrupted: false,
      bundle: { name: 'labsnap-homelab-20250416T223005Z.tar.gz', sha256: BUNDLE_SHA256, formatVersion: 1, tool: 'labsnap 0.1.0', input: 'labsnap bundle' },
      hosts: { reached: ['pve1', 'cp1', 'worker1'], unreached },
      rulePack: { version: '0.1.0', hash: RULE_PACK_HASH, rules: 7 },
      counts: { critical: 1, warning: 2, info: 1, consequences: 0, withdrawn: 0, skipped: 1, passed: 2 },
    },
    scope: {
      level: 'nodes',
      nodes: [{ name: 'worker1', ruleIds: ['cni-not-installed', 'swap-enabled'] }],
      namespaces: [{ name: 'shop', ruleIds: ['service-no-endpoints'] }],
      hosts: [],
      clusterWide: [],
    },
    findings: [
      {
        ruleId: 'cni-not-installed',
        area: 'node',
        severity: 'critical',
        ...cniTexts[lang],
        confirm: ['kubectl describe node worker1', 'kubectl -n kube-system get pods -o wide', 'ls -la /etc/cni/net.d'],
        scope: { level: 'node', names: ['worker1'] },
        objects: [{ kind: 'Node', name: 'worker1' }],
        evidence: [
          {
            path: 'cluster/nodes.json',
            pointer: '/items/2/status/conditions/3',
            excerpt: [
              '"type": "Ready",',
              '"status": "False",',
              '"reason": "KubeletNotReady",',
              '"message": "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"',
            ],
          },
          {
            path: 'hosts/worker1/journal/kubelet.txt',
            line: 1843,
            excerpt: [
              'Apr 16 22:26:30 worker1 kubelet[912]: E0416 22:26:30.150357     912 kubelet.go:2900] "Container runtime network not ready" networkReady="NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"',
            ],
          },
          { path: 'hosts/worker1/cni/net.d.txt', line: 1, excerpt: ['total 0'] },
        ],
      },
      {
        ruleId: 'swap-enabled',
        area: 'node',
        severity: 'warning',
        ...swapTexts[lang],
        confirm: ['swapon --show', 'grep -n swap /etc/fstab'],
        scope: { level: 'node', names: ['worker1'] },
        objects: [{ kind: 'Node', name: 'worker1' }],
        evidence: [
          {
            path: 'hosts/worker1/proc/swaps',
            line: 2,
            excerpt: ['Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority', '/dev/sda3\t\t\t\tpartition\t4194300\t\t0\t\t-2'],
          },
        ],
      },
      {
        ruleId: 'service-no-endpoints',
        area: 'service',
        severity: 'warning',
        ...serviceTexts[lang],
        confirm: ['kubectl -n shop get endpoints web', 'kubectl -n shop get pods -l app=web --show-labels'],
        scope: { level: 'namespace', names: ['shop'] },
        objects: [
          { kind: 'Service', namespace: 'shop', name: 'web' },
          { kind: 'Endpoints', namespace: 'shop', name: 'web' },
        ],
        evidence: [
          {
            path: 'cluster/namespaces/shop/services.json',
            pointer: '/items/0/spec/selector',
            excerpt: ['"selector": {', '  "app": "web"', '}'],
          },
          {
            path: 'cluster/namespaces/shop/endpoints.json',
            pointer: '/items/0',
            excerpt: ['"metadata": { "name": "web", "namespace": "shop" },', '"subsets": []'],
          },
        ],
      },
      {
        ruleId: 'kubeadm-token-expired',
        area: 'kubeadm',
        severity: 'info',
        ...tokenTexts[lang],
        confirm: ['kubeadm token list'],
        scope: { level: 'cluster', names: [] },
        objects: [],
        evidence: [
          {
            path: 'hosts/cp1/kubeadm/token-list.txt',
            line: 2,
            excerpt: [
              'TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION',
              'abcdef.************       <invalid>   2025-04-15T09:12:00Z   authentication,signing   <none>',
            ],
          },
        ],
      },
    ],
    withdrawn: [],
    recentChanges: [
      { at: '2025-04-16T22:26:30Z', kind: 'event', text: timelineTexts[lang][0] ?? '', path: 'cluster/events.json' },
      {
        at: '2025-04-16T22:19:12Z',
        kind: 'restart',
        host: 'worker1',
        text: timelineTexts[lang][1] ?? '',
        path: 'hosts/worker1/journal/kubelet.txt',
        line: 1790,
      },
      { at: '2025-04-16T21:58:40Z', kind: 'rollout', text: timelineTexts[lang][2] ?? '', path: 'cluster/namespaces/shop/replicasets.json' },
      {
        at: '2025-04-16T21:40:03Z',
        kind: 'package',
        host: 'worker1',
        text: timelineTexts[lang][3] ?? '',
        path: 'hosts/worker1/apt/history.log',
        line: 212,
      },
      { at: '2025-04-16T20:11:57Z', kind: 'boot', host: 'worker1', text: timelineTexts[lang][4] ?? '', path: 'hosts/worker1/journal/boot.txt', line: 1 },
    ],
    gaps: {
      unreachedHosts: unreached,
      items: [
        { path: 'hosts/pve1/pve-firewall-status.txt', host: 'pve1', status: 'failed', reason: gapReasons[lang][0] },
        { path: 'hosts/cp1/journal/containerd.txt', host: 'cp1', status: 'timeout', reason: gapReasons[lang][1] },
      ],
    },
    skipped: [
      {
        ruleId: 'metallb-arp-unanswered',
        ...skippedTexts[lang],
        area: 'arp',
        missing: ['hosts/worker2/arp/capture.pcapng'],
      },
    ],
    passed: passed(lang, ['containerd-systemd-cgroup', 'ip-forward-disabled']),
  };
}

/** Everything healthy, read from a directory (no sha256), nothing skipped. */
export function healthyLabReport(lang: Lang): Report {
  return {
    reportVersion: 1,
    lang,
    summary: {
      cluster: 'homelab',
      collectedAt: '2025-05-02T08:00:00Z',
      finishedAt: '2025-05-02T08:00:41Z',
      interrupted: false,
      bundle: { name: 'labsnap-homelab-20250502T080000Z', sha256: null, formatVersion: 1, tool: 'labsnap 0.1.0', input: 'labsnap bundle' },
      hosts: { reached: ['pve1', 'cp1', 'worker1', 'worker2'], unreached: [] },
      rulePack: { version: '0.1.0', hash: RULE_PACK_HASH, rules: 8 },
      counts: { critical: 0, warning: 0, info: 0, consequences: 0, withdrawn: 0, skipped: 0, passed: 8 },
    },
    scope: { level: 'none', nodes: [], namespaces: [], hosts: [], clusterWide: [] },
    findings: [],
    withdrawn: [],
    recentChanges: [],
    gaps: { unreachedHosts: [], items: [] },
    skipped: [],
    passed: passed(lang, Object.keys(passedRules)),
  };
}

/**
 * An interrupted run with a cluster-wide finding whose texts and evidence, and a passed rule whose title, carry
 * everything a renderer must escape: Markdown pipes, backticks and fences, HTML, terminal escape sequences,
 * NUL, bidi overrides.
 */
export function hostileContentReport(): Report {
  return {
    reportVersion: 1,
    lang: 'en',
    summary: {
      cluster: 'lab|<b>x</b>',
      collectedAt: '2025-06-01T12:00:00Z',
      finishedAt: '2025-06-01T12:00:09Z',
      interrupted: true,
      bundle: { name: 'bundle`name`.tar.gz', sha256: BUNDLE_SHA256, formatVersion: 1, tool: 'labsnap 0.1.0', input: 'labsnap bundle' },
      hosts: { reached: ['cp1'], unreached: [] },
      rulePack: { version: '0.1.0-dev', hash: RULE_PACK_HASH, rules: 2 },
      counts: { critical: 1, warning: 0, info: 0, consequences: 0, withdrawn: 0, skipped: 0, passed: 1 },
    },
    scope: { level: 'cluster', nodes: [], namespaces: [], hosts: [], clusterWide: ['apiserver-cert-expired'] },
    findings: [
      {
        ruleId: 'apiserver-cert-expired',
        area: 'certs',
        severity: 'critical',
        title: 'API server certificate expired & <rejected>',
        summary: '# not a heading: the cert for `kube-apiserver` | expired "yesterday" \u001b[31mred\u001b[0m \u0000 end',
        cause: '* not a list item, _not emphasis_, [not](a link)',
        fix: 'Run `kubeadm certs renew all` and restart the static pods.\nThen check again.',
        confirm: ['kubeadm certs check-expiration | grep -E "apiserver|admin.conf"', 'echo "```"'],
        scope: { level: 'cluster', names: [] },
        objects: [{ kind: 'Secret', namespace: 'kube-system', name: 'odd|name' }],
        evidence: [
          {
            path: 'hosts/cp1/kubeadm/certs.txt',
            line: 7,
            excerpt: ['```', 'apiserver  Apr 01, 2025 09:00 UTC  <invalid>  ca  no', '\u202eevil\u202c \u0007bell'],
          },
        ],
      },
    ],
    withdrawn: [],
    recentChanges: [],
    gaps: { unreachedHosts: [], items: [] },
    skipped: [],
    passed: [{ ruleId: 'clock-skew', title: 'Clocks | `differ` \u001b[2Jby *hours* <i>', area: 'certs' }],
  };
}
