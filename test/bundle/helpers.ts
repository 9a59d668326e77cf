// Builds bundles for the reader tests by hand, so hostile entries (absolute names, links, devices,
// duplicates) can be written exactly as an attacker would; tar's own Pack would sanitise them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';
import type { Manifest } from '../../bundle/manifest.js';
import type { BundleEntry, OpenedBundle, ReadSummary } from '../../bundle/reader.js';

export const ROOT = 'labsnap-homelab-20250101T000000Z';

export function manifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    format: 'labsnap-bundle',
    formatVersion: 1,
    tool: { name: 'labsnap', version: '0.1.0' },
    cluster: 'homelab',
    collectedAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T00:01:00Z',
    commandLine: ['labsnap', 'collect'],
    hosts: [{ name: 'cp1', address: '192.0.2.11', roles: ['control-plane'], reached: true }],
    items: [
      { path: 'hosts/cp1/cmd/swapon.txt', host: 'cp1', kind: 'command', source: 'swapon --show --bytes', status: 'ok' },
      { path: 'cluster/nodes.json', kind: 'kube', source: 'kubectl get nodes -o json', status: 'ok' },
      { path: 'cluster/version.json', kind: 'kube', source: 'kubectl version -o json', status: 'failed' },
    ],
    interrupted: false,
    ...overrides,
  };
}

export interface TarEntrySpec {
  name: string;
  content?: string | Buffer;
  /** tar type name, e.g. 'File', 'Directory', 'SymbolicLink', 'Link', 'CharacterDevice', 'FIFO'. */
  type?: HeaderData['type'];
  linkpath?: string;
  /** Declared size when it must differ from the content (a lying header). */
  size?: number;
}

export function tarEntry(spec: TarEntrySpec): Buffer {
  const content = typeof spec.content === 'string' ? Buffer.from(spec.content) : (spec.content ?? Buffer.alloc(0));
  const header = new Header({
    path: spec.name,
    mode: spec.type === 'Directory' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: spec.size ?? content.length,
    mtime: new Date(0),
    type: spec.type ?? 'File',
    ...(spec.linkpath !== undefined ? { linkpath: spec.linkpath } : {}),
  });
  const block = Buffer.alloc(512);
  header.encode(block);
  const padding = (512 - (content.length % 512)) % 512;
  return Buffer.concat([block, content, Buffer.alloc(padding)]);
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);

export function tarOf(entries: TarEntrySpec[]): Buffer {
  return Buffer.concat([...entries.map(tarEntry), END_OF_ARCHIVE]);
}

export function manifestEntry(m: Manifest = manifest(), root = ROOT): TarEntrySpec {
  return { name: `${root}/manifest.json`, content: JSON.stringify(m, null, 2) };
}

/** A small valid bundle: manifest first, then a few artifacts. */
export function validEntries(): TarEntrySpec[] {
  return [
    manifestEntry(),
    { name: `${ROOT}/cluster/nodes.json`, content: '{"kind":"List","items":[]}\n' },
    { name: `${ROOT}/hosts/cp1/cmd/swapon.txt`, content: 'NAME TYPE SIZE USED PRIO\n/swap.img file 2147483648 0 -2\n' },
    { name: `${ROOT}/hosts/cp1/cmd/journal-kubelet.log`, content: 'line one\r\nline two\nlast line without newline' },
  ];
}

export function gz(data: Buffer): Buffer {
  return gzipSync(data);
}

export interface TempDir {
  path: string;
  file(name: string, data: Buffer | string): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), 'labsnap-reader-'));
  return {
    path,
    async file(name, data) {
      const p = join(path, name);
      await writeFile(p, data);
      return p;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export interface Visited {
  path: string;
  text: string;
}

/** Reads every entry whole and returns what was seen with the summary. */
export async function readAllText(bundle: OpenedBundle): Promise<{ visited: Visited[]; summary: ReadSummary }> {
  const visited: Visited[] = [];
  const summary = await bundle.forEachEntry(async (entry: BundleEntry) => {
    visited.push({ path: entry.path, text: await entry.text() });
  });
  return { visited, summary };
}
