// Everything the single pass over a bundle keeps: Kubernetes objects (trimmed), each small artifact's
// parsed facts, small texts for evidence excerpts, and log hits (held by the LogScanner).
import type { KubeItem, KubeObject } from '../model/kube-types.js';
import { compareText } from '../../common/compare.js';

/** Small line-oriented artifacts are kept so evidence can quote the lines around a finding. */
export const EXCERPT_TEXT_LIMIT = 1024 * 1024;

export class FactStore {
  /** Kubernetes objects by plural kind; namespaced kinds from every namespace together. */
  readonly kube = new Map<string, KubeItem[]>();
  /** Custom resources by `<plural>.<group>`. */
  readonly custom = new Map<string, KubeItem[]>();
  /** Parser output by bundle path. */
  readonly parsed = new Map<string, unknown>();
  readonly texts = new Map<string, string>();

  addKube(kind: string, items: KubeItem[], custom: boolean): void {
    const target = custom ? this.custom : this.kube;
    const list = target.get(kind);
    if (list) list.push(...items);
    else target.set(kind, items);
  }

  kubeItems<T extends KubeObject = KubeObject>(kind: string): KubeItem<T>[] {
    return (this.kube.get(kind) ?? []) as KubeItem<T>[];
  }

  customItems<T extends KubeObject = KubeObject>(resource: string): KubeItem<T>[] {
    return (this.custom.get(resource) ?? []) as KubeItem<T>[];
  }

  /** Sorts lists so that facts do not depend on the order entries had in the archive. */
  seal(): void {
    const byPlace = (a: KubeItem, b: KubeItem) => compareText(a.path, b.path) || a.index - b.index;
    for (const list of this.kube.values()) list.sort(byPlace);
    for (const list of this.custom.values()) list.sort(byPlace);
  }
}
