// The single streaming pass over a bundle: every entry is routed once, either to its parser (small
// artifacts) or to the log scanner (large logs, never held whole), or both for attachments.
import { classifyPath, type ArtifactRef } from '../../bundle/layout.js';
import type { BundleEntry, OpenedBundle, ReadSummary } from '../../bundle/reader.js';
import { ParseError, type ParseContext } from '../parsers/common.js';
import { parseKubeList, StringPool } from '../parsers/k8s-list.js';
import { ArtifactIndex } from './artifacts.js';
import type { LogScanner } from './log-scan.js';
import { routeFor } from './routes.js';
import { PARALLEL_MIN_BYTES, ParallelScan } from './scan-parallel.js';
import { EXCERPT_TEXT_LIMIT, FactStore } from './store.js';

export interface BuiltFacts {
  store: FactStore;
  artifacts: ArtifactIndex;
  read: ReadSummary;
}

const KUBE_AREAS = new Set(['cluster-list', 'namespaced-list', 'custom']);

async function* once(text: string): AsyncIterable<string> {
  yield text;
}

export async function buildFacts(bundle: OpenedBundle, scanner: LogScanner): Promise<BuiltFacts> {
  const store = new FactStore();
  const artifacts = new ArtifactIndex(bundle.manifest);
  const collectedAt = new Date(bundle.manifest.collectedAt);
  const strings = new StringPool();
  const parallel = ParallelScan.create(scanner);

  const handle = async (entry: BundleEntry, ref: ArtifactRef) => {
    const ctx: ParseContext = { collectedAt, path: entry.path };
    if (KUBE_AREAS.has(ref.area)) {
      const items = parseKubeList(await entry.text(), ctx, ref.area === 'cluster-list' || ref.area === 'namespaced-list' ? ref.kind : undefined, strings);
      if (ref.area === 'custom') store.addKube(ref.resource, items, true);
      else if (ref.area === 'cluster-list' || ref.area === 'namespaced-list') store.addKube(ref.kind, items, false);
      return;
    }
    const route = routeFor(ref);
    const scan = scanner.wants(ref);
    if (!route) {
      if (!scan) return;
      if (parallel && entry.size >= PARALLEL_MIN_BYTES) await parallel.scan(entry.path, ref, entry.blocks());
      else await scanner.scan(entry.path, ref, entry.blocks());
      return;
    }
    if (route.binary) {
      store.parsed.set(entry.path, route.parse(await entry.bytes(), ctx));
      return;
    }
    const text = await entry.text();
    if (text.length <= EXCERPT_TEXT_LIMIT) store.texts.set(entry.path, text);
    if (scan) await scanner.scan(entry.path, ref, once(text));
    store.parsed.set(entry.path, route.parse(text, ctx));
  };

  let read: ReadSummary;
  try {
    read = await bundle.forEachEntry(async (entry) => {
      artifacts.markPresent(entry.path, entry.size);
      const ref = classifyPath(entry.path);
      try {
        await handle(entry, ref);
      } catch (err) {
        // One unreadable artifact makes the rules that need it skip; the rest of the bundle still counts.
        if (err instanceof ParseError || (err instanceof Error && err.name === 'EntryTooLargeError')) {
          artifacts.markDamaged(entry.path, err.message);
          return;
        }
        throw err;
      }
    });
    await parallel?.finish();
  } finally {
    parallel?.close();
  }
  for (const problem of read.problems) artifacts.markDamaged(problem.path, problem.problem);
  store.seal();
  return { store, artifacts, read };
}
