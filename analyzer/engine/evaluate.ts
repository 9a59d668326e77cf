// Runs one rule against the model: declarative `when:` matchers or a check module. Produces findings in
// the report's language, or a skip with the reasons its inputs are missing. Never a silent pass.
import { attachmentHost } from '../model/attachments.js';
import type { Evidence, Finding, Lang, ObjectRef, ScopeLevel, Severity, SkippedRule } from '../report/types.js';
import type { Model } from '../model/model.js';
import { collection, type FactRecord } from './collections/index.js';
import type { CheckContext, Condition, FindingDraft, JudgedFinding, LoadedRule, LogHit, LogSource, Matcher } from './types.js';
import { compareText } from '../../common/compare.js';

export const LOG_SOURCE_INPUTS: Record<LogSource, string[]> = {
  'journal-kubelet': ['hosts/*/cmd/journal-kubelet.log'],
  'journal-containerd': ['hosts/*/cmd/journal-containerd.log'],
  'journal-kernel': ['hosts/*/cmd/journal-kernel.log'],
  'journal-pve-firewall': ['hosts/*/cmd/journal-pve-firewall.log', 'hosts/*/files/var/log/pve-firewall.log'],
  'pod-logs': ['cluster/logs/**'],
  attachments: ['attachments/*'],
  events: ['cluster/namespaces/*/events.json'],
  'node-conditions': ['cluster/nodes.json'],
};

/** Key under which the scanner keeps hits of a rule's pattern (inline `log:` matcher or named pattern). */
export function patternKey(ruleId: string, name: string): string {
  return `${ruleId}#${name}`;
}

export type RuleOutcome = { kind: 'findings'; findings: JudgedFinding[] } | { kind: 'skipped'; skipped: SkippedRule };

const MAX_EVIDENCE = 8;

function compare(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function conditionHolds(value: unknown, c: Condition): boolean {
  if ('exists' in c) return (value !== undefined && value !== null) === c.exists;
  if ('eq' in c) return compare(value, c.eq);
  if ('ne' in c) return !compare(value, c.ne);
  if (c.in) return c.in.some((v) => compare(v, value));
  if (c.notIn) return !c.notIn.some((v) => compare(v, value));
  if (c.contains !== undefined) {
    if (Array.isArray(value)) return value.some((v) => compare(v, c.contains));
    return typeof value === 'string' && typeof c.contains === 'string' && value.includes(c.contains);
  }
  if (c.matches !== undefined) return typeof value === 'string' && new RegExp(c.matches).test(value);
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(n)) return false;
  if (c.gt !== undefined) return n > c.gt;
  if (c.gte !== undefined) return n >= c.gte;
  if (c.lt !== undefined) return n < c.lt;
  if (c.lte !== undefined) return n <= c.lte;
  return false;
}

function subjectOfHit(hit: LogHit, scope: ScopeLevel, model: Model): { level: ScopeLevel; name: string } {
  const named = hit.groups?.node ?? hit.groups?.host;
  // An attachment the manifest ties to a host speaks about that host.
  const hostName = hit.host ?? attachmentHost(model, hit.path)?.host;
  if (hostName !== undefined) {
    const host = model.host(hostName);
    if (scope === 'node' && host?.node) return { level: 'node', name: host.node.name };
    return { level: 'host', name: hostName };
  }
  if (named) return { level: scope === 'host' ? 'host' : 'node', name: named };
  if (hit.namespace !== undefined) return { level: 'namespace', name: hit.namespace };
  return { level: 'cluster', name: hit.path };
}

function hitEvidence(hit: LogHit): Evidence {
  return hit.pointer !== undefined
    ? { path: hit.path, pointer: hit.pointer, excerpt: [hit.text] }
    : { path: hit.path, line: hit.line, excerpt: [hit.text] };
}

interface Gathered {
  drafts: FindingDraft[];
  available: boolean;
  missing: { path: string; reason: string }[];
}

