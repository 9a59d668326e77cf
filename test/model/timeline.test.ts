// Recent changes: apt transactions (local time, converted with the host's zone), service restarts and
// rollouts come first; events fill in; nothing outside the 24 hours before collection.
import { describe, expect, it } from 'vitest';
import { openMemoryBundle } from '../../bundle/reader.js';
import { analyzeBundle } from '../../analyzer/engine/analyze.js';
import { loadRules } from '../../analyzer/engine/load-rules.js';
import { caseManifest } from '../../analyzer/engine/tester.js';

async function changes(files: Record<string, string>) {
  const pack = await loadRules();
  const manifest = caseManifest({ name: 'timeline', hosts: { w1: ['worker'] }, files });
  const { report } = await analyzeBundle(openMemoryBundle(files, manifest), { ...pack, rules: [] }, { lang: 'en' });
  return report.recentChanges;
}

const APT = `Start-Date: 2026-11-27  15:20:48
Commandline: apt-get install --only-upgrade containerd.io
Upgrade: containerd.io:amd64 (1.7.23-1, 1.7.24-1)
End-Date: 2026-11-27  15:21:09

Start-Date: 2026-11-20  09:00:00
Install: htop:amd64 (3.3.0-4)
End-Date: 2026-11-20  09:00:05
`;

describe('recent changes', () => {
  it('converts apt local time with the host zone and keeps only the last 24 hours', async () => {
    const entries = await changes({
      'hosts/w1/files/var/log/apt/history.log': APT,
      'hosts/w1/cmd/timezone.txt': 'Timezone=Asia/Tokyo\nNTP=yes\n',
    });
    expect(entries).toEqual([
      {
        at: '2026-11-27T06:20:48.000Z',
        kind: 'package',
        host: 'w1',
        text: 'apt: upgrade containerd.io 1.7.23-1 → 1.7.24-1',
        path: 'hosts/w1/files/var/log/apt/history.log',
        line: 1,
      },
    ]);
  });

  it('takes apt times as UTC when the zone is unknown', async () => {
    const entries = await changes({ 'hosts/w1/files/var/log/apt/history.log': APT.replace('15:20:48', '09:20:48') });
    expect(entries.map((e) => e.at)).toEqual(['2026-11-27T09:20:48.000Z']);
  });

  it('lists service restarts from the journals, newest first', async () => {
    const entries = await changes({
      'hosts/w1/cmd/journal-kubelet.log': [
        '2026-11-27T06:24:28.181000+00:00 w1 systemd[1]: Stopped kubelet.service - kubelet: The Kubernetes Node Agent.',
        '2026-11-27T06:24:30.000000+00:00 w1 systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent.',
        '2026-11-27T06:24:31.000000+00:00 w1 kubelet[7]: I1127 06:24:31.000000       7 server.go:484] "Kubelet version" kubeletVersion="v1.31.4"',
      ].join('\n'),
    });
    expect(entries.map((e) => [e.at, e.kind, e.line])).toEqual([
      ['2026-11-27T06:24:30.000Z', 'restart', 2],
      ['2026-11-27T06:24:28.181Z', 'restart', 1],
    ]);
  });
});
