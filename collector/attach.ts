// `labsnap attach BUNDLE [HOST:]FILE ...`: adds attachments to an existing bundle. Every entry is copied
// unchanged into a new archive with the attachments (redacted like collected items when the bundle is),
// the manifest records them (`addedLater`), and the new archive replaces the old one only when complete.
import { rename, rm, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LayoutError, bundlePath, segment } from '../bundle/layout.js';
import type { ItemRecord, Manifest } from '../bundle/manifest.js';
import { openBundle } from '../bundle/reader.js';
import { BundleStaging, exists, writeBundle, type WrittenBundle } from '../bundle/writer.js';
import { UsageError, errorMessage } from '../common/errors.js';
import { attributeAttachment, parseAttachArg, readAttachmentTail, unknownHostPrefix } from './attachments.js';
import { redactManifest } from './redact/bundle.js';
import { DEFAULT_REDACTION, RedactionSession } from './redact/session.js';
import { DEFAULT_MAX_ITEM_BYTES, ItemStore } from './run.js';

export interface AttachOptions {
  bundle: string;
  files: string[];
  /** Write here instead of replacing the bundle. */
  out: string | null;
  cwd: string;
  maxItemBytes?: number;
}

export interface AttachResult {
  bundle: WrittenBundle;
  added: ItemRecord[];
}

export async function attachToBundle(opts: AttachOptions): Promise<AttachResult> {
  const source = resolve(opts.cwd, opts.bundle);
  const opened = await openBundle(source);
  if (opened.kind !== 'tar.gz' && opened.kind !== 'tar') throw new UsageError(`${opts.bundle}: attach works on a bundle archive (.tar.gz); this is a ${opened.kind}`);
  const manifest = opened.manifest;
  const hosts = manifest.hosts.map((h) => ({ name: h.name, address: h.address }));
  const hostNames = hosts.map((h) => h.name);
  const taken = new Set(manifest.items.map((i) => i.path));

  const planned: Array<{ given: string; file: string; path: string; host: string | null }> = [];
  for (const given of opts.files) {
    const arg = parseAttachArg(given, hostNames);
    const file = resolve(opts.cwd, arg.file);
    const st = await stat(file).catch(() => null);
    if (!st || !st.isFile()) {
      const unknown = arg.host === null ? unknownHostPrefix(given, hostNames) : null;
      throw new UsageError(unknown !== null ? `${given}: ${unknown} is not a host of this bundle (hosts: ${hostNames.join(', ')}), and no file ${given} exists` : `${given}: not a readable file`);
    }
    let path: string;
    try {
      path = bundlePath.attachment(segment(basename(file), 'attachment name'));
    } catch (err) {
      throw new UsageError(`${given}: ${errorMessage(err)}`);
    }
    if (taken.has(path)) throw new UsageError(`${given}: the bundle already has ${path}; rename the file`);
    taken.add(path);
    planned.push({ given, file, path, host: arg.host });
  }

  const out = opts.out === null ? `${source}.attach-${process.pid}` : resolve(opts.cwd, opts.out);
  if (opts.out !== null && (await exists(out))) throw new UsageError(`--out ${out}: the file exists; labsnap does not overwrite bundles`);
  const redact = manifest.redaction?.enabled ?? false;
  const session = new RedactionSession({ ...DEFAULT_REDACTION, redact });
  const staging = await BundleStaging.create(opened.rootName);
  try {
    await opened.forEachEntry(async (entry) => {
      await staging.putStream(entry.path, entry.chunks());
    });
    const store = new ItemStore(staging, redact ? session : null);
    for (const p of planned) {
      const startedAt = new Date();
      const { data, truncated } = await readAttachmentTail(p.file, opts.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES);
      const attribution = attributeAttachment(p.host, data, hosts);
      const stored = await store.put(p.path, data);
      store.record({
        path: p.path,
        host: null,
        kind: 'attachment',
        source: p.given,
        status: 'ok',
        exitCode: null,
        stderr: null,
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
        bytes: stored.bytes,
        sha256: stored.sha256,
        truncated,
        ...(stored.redactions && Object.keys(stored.redactions).length > 0 ? { redactions: stored.redactions } : {}),
        ...attribution,
        addedLater: true,
      });
    }
    const added = redact ? redactManifest({ ...manifest, items: store.items }, session).items : store.items;
    const next: Manifest = { ...manifest, items: [...manifest.items, ...added].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
    let written: WrittenBundle;
    try {
      written = await writeBundle(staging, next, out, new Date(manifest.collectedAt));
    } catch (err) {
      if (err instanceof LayoutError) throw new UsageError(err.message);
      throw err;
    }
    if (opts.out === null) {
      // The complete new archive takes the old one's name in one step.
      await rename(out, source);
      written = { ...written, path: source };
    }
    return { bundle: written, added };
  } catch (err) {
    if (opts.out === null) await rm(out, { force: true });
    throw err;
  } finally {
    await staging.remove();
  }
}
