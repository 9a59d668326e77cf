// Types shared by the rule loader, the evaluator and rule checks.
import type { Evidence, Finding, Lang, ObjectRef, ScopeLevel, Severity } from '../report/types.js';
import type { Model } from '../model/model.js';

export interface Localized {
  en: string;
  ja: string;
}

export type LogSource =
  | 'journal-kubelet'
  | 'journal-containerd'
  | 'journal-kernel'
  | 'journal-pve-firewall'
  | 'pod-logs'
  | 'attachments'
  | 'events'
  | 'node-conditions';

export interface LogPatternSpec {
  sources: LogSource[];
  regex: string;
  ignoreCase?: boolean;
  namespaces?: string[];
  pods?: string;
}

export interface Condition {
  eq?: unknown;
  ne?: unknown;
  in?: unknown[];
  notIn?: unknown[];
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  matches?: string;
  exists?: boolean;
  contains?: unknown;
}

export type Matcher =
  | { fact: string; where?: Record<string, Condition>; note?: Localized }
  | { log: LogPatternSpec; note?: Localized };

export interface RuleMeta {
  id: string;
  area: string;
  severity: Severity;
  title: Localized;
  symptom: Localized;
  cause: Localized;
  fix: Localized;
  confirm: string[];
  refs?: string[];
  summary: Localized;
  scope?: ScopeLevel;
  check?: string;
  inputs?: string[];
  patterns?: Record<string, LogPatternSpec>;
  when?: { any: Matcher[] };
  /** Findings of other rules that a finding of this rule explains (this rule is the cause). */
  explains?: RelationSpec[];
  /** The mirror: rules whose findings explain this rule's (for an author who can only edit the consequence). */
  explainedBy?: RelationSpec[];
}

/**
 * How two findings are the same object: `subject` the same scope (a host and its node are one machine),
 * `node` a machine both name (scope or Node/Host objects), `object` an object both list (of `kinds`).
 */
export type RelationJoin = 'subject' | 'node' | 'object';

/** One entry of `explains` / `explainedBy` in rule.yaml; `rule` is the other side. */
export interface RelationSpec {
  rule: string;
  on: RelationJoin;
  kinds?: string[];
  /** Conditions on the two findings' values (the summary template's fields). */
  when?: { cause?: Record<string, Condition>; consequence?: Record<string, Condition> };
  /** The cause contradicts the consequence's premise: the consequence is withdrawn, for this reason. */
  withdraw?: Localized;
}

/** A relation between two rules of a pack, whichever side declared it. */
export interface Relation {
  cause: string;
  consequence: string;
  on: RelationJoin;
  kinds?: string[];
  when?: RelationSpec['when'];
  withdraw?: Localized;
  /** Rule whose rule.yaml declares it, for messages and docs. */
  declaredBy: string;
}

/** What a check returns for one affected subject; the evaluator adds the rule's texts. */
export interface FindingDraft {
  subject: { level: ScopeLevel; name: string };
  objects?: ObjectRef[];
  evidence: Evidence[];
  /** Values for the summary template's {placeholders}. */
  values?: Record<string, string | number>;
  /** Overrides the severity for this finding (e.g. expired vs expiring). */
  severity?: Severity;
}

/** A finding with the values its summary was filled from: what relations' `when` conditions read. */
export interface JudgedFinding {
  finding: Finding;
  values: Record<string, string | number>;
}

/** A check reports the inputs it could not use; all missing means the rule is skipped. */
export interface CheckResult {
  findings: FindingDraft[];
  /** Set when the rule could not judge anything: the reason it is skipped. */
  skip?: { reason: string; missing: string[] };
}

export interface LogHit {
  path: string;
  line: number;
  /** JSON pointer instead of a line, for records that are not text lines (events, node conditions). */
  pointer?: string;
  text: string;
  /** host of hosts/<h>/ paths; node name for node conditions; undefined for attachments */
  host?: string;
  namespace?: string;
  pod?: string;
  /** Named capture groups of the pattern. */
  groups?: Record<string, string>;
}

export interface LogHits {
  hits: LogHit[];
  /** Hits per path, including those beyond the kept sample. */
  counts: Map<string, number>;
  /** Paths of the sources that were present and scanned. */
  scanned: string[];
}

export interface CheckContext {
  readonly collectedAt: Date;
  readonly lang: Lang;
  /** Hits of a pattern the rule declared under `patterns:`. */
  logHits(name: string): LogHits;
  /** Up to a few lines of an artifact around `line`, for evidence. */
  excerpt(path: string, line: number, before?: number, after?: number): string[];
  /** Why an input is not usable (manifest status, stderr), or undefined when it is present. */
  whyMissing(path: string): string | undefined;
}

export type CheckFunction = (model: Model, context: CheckContext) => CheckResult;

export interface LoadedRule {
  meta: RuleMeta;
  /** Folder of the rule, relative to the pack root, for messages. */
  dir: string;
  /** Pack the rule came from: 'builtin' or the --rules directory as given. */
  pack: string;
  check?: CheckFunction;
  /** Raw bytes of every file of the rule, hashed into the rule pack hash. */
  digestInput: string;
}
