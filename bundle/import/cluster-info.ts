// `kubectl cluster-info dump --all-namespaces --output-directory=DIR`: nodes.json at the top, one folder per
// namespace with pods.json, events.json, services.json, deployments.json, replicasets.json, daemonsets.json
// (and replicationcontrollers.json, which no rule reads), and <pod>/logs.txt holding every container's log
// of that pod between `==== START logs for container C of pod NS/P ====` and `==== END logs ... ====`
// lines. With `--output yaml` the same files end in .yaml. Logs are split per container while streaming.
import { load as loadYaml } from 'js-yaml';
import { bundlePath, segment, type NamespacedKind } from '../layout.js';
import type { HostRecord } from '../manifest.js';
import type { ChunkSource } from '../reader-entry.js';
import type { Importer, ImportOutput } from './output.js';
import type { RawEntry } from './raw.js';

const NAMESPACED = new Set<NamespacedKind>(['pods', 'events', 'services', 'endpoints', 'deployments', 'replicasets', 'daemonsets', 'statefulsets']);
const START = /^==== START logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;
const END = /^==== END logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;

function toJson(text: string, yaml: boolean): string {
  return yaml ? `${JSON.stringify(loadYaml(text) ?? {}, null, 2)}\n` : text;
}

export class ClusterInfoDumpImporter implements Importer {
  async entry(rel: string[], raw: RawEntry, out: ImportOutput): Promise<void> {
    const source = rel.join('/');
    const file = rel.at(-1)!;
    const m = /^(.+)\.(json|yaml)$/.exec(file);
    if (rel.length === 1 && m?.[1] === 'nodes') {
      if (m[2] === 'json') await out.pass(bundlePath.clusterList('nodes'), source, 'kube', null, raw.entry);
      else await out.put(bundlePath.clusterList('nodes'), source, 'kube', null, toJson(await raw.entry.text(), true));
      return;
    }
    if (rel.length === 2 && m && NAMESPACED.has(m[1] as NamespacedKind)) {
      const path = bundlePath.namespacedList(rel[0]!, m[1] as NamespacedKind);
      if (m[2] === 'json') await out.pass(path, source, 'kube', null, raw.entry);
      else await out.put(path, source, 'kube', null, toJson(await raw.entry.text(), true));
      return;
    }
    if (rel.length === 3 && file === 'logs.txt') await this.#logs(rel[0]!, rel[1]!, source, raw, out);
  }

  /** Hands each container's section of a pod's logs.txt on as its own log, reading the file once. */
  async #logs(namespace: string, pod: string, source: string, raw: RawEntry, out: ImportOutput): Promise<void> {
    segment(namespace, 'namespace');
    segment(pod, 'pod name');
    const lines = raw.entry.lines()[Symbol.asyncIterator]();
    let next = await lines.next();
    while (!next.done) {
      const start = START.exec(next.value);
      if (!start || start[2] !== namespace || start[3] !== pod) {
        next = await lines.next();
        continue;
      }
      const container = start[1]!;
      let finished = false;
      const body: ChunkSource = async function* () {
        for (;;) {
          const n = await lines.next();
          if (n.done || END.test(n.value) || START.test(n.value)) {
            next = n.done || START.test(n.value) ? n : await lines.next();
            finished = true;
            return;
          }
          yield Buffer.from(`${n.value}\n`, 'utf8');
        }
      };
      // The section is at most the whole file; the exact size is known only once it is read.
      await out.passSection(bundlePath.podLog(namespace, pod, container, false), `${source} (container ${container})`, raw.entry.size, body);
      if (!finished) {
        // The visitor did not read this section: skip to its end.
        for await (const _ of body()) void _;
      }
    }
  }

  async finish(): Promise<void> {}

  hosts(): HostRecord[] {
    return [];
  }
}
