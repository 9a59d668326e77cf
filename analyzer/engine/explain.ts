// The explains relation, evaluated once every rule has run (rules never see each other): a finding that
// another finding on the same object explains becomes a consequence listed under it, and one whose premise
// the other contradicts is withdrawn with the reason. Only the rule metadata decides; nothing here knows a
// rule by name.
import { compareText } from '../../common/compare.js';
import type { Model } from '../model/model.js';
import type { Finding, FindingRef, Lang, WithdrawnFinding } from '../report/types.js';
import { conditionHolds } from './evaluate.js';
import type { Condition, JudgedFinding, Relation } from './types.js';

export interface Explained {
  /** Every finding not withdrawn; consequences carry causedBy. */
  findings: Finding[];
  withdrawn: WithdrawnFinding[];
}

export function findingRef(f: Finding): FindingRef {
  return { ruleId: f.ruleId, summary: f.summary };
}

/** Joins of two findings; a host that is a Kubernetes node is that node (one machine, two names). */
export class Joins {
  constructor(private readonly model: Model) {}

  private machine(level: string, name: string): string {
    return level === 'host' ? this.model.host(name)?.node?.name ?? name : name;
  }

  private subjectKeys(f: Finding): Set<string> {
    const level = f.scope.level === 'host' || f.scope.level === 'node' ? 'machine' : f.scope.level;
    return new Set(f.scope.names.map((n) => `${level}\u0000${this.machine(f.scope.level, n)}`));
  }

  private machines(f: Finding): Set<string> {
    const out = new Set<string>();
    if (f.scope.level === 'node' || f.scope.level === 'host') for (const n of f.scope.names) out.add(this.machine(f.scope.level, n));
    for (const o of f.objects) {
      if (o.kind === 'Node') out.add(o.name);
      else if (o.kind === 'Host') out.add(this.machine('host', o.name));
    }
    return out;
  }

  private objectKeys(f: Finding, kinds: string[] | undefined): Set<string> {
    return new Set(f.objects.filter((o) => kinds === undefined || kinds.includes(o.kind)).map((o) => `${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}`));
  }

  joined(relation: Relation, cause: Finding, consequence: Finding): boolean {
    const [a, b] =
      relation.on === 'subject'
        ? [this.subjectKeys(cause), this.subjectKeys(consequence)]
        : relation.on === 'node'
          ? [this.machines(cause), this.machines(consequence)]
          : [this.objectKeys(cause, relation.kinds), this.objectKeys(consequence, relation.kinds)];
    for (const key of a) if (b.has(key)) return true;
    return false;
  }
}

function holds(where: Record<string, Condition> | undefined, values: Record<string, string | number>): boolean {
  return Object.entries(where ?? {}).every(([field, cond]) => conditionHolds(values[field], cond));
}

/** Rule ids with every cause before its consequences (the loader refuses cycles). */
function causeOrder(relations: Relation[], ids: string[]): string[] {
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const r of relations) indegree.set(r.consequence, (indegree.get(r.consequence) ?? 0) + 1);
  const order: string[] = [];
  let ready = ids.filter((id) => indegree.get(id) === 0).sort(compareText);
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const r of relations.filter((x) => x.cause === id)) {
      const left = indegree.get(r.consequence)! - 1;
      indegree.set(r.consequence, left);
      if (left === 0) ready = [...ready, r.consequence].sort(compareText);
    }
  }
  return order;
}

/**
 * `settle` runs on the findings that stay, before any reference to them is taken: summaries that name other
 * findings ({related}) are filled there, so a causedBy names the summary the report prints.
 */
export function applyRelations(judged: JudgedFinding[], allRelations: Relation[], model: Model, lang: Lang, settle: (kept: Finding[]) => void = () => {}): Explained {
  const byRule = new Map<string, JudgedFinding[]>();
  for (const j of judged) byRule.set(j.finding.ruleId, [...(byRule.get(j.finding.ruleId) ?? []), j]);
  const relations = allRelations.filter((r) => byRule.has(r.cause) && byRule.has(r.consequence));

  const joins = new Joins(model);
  const withdrawnBy = new Map<Finding, { by: Finding; reason: string }>();
  const causes = new Map<Finding, Finding[]>();
  const ruleIds = [...new Set([...relations.map((r) => r.cause), ...relations.map((r) => r.consequence)])];
  const sorted = (list: JudgedFinding[]) => [...list].sort((a, b) => compareText(a.finding.summary, b.finding.summary));
  for (const id of causeOrder(relations, ruleIds)) {
    const incoming = relations.filter((r) => r.consequence === id);
    for (const c of sorted(byRule.get(id) ?? [])) {
      const explaining = (r: Relation) =>
        sorted(byRule.get(r.cause) ?? []).filter(
          (x) => !withdrawnBy.has(x.finding) && holds(r.when?.cause, x.values) && holds(r.when?.consequence, c.values) && joins.joined(r, x.finding, c.finding),
        );
      // A contradicted premise outweighs an explanation: the finding is not there to be explained.
      for (const r of incoming.filter((x) => x.withdraw)) {
        const [by] = explaining(r);
        if (by) {
          withdrawnBy.set(c.finding, { by: by.finding, reason: r.withdraw![lang] });
          break;
        }
      }
      if (withdrawnBy.has(c.finding)) continue;
      const found = incoming.filter((x) => !x.withdraw).flatMap((r) => explaining(r).map((x) => x.finding));
      if (found.length > 0) causes.set(c.finding, [...new Set(found)]);
    }
  }

  settle(judged.map((j) => j.finding).filter((f) => !withdrawnBy.has(f)));
  settle(judged.map((j) => j.finding));
  const findings: Finding[] = [];
  const withdrawn: WithdrawnFinding[] = [];
  for (const { finding } of judged) {
    const w = withdrawnBy.get(finding);
    if (w) {
      withdrawn.push({ ...finding, withdrawnBy: findingRef(w.by), reason: w.reason });
      continue;
    }
    const by = causes.get(finding);
    findings.push(by ? { ...finding, causedBy: by.map(findingRef).sort((a, b) => compareText(a.ruleId, b.ruleId) || compareText(a.summary, b.summary)) } : finding);
  }
  return { findings, withdrawn };
}
