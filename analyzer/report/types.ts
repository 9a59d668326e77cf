// The report the analyzer produces: one language, fully resolved, deterministic. Renderers (text,
// markdown, json, junit) only format it; schemas/report.schema.json describes its JSON form.

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];
export type Lang = 'en' | 'ja';

export interface Evidence {
  /** Bundle-relative path of the artifact. */
  path: string;
  /** 1-based line in a text artifact. */
  line?: number;
  /** JSON pointer into a JSON artifact. */
  pointer?: string;
  /** A few lines of the artifact around the evidence, as stored in the bundle (already redacted). */
  excerpt: string[];
}

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export type ScopeLevel = 'cluster' | 'node' | 'namespace' | 'host';

/**
 * The layer a rule looks at, from its rule.yaml: node, runtime, kubeadm, certs, pods, images, cni, metallb,
 * arp, ingress, service, storage, proxmox or network for the built-in pack. A string rather than a union
 * because a --rules pack may bring its own areas.
 */
export type RuleArea = string;

/** A rule that ran and found nothing, titled in the report's language. */
export interface PassedRule {
  ruleId: string;
  title: string;
  area: RuleArea;
}

export interface Finding {
  ruleId: string;
  area: RuleArea;
  severity: Severity;
  title: string;
  /** Specific: names the node/pod/IP. */
  summary: string;
  cause: string;
  fix: string;
  /** Commands a human runs to confirm. */
  confirm: string[];
  scope: { level: ScopeLevel; names: string[] };
  objects: ObjectRef[];
  evidence: Evidence[];
  /**
   * Set on a consequence: the findings that explain it (rule metadata's `explains`). A consequence is listed
   * under its causes and counts toward neither the summary's severities, the scope nor --fail-on.
   */
  causedBy?: FindingRef[];
}

/** Names another finding of the same report: its rule and its summary line. */
export interface FindingRef {
  ruleId: string;
  summary: string;
}

/** A finding whose premise another finding contradicts: kept with the reason, never counted. */
export interface WithdrawnFinding extends Finding {
  withdrawnBy: FindingRef;
  /** Why the finding does not hold, from the relation's `withdraw` text. */
  reason: string;
}

export interface SkippedRule {
  ruleId: string;
  title: string;
  area: RuleArea;
  /** Why the rule could not run: missing paths and the manifest's reason for each. */
  reason: string;
  missing: string[];
}

export interface TimelineEntry {
  /** UTC RFC 3339. */
  at: string;
  kind: 'event' | 'package' | 'rollout' | 'restart' | 'boot' | 'config';
  host?: string;
  text: string;
  path: string;
  line?: number;
}

export interface CollectionGap {
  path: string;
  host?: string;
  status: string;
  reason: string;
}

export interface Report {
  reportVersion: 1;
  lang: Lang;
  summary: {
    cluster: string;
    collectedAt: string;
    finishedAt: string;
    interrupted: boolean;
    bundle: { name: string; sha256: string | null; formatVersion: number; tool: string; /** What kind of input was analyzed: a labsnap bundle, or what another tool wrote. */ input: string };
    hosts: { reached: string[]; unreached: { name: string; error: string }[] };
    rulePack: { version: string; hash: string; rules: number };
    /** critical/warning/info count root causes only; consequences and withdrawn findings are counted apart. */
    counts: { critical: number; warning: number; info: number; consequences: number; withdrawn: number; skipped: number; passed: number };
  };
  scope: {
    /** The widest level at which anything warning or above was found; 'none' when nothing was. */
    level: 'none' | 'cluster' | 'nodes' | 'namespaces' | 'hosts';
    nodes: { name: string; ruleIds: string[] }[];
    namespaces: { name: string; ruleIds: string[] }[];
    hosts: { name: string; ruleIds: string[] }[];
    clusterWide: string[];
  };
  /** Root causes first, then consequences (those with causedBy). */
  findings: Finding[];
  withdrawn: WithdrawnFinding[];
  recentChanges: TimelineEntry[];
  gaps: { unreachedHosts: { name: string; error: string }[]; items: CollectionGap[] };
  skipped: SkippedRule[];
  passed: PassedRule[];
}
