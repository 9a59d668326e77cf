// Evidence helpers for rules: JSON excerpts of objects and pointers into Lists.
import type { Evidence } from '../report/types.js';
import type { KubeItem } from '../model/kube-types.js';

const MAX_EXCERPT_LINES = 12;

export function jsonExcerpt(value: unknown): string[] {
  const lines = (JSON.stringify(value, null, 2) ?? 'undefined').split('\n');
  return lines.length > MAX_EXCERPT_LINES ? [...lines.slice(0, MAX_EXCERPT_LINES - 1), '…'] : lines;
}

/** Evidence pointing into a List entry: `path#/items/<i><subpointer>` with the value as excerpt. */
export function itemEvidence(item: KubeItem, subPointer: string, value: unknown): Evidence {
  return { path: item.path, pointer: `/items/${item.index}${subPointer}`, excerpt: jsonExcerpt(value) };
}
