// The planted-secrets fixture through the real collector path (plan → transport → ItemStore → writer),
// and through `labsnap redact` of a bundle collected with --no-redact: no planted value survives
// anywhere in the decompressed bundle, the manifest counts match what was planted, and nothing that is
// not a secret was removed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import manifestSchema from '../../schemas/manifest.schema.json' with { type: 'json' };
import type { Manifest } from '../../bundle/manifest.js';
import { openBundle } from '../../bundle/reader.js';
import { collect, type CollectOptions } from '../../collector/collect.js';
import { silentProgress } from '../../collector/progress.js';
import { redactBundleFile } from '../../collector/redact/index.js';
import { DEFAULT_MAX_ITEM_BYTES } from '../../collector/run.js';
import type { RedactionSettings } from '../../collector/redact/session.js';
import { connectLocal } from '../../collector/transports/local.js';
import type { ConnectSsh, HostConnection } from '../../collector/transport.js';
import { validateAgainst } from '../../common/schema.js';
import { SECRETS_FIXTURE, decompressed, expectedCounts, planted } from './helpers.js';

const root = join(SECRETS_FIXTURE, 'root');
// The offline stand-ins keep the plan's gateway ping and API-server probe (192.168.10.11) off the network.
const offlineBin = join(import.meta.dirname, '..', 'helpers', 'offline-bin');
const env = { ...process.env, PATH: `${join(SECRETS_FIXTURE, 'bin')}${delimiter}${offlineBin}${delimiter}${process.env.PATH ?? ''}`, LABSNAP_FIXTURE: SECRETS_FIXTURE };

/** The SSH transport's contract, served by this machine with `/` of copied files mapped to the fixture. */
const fakeSsh: ConnectSsh = async () => {
  const inner = connectLocal({ env });
  const conn: HostConnection = {
    hostKeyFingerprint: 'SHA256:planted-secrets-fixture',
    async exec(command, o) {
      const rooted = command.replace(/^(cat -- |find -H )'\//, `$1'${root}/`);
      const outcome = await inner.exec(rooted, o);
      if (rooted !== command && command.startsWith('find')) return { ...outcome, stdout: Buffer.from(outcome.stdout.toString('utf8').split(root).join('')) };
      return outcome;
    },
    close: () => inner.close(),
  };
  return conn;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labsnap-planted-'));
  await writeFile(
    join(dir, 'lab.yaml'),
    ['cluster: secrets', 'hosts:', '  - { name: cp1, address: 192.168.10.11, roles: [control-plane, proxmox] }', 'kube: { via: cp1 }', 'arp: [ { host: cp1, interface: vmbr0 } ]', ''].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(out: string, redaction?: RedactionSettings): CollectOptions {
  return {
    inventoryFile: 'lab.yaml',
    local: false,
    roles: null,
    localCluster: 'local',
    out,
    sinceSeconds: 3600,
    concurrency: 4,
    timeoutMs: 20_000,
    arpSeconds: 1,
    attach: [join(SECRETS_FIXTURE, 'attachments', 'kubeadm-init.txt'), join(SECRETS_FIXTURE, 'attachments', 'wg0.conf')],
    note: 'planted secrets: token=FAKE-note-token-0042',
    dryRun: false,
    acceptNewHostKeys: false,
    maxItemBytes: DEFAULT_MAX_ITEM_BYTES,
    commandLine: ['labsnap', 'collect', '--inventory', 'lab.yaml'],
    cwd: dir,
    env,
    connectSsh: fakeSsh,
    sshConfigPath: null,
    now: () => new Date('2026-11-27T10:00:00Z'),
    ...(redaction ? { redaction } : {}),
  };
}

async function manifestOf(file: string): Promise<Manifest> {
  return (await openBundle(file)).manifest;
}

function checkBundle(file: string, m: Manifest): void {
  const p = planted();
  const bytes = decompressed(file);
  const leaked = [...p.secrets.map((s) => s.value), ...p.alsoGone, 'FAKE-note-token-0042'].filter((v) => bytes.includes(v));
  expect(leaked).toEqual([]);
  const lost = p.kept.filter((v) => !bytes.includes(v));
  expect(lost).toEqual([]);

  expect(validateAgainst(manifestSchema, m, 'manifest.json')).toEqual([]);
  expect(m.redaction?.enabled).toBe(true);
  const expected = expectedCounts(p);
  const byPath = new Map(m.items.map((i) => [i.path, i]));
  for (const [item, counts] of expected) expect({ item, counts: byPath.get(item)?.redactions }).toEqual({ item, counts });
  // Nothing else in the bundle (real `ip`, `ss`, `sysctl` output of this machine) lost anything.
  const others = m.items.filter((i) => !expected.has(i.path) && i.redactions !== undefined).map((i) => ({ path: i.path, redactions: i.redactions }));
  expect(others).toEqual([]);
}

describe('planted secrets', () => {
  it('never reach the bundle through collect, and are counted per item and redactor', async () => {
    const out = join(dir, 'redacted.tar.gz');
    const result = await collect(options(out), silentProgress, new AbortController().signal);
    const m = await manifestOf(out);
    expect(m.items.find((i) => i.path === 'hosts/cp1/cmd/kubeadm-token-list.txt')?.status).toBe('ok');
    checkBundle(out, m);
    expect(result.manifest?.note).toMatch(/^planted secrets: .*<redacted:secret-value:[0-9a-f]{8}>$/);
    // The capture is binary: stored exactly as captured.
    const capture = m.items.find((i) => i.path === 'hosts/cp1/capture/arp-vmbr0.pcap')!;
    expect(capture.status).toBe('ok');
    expect(capture.bytes).toBe((await readFile(join(SECRETS_FIXTURE, 'capture.pcap'))).length);
  });

  it('are all in a --no-redact bundle, and gone after labsnap redact of it', async () => {
    const raw = join(dir, 'raw.tar.gz');
    await collect(options(raw, { redact: false, rules: null, pseudonymize: [], mapOut: null }), silentProgress, new AbortController().signal);
    const rawBytes = decompressed(raw);
    const p = planted();
    expect(p.secrets.map((s) => s.value).filter((v) => !rawBytes.includes(v))).toEqual([]);
    expect((await manifestOf(raw)).redaction).toEqual({ enabled: false });

    const out = join(dir, 'after-redact.tar.gz');
    const result = await redactBundleFile(await openBundle(raw), out, { redact: true, rules: null, pseudonymize: [], mapOut: null });
    checkBundle(out, await manifestOf(out));
    expect(result.problems).toEqual([]);
    expect(Object.values(result.removed).reduce((a, b) => a + b, 0)).toBe(p.secrets.length + 1);

    // Redacting again finds nothing new: placeholders are never taken for secrets.
    const again = join(dir, 'again.tar.gz');
    const second = await redactBundleFile(await openBundle(out), again, { redact: true, rules: null, pseudonymize: [], mapOut: null });
    expect(second.removed).toEqual({});
    expect((await manifestOf(again)).items.filter((i) => i.redactions)).toEqual((await manifestOf(out)).items.filter((i) => i.redactions));
  });
});
