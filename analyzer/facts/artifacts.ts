// Which artifacts a bundle holds and, for the ones it lacks, why: the manifest's record (failed,
// timeout, not-found ...), an unreached host, a damaged entry, or "not collected". Rules that cannot
// read their inputs are skipped with these reasons instead of passing silently.
import { canContain, INPUT_KIND_NAMES } from '../../bundle/import/kinds.js';
import type { ImportedInput, ItemRecord, Manifest } from '../../bundle/manifest.js';
import { compareText } from '../../common/compare.js';
import { pathPatternRegex } from '../../common/path-pattern.js';

export type ArtifactState = 'present' | 'damaged' | 'failed' | 'missing';

export interface ArtifactStatus {
  state: ArtifactState;
  reason?: string;
}

export class ArtifactIndex {
  private readonly items = new Map<string, ItemRecord>();
  private readonly present = new Map<string, number>();
  private readonly damaged = new Map<string, string>();
  private readonly unreached = new Map<string, string>();
  private readonly imported: ImportedInput[];

  constructor(manifest: Manifest) {
    this.imported = manifest.imported ?? [];
    for (const item of manifest.items) this.items.set(item.path, item);
    for (const host of manifest.hosts) if (!host.reached) this.unreached.set(host.name, host.error ?? 'not reached');
  }

  markPresent(path: string, size: number): void {
    this.present.set(path, size);
  }

  markDamaged(path: string, reason: string): void {
    this.damaged.set(path, reason);
  }

  item(path: string): ItemRecord | undefined {
    return this.items.get(path);
  }

  /** Present, undamaged, and either collected without error or with output kept despite an error. */
  usable(path: string): boolean {
    if (!this.present.has(path) || this.damaged.has(path)) return false;
    const item = this.items.get(path);
    return !item || item.status === 'ok' || (this.present.get(path) ?? 0) > 0;
  }

  status(path: string): ArtifactStatus {
    const damage = this.damaged.get(path);
    if (damage !== undefined) return { state: 'damaged', reason: `unreadable in the bundle: ${damage}` };
    const item = this.items.get(path);
    if (this.usable(path)) return { state: 'present' };
    if (item && item.status !== 'ok') {
      const detail = item.stderr ? `: ${firstLine(item.stderr)}` : item.exitCode != null ? ` (exit ${item.exitCode})` : '';
      return { state: 'failed', reason: `${item.status}${detail}` };
    }
    if (item && this.present.has(path)) return { state: 'failed', reason: 'collected but empty' };
    if (item) return { state: 'missing', reason: 'listed in the manifest but absent from the bundle' };
    const host = /^hosts\/([^/]+)\//.exec(path)?.[1];
    if (host !== undefined && this.unreached.has(host)) return { state: 'missing', reason: `host ${host} was not reached: ${this.unreached.get(host)}` };
    return { state: 'missing', reason: this.absentReason(path) };
  }

  /**
   * Why a path nothing lists is absent. For an import, in words of the input that would have held it: the
   * tool never collects it ("not in a troubleshoot.sh bundle"), or it could have but this input lacks it.
   * `path` may be a pattern (`hosts/*` + `/cmd/sysctl.txt`).
   */
  private absentReason(path: string): string {
    if (this.imported.length === 0) return 'not collected';
    const host = /^hosts\/([^/]+)\//.exec(path)?.[1];
    const covering = path.startsWith('cluster/')
      ? this.imported.filter((i) => i.cluster)
      : host !== undefined && !host.includes('*')
        ? this.imported.filter((i) => i.hosts.includes(host))
        : this.imported;
    const names = (inputs: ImportedInput[]) => [...new Set(inputs.map((i) => INPUT_KIND_NAMES[i.kind]))].join(' or ');
    if (covering.length === 0) {
      return path.startsWith('cluster/')
        ? `not in a ${names(this.imported)} (no cluster data was imported)`
        : `not in a ${names(this.imported)} (no input covers host ${host})`;
    }
    if (covering.every((i) => !canContain(i.kind, path))) return `not in a ${names(covering)}`;
    return `not collected in this ${names(covering.filter((i) => canContain(i.kind, path)))}`;
  }

  whyMissing(path: string): string | undefined {
    const s = this.status(path);
    return s.state === 'present' ? undefined : s.reason;
  }

  /** Usable paths matching a pattern (`*` within one segment, `**` across segments), sorted. */
  matchUsable(pattern: string): string[] {
    const re = pathPatternRegex(pattern);
    return [...this.present.keys()].filter((p) => re.test(p) && this.usable(p)).sort();
  }

  /** Why nothing usable matches a pattern: each listed path with its reason, or the pattern itself. */
  explainMissing(pattern: string): { path: string; reason: string }[] {
    const re = pathPatternRegex(pattern);
    const known = new Set([...this.items.keys(), ...this.present.keys(), ...this.damaged.keys()]);
    const listed = [...known].filter((p) => re.test(p)).sort();
    if (listed.length === 0) return [{ path: pattern, reason: this.imported.length > 0 ? this.absentReason(pattern) : 'not in the bundle' }];
    // Paths that are there are no explanation of what is missing (a rule may skip them for their host's role).
    return listed.flatMap((path) => {
      const reason = this.whyMissing(path);
      return reason === undefined ? [] : [{ path, reason }];
    });
  }

  /** Usable paths under a folder prefix (e.g. `hosts/w1/files/etc/cni/net.d/`), sorted. */
  listUsable(prefix: string): string[] {
    return [...this.present.keys()].filter((p) => p.startsWith(prefix) && this.usable(p)).sort();
  }

  /** Manifest items that are not ok, for the report's collection gaps. */
  failedItems(): ItemRecord[] {
    return [...this.items.values()].filter((i) => i.status !== 'ok').sort((a, b) => compareText(a.path, b.path));
  }

  damagedEntries(): { path: string; reason: string }[] {
    return [...this.damaged.entries()].map(([path, reason]) => ({ path, reason })).sort((a, b) => compareText(a.path, b.path));
  }

  /** Items listed as ok whose file is absent (directory listings excepted: they have no file). */
  absentItems(): ItemRecord[] {
    return [...this.items.values()]
      .filter((i) => i.status === 'ok' && !this.present.has(i.path) && !this.isFolderItem(i.path))
      .sort((a, b) => compareText(a.path, b.path));
  }

  /** A directory listing: recorded as an ok item without a file of its own (bytes 0, no sha256). */
  isFolderItem(path: string): boolean {
    const item = this.items.get(path);
    return item !== undefined && !this.present.has(path) && item.status === 'ok' && item.bytes === 0 && item.sha256 == null;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim().length > 0) ?? text;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
