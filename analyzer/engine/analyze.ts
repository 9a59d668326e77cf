// `labsnap analyze`: one streaming pass over the bundle builds facts and scans logs, then every rule runs
// on the joined model, then the report is assembled. Same bundle + same rules = same report.
import { basename } from 'node:path';
import type { OpenedBundle } from '../../bundle/reader.js';
import { buildFacts } from '../facts/build.js';
import { LogScanner } from '../facts/log-scan.js';
import { Model } from '../model/model.js';
import { buildTimeline, RESTART_PATTERN } from '../model/timeline.js';
import { buildTopology, type Topology } from '../model/topology.js';
import { buildReport } from '../report/build.js';
import type { Finding, Lang, PassedRule, Report, SkippedRule } from '../report/types.js';
import { evaluateRule, patternKey } from './evaluate.js';
import type { RulePack } from './load-rules.js';
import { applyRelations } from './explain.js';
import type { CheckContext, JudgedFinding, LoadedRule, LogPatternSpec } from './types.js';
import { compareText } from '../../common/compare.js';

export interface AnalyzeOptions {
  lang: Lang;
  /** Run only these rule ids. */
  only?: string[];
  /** Keep only findings about this namespace (and its objects). */
  namespace?: string;
}

export interface AnalyzeResult {
  report: Report;
  /** Problems worth a line on stderr (a rule that crashed); never part of the report. */
  warnings: string[];
  /** The lab as the HTML report draws it; not part of the report's JSON. */
  topology: Topology;
}

const TIMELINE_KEY = '__timeline#restart';

function registerPatterns(rules: LoadedRule[]): Map<string, LogPatternSpec> {
  const specs = new Map<string, LogPatternSpec>([[TIMELINE_KEY, RESTART_PATTERN]]);
  for (const rule of rules) {
    for (const [name, spec] of Object.entries(rule.meta.patterns ?? {})) specs.set(patternKey(rule.meta.id, name), spec);
    rule.meta.when?.any.forEach((m, i) => {
      if ('log' in m) specs.set(patternKey(rule.meta.id, `when${i}`), m.log);
    });
  }
  return specs;
}

function feedRecords(scanner: LogScanner, model: Model): void {
  for (const item of model.events()) {
    const e = item.obj;
    const text = `${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`;
    scanner.scanRecord('events', item.path, `/items/${item.index}`, text, {
      ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
      ...(e.involvedObject?.kind === 'Pod' && e.involvedObject.name ? { pod: e.involvedObject.name } : {}),
    });
  }
  for (const node of model.nodes) {
    node.conditions.forEach((c, i) => {
      const text = `${c.type ?? ''}=${c.status ?? ''} ${c.reason ?? ''}: ${c.message ?? ''}`;
      scanner.scanRecord('node-conditions', node.item.path, `/items/${node.item.index}/status/conditions/${i}`, text, node.host ? { host: node.host.name } : { groups: { node: node.name } });
    });
  }
}

function excerptFrom(model: Model) {
  return (path: string, line: number, before = 1, after = 1): string[] => {
    const text = model.store.texts.get(path);
    if (text === undefined) return [];
    const lines = text.split('\n');
    return lines.slice(Math.max(0, line - 1 - before), Math.min(lines.length, line + after));
  };
}

/**
 * A summary may say `{related}`: the other rules that fired for the same node or host (its likely
 * causes, for node-not-ready). Filled after every rule has run, since rules never see each other.
 */
function fillRelated(findings: Finding[], model: Model, lang: Lang): void {
  const machineOf = (level: string, name: string) => (level === 'host' ? model.host(name)?.node?.name ?? name : name);
  for (const f of findings) {
    if (!f.summary.includes('{related}')) continue;
    const subjects = new Set(f.scope.names.map((n) => machineOf(f.scope.level, n)));
    const related = [
      ...new Set(
        findings
          .filter(
            (o) =>
              o !== f &&
              o.ruleId !== f.ruleId &&
              (((o.scope.level === 'node' || o.scope.level === 'host') && o.scope.names.some((n) => subjects.has(machineOf(o.scope.level, n)))) ||
                o.objects.some((x) => (x.kind === 'Node' && subjects.has(x.name)) || (x.kind === 'Host' && subjects.has(machineOf('host', x.name))))),
          )
          .map((o) => o.ruleId),
      ),
    ].sort(compareText);
    const none = lang === 'ja' ? 'なし' : 'none';
    f.summary = f.summary.replace(/\{related\}/g, related.length > 0 ? related.join(', ') : none);
  }
}

function inNamespace(f: Finding, ns: string): boolean {
  return (f.scope.level === 'namespace' && f.scope.names.includes(ns)) || f.objects.some((o) => o.namespace === ns);
}

export async function analyzeBundle(bundle: OpenedBundle, pack: RulePack, options: AnalyzeOptions, bundleFile?: string): Promise<AnalyzeResult> {
  const rules = options.only ? pack.rules.filter((r) => options.only!.includes(r.meta.id)) : pack.rules;
  const scanner = new LogScanner(registerPatterns(rules));
  const { store, artifacts, read } = await buildFacts(bundle, scanner);
  const model = new Model(bundle.manifest, store, artifacts);
  feedRecords(scanner, model);
  const excerpt = excerptFrom(model);
  const judged: JudgedFinding[] = [];
  const skipped: SkippedRule[] = [];
  const passed: PassedRule[] = [];
  const warnings: string[] = [];
  for (const rule of rules) {
    const ctx: CheckContext = {
      collectedAt: model.collectedAt,
      lang: options.lang,
      logHits: (name) => scanner.hits(patternKey(rule.meta.id, name)),
      excerpt,
      whyMissing: (path) => artifacts.whyMissing(path),
    };
    let outcome;
    try {
      outcome = evaluateRule(rule, model, ctx);
    } catch (err) {
      // One broken rule must not hide what the others found; it is reported as skipped and on stderr.
      warnings.push(`rule ${rule.meta.id} failed: ${(err as Error).message}`);
      skipped.push({ ruleId: rule.meta.id, title: rule.meta.title[options.lang], area: rule.meta.area, reason: `${options.lang === 'ja' ? 'ルール内部のエラー' : 'internal error in the rule'}: ${(err as Error).message}`, missing: [] });
      continue;
    }
    if (outcome.kind === 'skipped') {
      skipped.push(outcome.skipped);
      continue;
    }
    const kept = options.namespace ? outcome.findings.filter((j) => inNamespace(j.finding, options.namespace!)) : outcome.findings;
    if (kept.length === 0) passed.push({ ruleId: rule.meta.id, title: rule.meta.title[options.lang], area: rule.meta.area });
    judged.push(...kept);
  }
  const { findings, withdrawn } = applyRelations(judged, pack.relations, model, options.lang, (kept) => fillRelated(kept, model, options.lang));
  const report = buildReport({
    lang: options.lang,
    bundleName: bundleFile ? basename(bundleFile) : bundle.rootName,
    read,
    model,
    rulePack: { version: pack.version, hash: pack.hash, rules: rules.length },
    findings,
    withdrawn,
    skipped,
    passed,
    timeline: buildTimeline(model, scanner.hits(TIMELINE_KEY)),
  });
  return { report, warnings, topology: buildTopology(model) };
}