function gatherDeclarative(rule: LoadedRule, model: Model, ctx: CheckContext): Gathered {
  const scope = rule.meta.scope ?? 'host';
  const bySubject = new Map<string, FindingDraft & { count: number }>();
  const add = (subject: { level: ScopeLevel; name: string }, evidence: Evidence, objects: ObjectRef[] | undefined, fields: Record<string, unknown>) => {
    const key = `${subject.level}\u0000${subject.name}`;
    let draft = bySubject.get(key);
    if (!draft) {
      draft = { subject, evidence: [], objects: [], values: {}, count: 0 };
      for (const [k, v] of Object.entries(fields)) if (typeof v === 'string' || typeof v === 'number') draft.values![k] = v;
      bySubject.set(key, draft);
    }
    draft.count++;
    if (draft.evidence.length < MAX_EVIDENCE) draft.evidence.push(evidence);
    for (const o of objects ?? []) if (!draft.objects!.some((x) => compare(x, o))) draft.objects!.push(o);
  };
  let available = false;
  const missing: { path: string; reason: string }[] = [];
  (rule.meta.when?.any ?? []).forEach((matcher: Matcher, i) => {
    if ('fact' in matcher) {
      const coll = collection(matcher.fact)!;
      const usable = coll.inputs.some((p) => model.artifacts.matchUsable(p).length > 0);
      if (!usable) {
        for (const p of coll.inputs) missing.push(...model.artifacts.explainMissing(p));
        return;
      }
      available = true;
      const records: FactRecord[] = coll.records(model, (path, line) => ctx.excerpt(path, line));
      for (const r of records) {
        if (Object.entries(matcher.where ?? {}).every(([field, cond]) => conditionHolds(r.fields[field], cond))) {
          add(r.subject, r.evidence, r.objects, r.fields);
        }
      }
      return;
    }
    const hits = ctx.logHits(`when${i}`);
    if (hits.scanned.length === 0) {
      for (const source of matcher.log.sources) for (const input of LOG_SOURCE_INPUTS[source]) missing.push(...model.artifacts.explainMissing(input));
      return;
    }
    available = true;
    for (const hit of hits.hits) {
      const subject = subjectOfHit(hit, scope, model);
      add(subject, hitEvidence(hit), undefined, hit.groups ?? {});
      // A host inferred from an attachment's content is named as such, with the manifest's record of why.
      const inferred = hit.host === undefined ? attachmentHost(model, hit.path)?.evidence : undefined;
      const draft = bySubject.get(`${subject.level}\u0000${subject.name}`)!;
      if (inferred && !draft.evidence.some((e) => e.pointer === inferred.pointer)) draft.evidence.push(inferred);
    }
  });
  const drafts = [...bySubject.values()].map(({ count, ...d }) => ({ ...d, values: { ...d.values, count } }));
  return { drafts, available, missing };
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

function confirmFor(commands: string[], draft: FindingDraft): string[] {
  const first = (kind: string) => draft.objects?.find((o) => o.kind === kind);
  const ns = draft.objects?.find((o) => o.namespace !== undefined)?.namespace;
  const subjectName = draft.subject.name;
  return commands.map((c) =>
    c
      .replace(/<NODE>/g, draft.subject.level === 'node' || draft.subject.level === 'host' ? subjectName : '<NODE>')
      .replace(/<NS>/g, ns ?? (draft.subject.level === 'namespace' ? subjectName : '<NS>'))
      .replace(/<POD>/g, first('Pod')?.name ?? '<POD>')
      .replace(/<SVC>/g, first('Service')?.name ?? '<SVC>')
      .replace(/<ING>/g, first('Ingress')?.name ?? '<ING>')
      .replace(/<PVC>/g, first('PersistentVolumeClaim')?.name ?? '<PVC>'),
  );
}

export function toFinding(rule: LoadedRule, draft: FindingDraft, lang: Lang): Finding {
  const m = rule.meta;
  const severity: Severity = draft.severity ?? m.severity;
  const values = { subject: draft.subject.name, ...draft.values };
  const objects = [...(draft.objects ?? [])].sort((a, b) => compareText(`${a.kind}/${a.namespace ?? ''}/${a.name}`, `${b.kind}/${b.namespace ?? ''}/${b.name}`));
  return {
    ruleId: m.id,
    area: m.area,
    severity,
    title: m.title[lang],
    summary: fill(m.summary[lang], values),
    cause: m.cause[lang],
    fix: m.fix[lang],
    confirm: confirmFor(m.confirm, { ...draft, objects }),
    scope: { level: draft.subject.level, names: [draft.subject.name] },
    objects,
    evidence: draft.evidence,
  };
}

export function evaluateRule(rule: LoadedRule, model: Model, ctx: CheckContext): RuleOutcome {
  const m = rule.meta;
  let drafts: FindingDraft[];
  if (rule.check) {
    const result = rule.check(model, ctx);
    if (result.skip) return { kind: 'skipped', skipped: { ruleId: m.id, title: m.title[ctx.lang], area: m.area, reason: result.skip.reason, missing: result.skip.missing } };
    drafts = result.findings;
  } else {
    const gathered = gatherDeclarative(rule, model, ctx);
    if (!gathered.available) {
      const missing = gathered.missing.map((x) => `${x.path}: ${x.reason}`);
      return {
        kind: 'skipped',
        skipped: { ruleId: m.id, title: m.title[ctx.lang], area: m.area, reason: ctx.lang === 'ja' ? '入力がバンドルにありません' : 'none of its inputs is in the bundle', missing: [...new Set(missing)].sort() },
      };
    }
    drafts = gathered.drafts;
  }
  const findings = drafts.map((d): JudgedFinding => ({ finding: toFinding(rule, d, ctx.lang), values: { subject: d.subject.name, ...d.values } }));
  findings.sort((a, b) => compareText(a.finding.summary, b.finding.summary));
  return { kind: 'findings', findings };
}
