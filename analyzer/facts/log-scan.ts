// Scans logs for the patterns rules register, in one pass over each artifact as it streams by, keeping
// only a sample of matching lines and counts per file. This is what keeps analysis memory flat however
// large the logs are: no log is ever held whole.
import { HOST_FILE, type ArtifactRef } from '../../bundle/layout.js';
import type { LogHit, LogHits, LogPatternSpec, LogSource } from '../engine/types.js';
import { compareText } from '../../common/compare.js';

/**
 * Matching lines kept per pattern and file: the first few (when it started) and the newest (what is
 * happening now); the count covers all of them.
 */
const FIRST_PER_FILE = 5;
const NEWEST_PER_FILE = 15;
const MAX_LINE_CHARS = 600;

interface CompiledPattern {
  key: string;
  spec: LogPatternSpec;
  regex: RegExp;
  pods?: RegExp;
  samples: Map<string, Samples>;
  counts: Map<string, number>;
  scanned: Set<string>;
}

interface Samples {
  first: LogHit[];
  newest: LogHit[];
}

/** One artifact being scanned: whole text pushed in order, then end(). */
export interface FileScan {
  push(chunk: string): void;
  end(): void;
}

/** A scanner's findings in a form that crosses threads (structured clone). */
export interface ScanState {
  ordinals: [string, number][];
  patterns: { key: string; samples: [string, Samples][]; counts: [string, number][]; scanned: string[] }[];
}

const JOURNAL_SOURCES: Record<string, LogSource> = {
  'journal-kubelet.log': 'journal-kubelet',
  'journal-containerd.log': 'journal-containerd',
  'journal-kernel.log': 'journal-kernel',
  'journal-pve-firewall.log': 'journal-pve-firewall',
};

export function logSourceOf(ref: ArtifactRef): LogSource | undefined {
  if (ref.area === 'host-cmd') return JOURNAL_SOURCES[ref.name];
  // pvefw-logger's packet log: the same lines the journal would carry, so rules need not name it apart.
  if (ref.area === 'host-file' && ref.file === HOST_FILE.pveFirewallLog) return 'journal-pve-firewall';
  if (ref.area === 'pod-log') return 'pod-logs';
  if (ref.area === 'attachment') return 'attachments';
  return undefined;
}

/** Named groups are dropped from the combined prefilter: the same name may occur in several patterns. */
function ungroup(source: string): string {
  return source.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?:');
}

export class LogScanner {
  private readonly patterns = new Map<string, CompiledPattern>();
  private readonly bySource = new Map<LogSource, CompiledPattern[]>();
  /** Place of each scanned artifact in the pass. */
  private readonly ordinals = new Map<string, number>();
  private nextOrdinal = 0;
  private readonly prefilterCache = new Map<string, RegExp[]>();

  constructor(specs: Map<string, LogPatternSpec>) {
    for (const [key, spec] of [...specs.entries()].sort(([a], [b]) => compareText(a, b))) {
      const compiled: CompiledPattern = {
        key,
        spec,
        regex: new RegExp(spec.regex, spec.ignoreCase ? 'i' : ''),
        samples: new Map(),
        counts: new Map(),
        scanned: new Set(),
        ...(spec.pods !== undefined ? { pods: new RegExp(spec.pods) } : {}),
      };
      this.patterns.set(key, compiled);
    }
    const sources = new Set<LogSource>([...this.patterns.values()].flatMap((p) => p.spec.sources));
    for (const source of sources) {
      this.bySource.set(source, [...this.patterns.values()].filter((p) => p.spec.sources.includes(source)));
    }
  }

  wants(ref: ArtifactRef): boolean {
    const source = logSourceOf(ref);
    return source !== undefined && this.applicable(source, ref).length > 0;
  }

  private applicable(source: LogSource, ref: ArtifactRef): CompiledPattern[] {
    const patterns = this.bySource.get(source) ?? [];
    if (ref.area !== 'pod-log') return patterns;
    return patterns.filter(
      (p) => (!p.spec.namespaces || p.spec.namespaces.includes(ref.namespace)) && (!p.pods || p.pods.test(ref.pod)),
    );
  }

