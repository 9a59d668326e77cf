// The registry of fact collections declarative rules select from (`fact: host.swap`, `where: ...`). Each
// record names its subject (the host, node, namespace or object a finding would be about), flat fields
// for conditions, and the evidence that backs it. Collections also name their input paths, so a rule
// whose inputs are all missing is skipped with the manifest's reasons. Collections are defined by area
// under collections/ and registered by importing collections/index.ts.
import type { Evidence, ObjectRef, ScopeLevel } from '../report/types.js';
import type { Model } from '../model/model.js';

export interface FactRecord {
  subject: { level: ScopeLevel; name: string };
  objects?: ObjectRef[];
  fields: Record<string, unknown>;
  evidence: Evidence;
}

export interface Collection {
  description: string;
  /** Path patterns (`*` one segment, `**` any) the collection reads; none usable → the rule is skipped. */
  inputs: string[];
  records(model: Model, excerpt: (path: string, line: number) => string[]): FactRecord[];
}

const registry = new Map<string, Collection>();

export function registerCollection(name: string, collection: Collection): void {
  if (registry.has(name)) throw new Error(`collection ${name} registered twice`);
  registry.set(name, collection);
}

export function collection(name: string): Collection | undefined {
  return registry.get(name);
}

export function collectionNames(): string[] {
  return [...registry.keys()].sort();
}
