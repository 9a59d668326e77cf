// `labsnap redact`: an existing bundle re-redacted (and optionally pseudonymized) as a stream, reader →
// redactors → writer. The output is a valid bundle whose manifest records what was removed. `collect
// --pseudonymize` uses the same pass over its own staging folder, so both produce the same result.
import { writeFile } from 'node:fs/promises';
import type { ItemRecord, Manifest } from '../../bundle/manifest.js';
import type { EntryProblem, OpenedBundle } from '../../bundle/reader.js';
import { BundleStaging, writeBundle, type WrittenBundle } from '../../bundle/writer.js';
import { UsageError } from '../../common/errors.js';
import { pseudonymizeCapture } from './pcap.js';
import { hostNamesOf, type ReverseMap } from './pseudonymize.js';
import { addCounts, countsRecord, type Counts } from './secrets.js';
import type { RedactionSession } from './session.js';
import { isBinaryEntry, Measured, transformText } from './stream.js';

export interface RewriteResult {
  bundle: WrittenBundle;
  manifest: Manifest;
  /** Entries the reader refused (they are not in the output). */
  problems: EntryProblem[];
  /** Values removed by this pass, per redactor, over the whole bundle. */
  removed: Record<string, number>;
  /** Pseudonym → original, when pseudonymizing; also written to settings.mapOut. */
  reverse: ReverseMap | null;
}

interface Stored {
  bytes: number;
  sha256: string;
  counts: Counts;
}

/**
 * Redacts the manifest's free-text fields (commands, errors, the note). What is removed from an item's
 * fields is added to that item's counts; the rest (command line, note) only to `total`.
 */
export function redactManifest(m: Manifest, session: RedactionSession, total: Counts = new Map()): Manifest {
  if (!session.settings.redact) return m;
  const items = m.items.map((it): ItemRecord => {
    const counts: Counts = new Map(Object.entries(it.redactions ?? {}));
    const before = new Map(counts);
    const out: ItemRecord = { ...it, source: session.redactString(it.source, counts) };
    if (typeof it.stderr === 'string') out.stderr = session.redactString(it.stderr, counts);
    for (const [k, v] of counts) total.set(k, (total.get(k) ?? 0) + v - (before.get(k) ?? 0));
    const record = countsRecord(counts);
    if (Object.keys(record).length > 0) out.redactions = record;
    return out;
  });
  const result: Manifest = { ...m, items, commandLine: m.commandLine.map((a) => session.redactString(a, total)) };
  if (typeof m.note === 'string') result.note = session.redactString(m.note, total);
  return result;
}

export async function rewriteBundle(opened: OpenedBundle, session: RedactionSession, outFile: string): Promise<RewriteResult> {
  const source = opened.manifest;
  const pseudo = session.pseudonymizer(hostNamesOf(source));
  // The root folder is named after the cluster (or, for an extracted fixture, anything): names in it go too.
  const staging = await BundleStaging.create(pseudo ? pseudo.string(opened.rootName) : opened.rootName);
  try {
    const stored = new Map<string, Stored>();
    const total: Counts = new Map();
    const summary = await opened.forEachEntry(async (entry) => {
      const target = pseudo ? pseudo.path(entry.path) : entry.path;
      const measured = new Measured();
      const counts: Counts = new Map();
      if (isBinaryEntry(entry.path)) {
        const data = await entry.bytes();
        await staging.putStream(target, measured.pass(single(pseudo ? pseudonymizeCapture(pseudo, data) : data)));
      } else {
        const redactor = session.textRedactor();
        await staging.putStream(target, measured.pass(transformText(entry.chunks(), redactor, pseudo)));
        if (redactor) addCounts(counts, redactor.counts);
      }
      addCounts(total, counts);
      stored.set(entry.path, { bytes: measured.bytes, sha256: measured.sha256(), counts });
    });

    let manifest: Manifest = {
      ...source,
      items: source.items.map((it) => {
        const s = stored.get(it.path);
        if (!s) return it;
        const merged: Counts = new Map(Object.entries(it.redactions ?? {}));
        addCounts(merged, s.counts);
        const record = countsRecord(merged);
        return { ...it, bytes: s.bytes, sha256: s.sha256, ...(Object.keys(record).length > 0 ? { redactions: record } : {}) };
      }),
    };
    manifest = redactManifest(manifest, session, total);
    if (pseudo) manifest = pseudo.manifest(manifest);
    const before = source.redaction;
    const kinds = [...new Set([...(before?.pseudonymized ?? []), ...session.settings.pseudonymize])].sort();
    manifest.redaction = { enabled: (before?.enabled ?? false) || session.settings.redact, ...(kinds.length > 0 ? { pseudonymized: kinds } : {}) };

    const bundle = await writeBundle(staging, manifest, outFile, new Date(source.collectedAt));
    const reverse = pseudo ? pseudo.reverseMap() : null;
    if (reverse && session.settings.mapOut) await writeMap(session.settings.mapOut, reverse);
    return { bundle, manifest, problems: summary.problems, removed: countsRecord(total), reverse };
  } finally {
    await staging.remove();
  }
}

async function* single(data: Buffer): AsyncGenerator<Buffer> {
  if (data.length > 0) yield data;
}

/** The reverse mapping, readable by its owner only, never overwriting a file. */
export async function writeMap(file: string, reverse: ReverseMap): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(reverse, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`--map-out ${file}: the file exists; choose another name`);
    throw err;
  }
}