  /** Scans one artifact streamed as text chunks. */
  async scan(path: string, ref: ArtifactRef, chunks: AsyncIterable<string>): Promise<void> {
    const file = this.begin(path, ref);
    if (!file) return;
    for await (const chunk of chunks) file.push(chunk);
    file.end();
  }

  /**
   * Starts scanning one artifact whose text is then pushed chunk by chunk (null when no pattern reads
   * it). `ordinal` is the artifact's place in the pass, given when the scan runs in a worker thread, so
   * that merged results are in the order one thread would have produced them.
   */
  begin(path: string, ref: ArtifactRef, ordinal?: number): FileScan | null {
    const source = logSourceOf(ref);
    if (source === undefined) return null;
    const patterns = this.applicable(source, ref);
    if (patterns.length === 0) return null;
    this.place(path, ordinal);
    // Alternations find candidate lines in one regex pass per case mode over each chunk (a
    // case-insensitive alternation of every pattern costs about half again as much as the two apart);
    // each candidate line is then confirmed against the individual patterns.
    const combined = this.prefilters(patterns);
    for (const p of patterns) p.scanned.add(path);
    const origin = originOf(ref);
    let carry = '';
    let lineBase = 1;
    return {
      push: (chunk) => {
        const text = carry + chunk;
        const lastNewline = text.lastIndexOf('\n');
        if (lastNewline < 0) {
          carry = text;
          return;
        }
        const complete = text.slice(0, lastNewline + 1);
        carry = text.slice(lastNewline + 1);
        lineBase = this.scanBlock(path, complete, lineBase, combined, patterns, origin);
      },
      end: () => {
        if (carry.length > 0) this.scanBlock(path, `${carry}\n`, lineBase, combined, patterns, origin);
        carry = '';
      },
    };
  }

  /**
   * The candidate-line alternations for one set of patterns, built once per set. Several rules share a
   * pattern (the image-pull messages are read by four), and an alternation tries every branch at every
   * position, so each distinct pattern appears in it once.
   */
  private prefilters(patterns: CompiledPattern[]): RegExp[] {
    const setKey = patterns.map((p) => p.key).join('\n');
    let combined = this.prefilterCache.get(setKey);
    if (!combined) {
      combined = [false, true].flatMap((ignoreCase) => {
        const sources = new Set(patterns.filter((p) => (p.spec.ignoreCase ?? false) === ignoreCase).map((p) => ungroup(p.spec.regex)));
        return sources.size === 0 ? [] : [new RegExp([...sources].map((source) => `(?:${source})`).join('|'), ignoreCase ? 'gim' : 'gm')];
      });
      this.prefilterCache.set(setKey, combined);
    }
    return combined;
  }

  /** Everything scanned so far, for the thread that merges it (see absorb). */
  exportState(): ScanState {
    return {
      ordinals: [...this.ordinals],
      patterns: [...this.patterns.values()].map((p) => ({ key: p.key, samples: [...p.samples], counts: [...p.counts], scanned: [...p.scanned] })),
    };
  }

  /** Merges what a scanner in another thread found (on other artifacts) as if this one had scanned them in pass order. */
  absorb(state: ScanState): void {
    for (const [path, ordinal] of state.ordinals) this.ordinals.set(path, ordinal);
    const order = <V>(entries: Iterable<[string, V]>): [string, V][] => [...entries].sort(([a], [b]) => (this.ordinals.get(a) ?? Infinity) - (this.ordinals.get(b) ?? Infinity));
    for (const theirs of state.patterns) {
      const p = this.patterns.get(theirs.key);
      if (!p) throw new Error(`log scan: a worker reported pattern ${theirs.key}, which this scanner does not have`);
      p.samples = new Map(order([...p.samples, ...theirs.samples]));
      p.counts = new Map(order([...p.counts, ...theirs.counts]));
      p.scanned = new Set(order([...p.scanned, ...theirs.scanned].map((path): [string, null] => [path, null])).map(([path]) => path));
    }
  }

  /** The patterns this scanner was built from, to build the same scanner in another thread. */
  get specs(): Map<string, LogPatternSpec> {
    return new Map([...this.patterns].map(([key, p]) => [key, p.spec]));
  }

