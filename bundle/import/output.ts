// What importers hand to the analyzer: entries under labsnap layout paths (bundle/layout.ts), each recorded
// as a manifest item whose `source` is the original path inside the input. An entry is passed through as
// a stream when its format is already the one labsnap reads, or built from a small converted buffer.
import type { HostRecord, ItemKind, ItemRecord } from '../manifest.js';
import type { BundleEntry, EntryProblem, ReaderLimits } from '../reader.js';
import { formatBytes, memorySource, StreamedEntry, type ChunkSource } from '../reader-entry.js';
import type { RawEntry } from './raw.js';

/** The same entry under another path: the body and its limits stay the input's. */
export class RenamedEntry implements BundleEntry {
  constructor(
    readonly path: string,
    private readonly inner: BundleEntry,
  ) {}
  get size(): number {
    return this.inner.size;
  }
  text(): Promise<string> {
    return this.inner.text();
  }
  bytes(): Promise<Buffer> {
    return this.inner.bytes();
  }
  lines(): AsyncIterable<string> {
    return this.inner.lines();
  }
  chunks(): AsyncIterable<Buffer> {
    return this.inner.chunks();
  }
  blocks(): AsyncIterable<string> {
    return this.inner.blocks();
  }
}

export class ImportOutput {
  readonly items: ItemRecord[] = [];
  readonly problems: EntryProblem[] = [];
  readonly #paths = new Map<string, string>();
  #visited = 0;

  constructor(
    private readonly visit: (entry: BundleEntry) => Promise<void>,
    private readonly limits: ReaderLimits,
  ) {}

  get visited(): number {
    return this.#visited;
  }

  #claim(path: string, source: string): boolean {
    const first = this.#paths.get(path);
    if (first !== undefined) {
      this.problems.push({ path: source, problem: `maps to ${path} like ${first}; the first was read, this one ignored` });
      return false;
    }
    this.#paths.set(path, source);
    return true;
  }

  #record(path: string, source: string, kind: ItemKind, host: string | null, bytes: number): void {
    this.items.push({ path, ...(host !== null ? { host } : {}), kind, source, status: 'ok', bytes });
  }

  /** Hands the input's entry on unchanged under a labsnap path. */
  async pass(path: string, source: string, kind: ItemKind, host: string | null, entry: BundleEntry): Promise<void> {
    if (!this.#claim(path, source)) return;
    this.#record(path, source, kind, host, entry.size);
    this.#visited++;
    await this.visit(new RenamedEntry(path, entry));
  }

  /** Hands on part of an input entry, read as it streams; `sizeBound` caps it (the whole entry's size). */
  async passSection(path: string, source: string, sizeBound: number, body: ChunkSource): Promise<void> {
    if (!this.#claim(path, source)) return;
    const item: ItemRecord = { path, kind: 'kube', source, status: 'ok' };
    this.items.push(item);
    let bytes = 0;
    const counted: ChunkSource = async function* () {
      for await (const chunk of body()) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    const entry = new StreamedEntry(path, sizeBound, counted, this.limits, (p) => this.problems.push(p));
    this.#visited++;
    try {
      await this.visit(entry);
    } finally {
      entry.close();
    }
    item.bytes = bytes;
  }

  /** Hands on converted content (small: a list merged from several files, a format converted). */
  async put(path: string, source: string, kind: ItemKind, host: string | null, content: Buffer | string): Promise<void> {
    if (!this.#claim(path, source)) return;
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.#record(path, source, kind, host, buf.length);
    const entry = new StreamedEntry(path, buf.length, memorySource(buf), this.limits, (p) => this.problems.push(p));
    this.#visited++;
    try {
      await this.visit(entry);
    } finally {
      entry.close();
    }
  }
}

/**
 * Content an importer must hold until the end of the pass (host-collector output whose host is named by
 * a later file, custom resources spread over one file per namespace). Bounded: past the cap an entry is
 * refused and listed as a problem, so a hostile input cannot make the import grow without limit.
 */
export class HeldContent {
  #bytes = 0;

  constructor(
    private readonly cap: number,
    private readonly problems: EntryProblem[],
  ) {}

  async take(raw: RawEntry, source: string): Promise<Buffer | null> {
    if (this.#bytes + raw.entry.size > this.cap) {
      this.problems.push({ path: source, problem: `${raw.entry.size} bytes would take the content held for conversion over ${formatBytes(this.cap)}; refused` });
      return null;
    }
    this.#bytes += raw.entry.size;
    return raw.entry.bytes();
  }
}

export interface Importer {
  /** Routes one entry of the input (`rel`: its path below the input's root folder). */
  entry(rel: string[], raw: RawEntry, out: ImportOutput): Promise<void>;
  /** Emits what was held back, once every entry was seen. */
  finish(out: ImportOutput): Promise<void>;
  /** Hosts found in the input (complete after finish). */
  hosts(): HostRecord[];
}

/** Node heartbeats in a node list (JSON or YAML): the newest is close to when the list was collected. */
export function newestHeartbeat(nodesJson: string): Date | undefined {
  let newest: number | undefined;
  for (const m of nodesJson.matchAll(/\blastHeartbeatTime"?\s*:\s*['"]?(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d))/g)) {
    const t = Date.parse(m[1]!);
    if (!Number.isNaN(t) && (newest === undefined || t > newest)) newest = t;
  }
  return newest === undefined ? undefined : new Date(newest);
}

export interface NodeInfo {
  name: string;
  address: string;
  controlPlane: boolean;
}

/** Names, InternalIPs and roles of the nodes in a NodeList, to make hosts of the machines the input covers. */
export function nodesOf(nodesJson: string): NodeInfo[] {
  let list: unknown;
  try {
    list = JSON.parse(nodesJson);
  } catch {
    return [];
  }
  const items = (list as { items?: unknown[] })?.items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((n) => {
    const node = n as { metadata?: { name?: string; labels?: Record<string, string> }; status?: { addresses?: { type?: string; address?: string }[] } };
    const name = node.metadata?.name;
    if (typeof name !== 'string' || name === '') return [];
    const labels = node.metadata?.labels ?? {};
    return [{
      name,
      address: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
      controlPlane: 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels,
    }];
  });
}
