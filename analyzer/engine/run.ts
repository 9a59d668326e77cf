// Typed entry points the CLI calls: analyze a bundle path, list/show/validate/test rules.
import { openInput } from '../../bundle/import/open.js';
import { join } from 'node:path';
import type { Lang, Report, Severity } from '../report/types.js';
import { SEVERITIES } from '../report/types.js';
import { analyzeBundle, type AnalyzeResult } from './analyze.js';
import { builtinRulesDir, loadRules, type RulePack } from './load-rules.js';
import { testRule, type CaseOutcome } from './tester.js';
import type { LoadedRule } from './types.js';
import { UsageError } from '../../common/errors.js';
import { resolve } from 'node:path';

export type FailOn = Severity | 'never';

export interface AnalyzeRequest {
  bundle: string;
  lang: Lang;
  rulesDirs: string[];
  only?: string[];
  namespace?: string;
}

export async function analyzePath(req: AnalyzeRequest): Promise<AnalyzeResult & { pack: RulePack }> {
  const pack = await loadRules(req.rulesDirs);
  if (req.only) {
    const unknown = req.only.filter((id) => !pack.rules.some((r) => r.meta.id === id));
    if (unknown.length > 0) throw new UsageError(`--only: unknown rule id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see \`labsnap rules list\`)`);
  }
  // A labsnap bundle, or a troubleshoot.sh / cluster-info dump / sos report input imported on the fly.
  const { bundle } = await openInput(req.bundle);
  const result = await analyzeBundle(bundle, pack, { lang: req.lang, ...(req.only ? { only: req.only } : {}), ...(req.namespace ? { namespace: req.namespace } : {}) }, req.bundle);
  return { ...result, pack };
}

/** Whether a report has a root cause at or above the threshold (exit code 1 policy); consequences follow their cause. */
export function failsAt(report: Report, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const limit = SEVERITIES.indexOf(failOn);
  return report.findings.some((f) => f.causedBy === undefined && SEVERITIES.indexOf(f.severity) <= limit);
}

export function ruleFolder(rule: LoadedRule): string {
  return rule.pack === 'builtin' ? join(builtinRulesDir(), rule.dir) : join(resolve(rule.pack), rule.dir);
}

export async function testRules(rulesDirs: string[], onlyUserRules: boolean): Promise<CaseOutcome[]> {
  const pack = await loadRules(rulesDirs, { builtin: !onlyUserRules });
  const out: CaseOutcome[] = [];
  for (const rule of pack.rules) out.push(...(await testRule(rule, pack, ruleFolder(rule))));
  return out;
}