  private place(path: string, ordinal: number | undefined): void {
    if (!this.ordinals.has(path)) this.ordinals.set(path, ordinal ?? this.nextOrdinal);
    this.nextOrdinal = Math.max(this.nextOrdinal, this.ordinals.get(path)!) + 1;
  }

  /** Reserves the next place in the pass for an artifact scanned elsewhere. */
  reserve(): number {
    return this.nextOrdinal++;
  }

  /** Scans whole lines; returns the line number after the block. */
  private scanBlock(path: string, block: string, lineBase: number, combined: RegExp[], patterns: CompiledPattern[], origin: Omit<LogHit, 'path' | 'line' | 'text'>): number {
    const starts = candidateLines(block, combined);
    let line = lineBase;
    let counted = 0; // offset up to which newlines have been counted into `line`
    for (const start of starts) {
      const end = block.indexOf('\n', start);
      for (let i = block.indexOf('\n', counted); i !== -1 && i < start; i = block.indexOf('\n', i + 1)) {
        line++;
        counted = i + 1;
      }
      const text = block.charCodeAt(end - 1) === 13 ? block.slice(start, end - 1) : block.slice(start, end);
      for (const p of patterns) {
        const hit = p.regex.exec(text);
        if (!hit) continue;
        keep(p, {
          path,
          line,
          text: text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text,
          ...origin,
          ...(hit.groups ? { groups: { ...hit.groups } } : {}),
        });
      }
    }
    for (let i = block.indexOf('\n', counted); i !== -1; i = block.indexOf('\n', i + 1)) line++;
    return line;
  }

  /** Feeds records that are not files (event messages, node conditions) as single lines. */
  scanRecord(source: LogSource, path: string, pointer: string, text: string, origin: Omit<LogHit, 'path' | 'line' | 'text'>): void {
    for (const p of this.bySource.get(source) ?? []) {
      p.scanned.add(path);
      const hit = p.regex.exec(text);
      if (!hit) continue;
      keep(p, { path, line: 0, pointer, text, ...origin, ...(hit.groups ? { groups: { ...origin.groups, ...hit.groups } } : {}) }, RECORD_SAMPLE);
    }
  }

  hits(key: string): LogHits {
    const p = this.patterns.get(key);
    if (!p) return { hits: [], counts: new Map(), scanned: [] };
    const hits = [...p.samples.keys()].sort(compareText).flatMap((path) => {
      const s = p.samples.get(path)!;
      return [...s.first, ...s.newest];
    });
    return { hits, counts: p.counts, scanned: [...p.scanned].sort(compareText) };
  }

  sources(key: string): LogSource[] {
    return this.patterns.get(key)?.spec.sources ?? [];
  }
}

/** Start offsets of the lines any of the regexes matches, ascending, each once. */
function candidateLines(block: string, regexes: RegExp[]): number[] {
  const found: number[] = [];
  for (const re of regexes) {
    re.lastIndex = 0;
    for (let m = re.exec(block); m !== null; m = re.exec(block)) {
      found.push(block.lastIndexOf('\n', m.index - 1) + 1);
      re.lastIndex = block.indexOf('\n', m.index) + 1; // one candidate per line
    }
  }
  if (regexes.length === 1) return found;
  found.sort((a, b) => a - b);
  return found.filter((start, i) => i === 0 || start !== found[i - 1]);
}

/** Records (events, node conditions) are few per file and each one matters: keep many more of them. */
const RECORD_SAMPLE = 100;

function keep(p: CompiledPattern, hit: LogHit, newest = NEWEST_PER_FILE): void {
  const n = (p.counts.get(hit.path) ?? 0) + 1;
  p.counts.set(hit.path, n);
  let s = p.samples.get(hit.path);
  if (!s) {
    s = { first: [], newest: [] };
    p.samples.set(hit.path, s);
  }
  if (s.first.length < FIRST_PER_FILE) s.first.push(hit);
  else {
    s.newest.push(hit);
    if (s.newest.length > newest) s.newest.shift();
  }
}

function originOf(ref: ArtifactRef): Omit<LogHit, 'path' | 'line' | 'text'> {
  if (ref.area === 'host-cmd' || ref.area === 'host-file') return { host: ref.host };
  if (ref.area === 'pod-log') return { namespace: ref.namespace, pod: ref.pod };
  return {};
}
