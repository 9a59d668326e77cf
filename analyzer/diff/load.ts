// The I/O side of `labsnap diff`: opens both bundles through the bundle reader, runs the analyzer on
// each (one pass), then reads each again through the same facts path the analyzer uses (buildFacts)
// to collect host facts, objects and log warning patterns. Whatever a reader or importer yields for
// a bundle is what gets compared; nothing here knows which tool wrote it.
import { basename } from 'node:path';
import { openBundle, type OpenedBundle } from '../../bundle/reader.js';
import { analyzeBundle } from '../engine/analyze.js';
import { loadRules, type RulePack } from '../engine/load-rules.js';
import { buildFacts } from '../facts/build.js';
import type { FactStore } from '../facts/store.js';
import { Model } from '../model/model.js';
import type { Lang, Report } from '../report/types.js';
import { buildDiff, type DiffReport } from './diff.js';
import { hostFacts, type HostFact } from './host-facts.js';
import { WarningPatterns, type LogPattern } from './log-patterns.js';
import { diffObjects } from './objects.js';
import type { Manifest } from '../../bundle/manifest.js';

export interface DiffRequest {
  old: string;
  new: string;
  lang: Lang;
  rulesDirs: string[];
  includeChurn: boolean;
}

interface Side {
  name: string;
  manifest: Manifest;
  report: Report;
  store: FactStore;
  facts: HostFact[];
  patterns: LogPattern[];
  warnings: string[];
}

export async function readSide(bundle: OpenedBundle, pack: RulePack, lang: Lang, name: string): Promise<Side> {
  const { report, warnings } = await analyzeBundle(bundle, pack, { lang }, name);
  const scanner = new WarningPatterns();
  const { store, artifacts } = await buildFacts(bundle, scanner);
  const model = new Model(bundle.manifest, store, artifacts);
  scanner.addEvents(model.events());
  return { name, manifest: bundle.manifest, report, store, facts: hostFacts(store), patterns: scanner.collected(), warnings };
}

export async function diffPaths(req: DiffRequest): Promise<{ diff: DiffReport; warnings: string[] }> {
  const pack = await loadRules(req.rulesDirs);
  // Both opened (and their manifests checked) before the long part, so a wrong second path fails at once.
  const oldBundle = await openBundle(req.old);
  const newBundle = await openBundle(req.new);
  const oldSide = await readSide(oldBundle, pack, req.lang, basename(req.old));
  const newSide = await readSide(newBundle, pack, req.lang, basename(req.new));
  return { diff: diffSides(oldSide, newSide, req.lang, req.includeChurn), warnings: [...oldSide.warnings.map((w) => `${req.old}: ${w}`), ...newSide.warnings.map((w) => `${req.new}: ${w}`)] };
}

export function diffSides(oldSide: Side, newSide: Side, lang: Lang, includeChurn: boolean): DiffReport {
  return buildDiff({
    lang,
    includeChurn,
    old: oldSide,
    new: newSide,
    objects: diffObjects(oldSide.store, newSide.store, includeChurn),
  });
}
