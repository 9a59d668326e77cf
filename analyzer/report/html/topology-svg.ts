// The topology picture: boxes for Proxmox hosts, bridges, VMs, nodes (with their system pods) and
// LoadBalancer IPs, laid out left to right by dagre (a layered Sugiyama layout) at render time, so the page
// carries finished SVG: it shows without JavaScript, is the same bytes for the same bundle, and does not
// ship the layout library inside every report. Findings are mapped onto the elements they name.
import dagre from '@dagrejs/dagre';
import { compareText } from '../../../common/compare.js';
import type { Topology, TopologyMachine, TopologyPod, TopologyPveHost, TopologyVm } from '../../model/topology.js';
import { SEVERITIES, type Finding, type Report, type Severity } from '../types.js';
import { esc } from './escape.js';
import type { HtmlMessages } from './messages.js';

type LineClass = 'ok' | 'bad' | 'warn' | 'muted' | '';

interface Line {
  text: string;
  cls: LineClass;
}

interface PodRow {
  id: string;
  pod: TopologyPod;
}

interface Box {
  id: string;
  kind: 'pve' | 'bridge' | 'vm' | 'machine' | 'pods' | 'lb';
  title: string;
  lines: Line[];
  rows: PodRow[];
  /** Extra text for the tooltip and the details panel (pods folded into "+ N more"). */
  more: string[];
  width: number;
  height: number;
}

interface EdgeSpec {
  from: string;
  to: string;
  /** A bridge port drawn on the edge. */
  port?: { id: string; text: string; tooltip: string[] };
  minlen?: number;
  hidden?: boolean;
}

const CHAR = 7.3; // advance of a 12px monospace glyph; CJK glyphs take two
const TITLE_CHAR = 8;
const LINE_H = 16;
const TITLE_H = 20;
const PAD_X = 10;
const PAD_Y = 8;
const MAX_CHARS = 46;
/** Above this many system pods in the lab, each node lists only pods that are not Ready or have findings. */
const FOLD_PODS_ABOVE = 80;

function textWidth(text: string, char: number): number {
  let units = 0;
  for (const ch of text) units += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return units * char;
}

function clip(text: string): string {
  const chars = [...text];
  return chars.length > MAX_CHARS ? `${chars.slice(0, MAX_CHARS - 1).join('')}…` : text;
}

const r1 = (n: number): string => String(Math.round(n * 10) / 10);

export const elementIds = {
  pve: (pve: string) => `pve:${pve}`,
  bridge: (pve: string, bridge: string) => `br:${pve}/${bridge}`,
  vm: (pve: string, vmid: number) => `vm:${pve}/${vmid}`,
  port: (pve: string, vmid: number, nic: number) => `port:${pve}/${vmid}/net${nic}`,
  machine: (id: string) => `node:${id}`,
  pods: (id: string) => `pods:${id}`,
  pod: (ns: string, name: string) => `pod:${ns}/${name}`,
  lb: (ns: string, name: string) => `lb:${ns}/${name}`,
};

/**
 * Which elements each finding names: VMs and the bridge ports of their NICs (when a bridge is named too),
 * bridges (when no VM is named, or an uplink of theirs is), nodes and hosts by object or scope, system pods,
 * LoadBalancer Services, and the Proxmox host when nothing under it was named more precisely.
 */
export function findingTargets(report: Report, topo: Topology): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (id: string, i: number) => {
    const list = out.get(id) ?? [];
    if (!list.includes(i)) list.push(i);
    out.set(id, list);
  };
  const machineOfHost = new Map<string, TopologyMachine>();
  const machineIds = new Set<string>();
  for (const m of topo.machines) {
    machineIds.add(m.id);
    if (m.host) machineOfHost.set(m.host.name, m);
  }
  const pveNames = new Set(topo.pveHosts.map((p) => p.name));
  const podIds = new Set(topo.machines.flatMap((m) => m.pods).concat(topo.unscheduledPods).map((p) => elementIds.pod(p.namespace, p.name)));
  const lbIds = new Set(topo.loadBalancers.map((lb) => elementIds.lb(lb.namespace, lb.name)));

  report.findings.forEach((f, i) => {
    const named = (kind: string) => f.objects.filter((o) => o.kind === kind).map((o) => o.name);
    const pveFilter = named('ProxmoxHost');
    const pves = topo.pveHosts.filter((p) => pveFilter.length === 0 || pveFilter.includes(p.name));
    const vmids = named('VM');
    const bridges = new Set(named('Bridge'));
    const ifaces = new Set(named('Interface'));
    const specific = new Set<string>();
    for (const pve of pves) {
      for (const vm of pve.vms) {
        if (!vmids.includes(String(vm.vmid))) continue;
        add(elementIds.vm(pve.name, vm.vmid), i);
        specific.add(pve.name);
        for (const nic of vm.nics) if (nic.bridge !== undefined && bridges.has(nic.bridge)) add(elementIds.port(pve.name, vm.vmid, nic.index), i);
      }
      for (const br of pve.bridges) {
        const byName = bridges.has(br.name) || ifaces.has(br.name);
        const byUplink = br.ports.some((p) => ifaces.has(p));
        if ((byName && vmids.length === 0) || (byUplink && bridges.has(br.name)) || (byName && byUplink)) {
          add(elementIds.bridge(pve.name, br.name), i);
          specific.add(pve.name);
        }
      }
    }
    for (const name of named('Node')) if (machineIds.has(name)) add(elementIds.machine(name), i);
    for (const name of named('Host')) {
      const m = machineOfHost.get(name);
      if (m) add(elementIds.machine(m.id), i);
    }
    for (const o of f.objects) {
      if (o.kind === 'Pod' && o.namespace !== undefined && podIds.has(elementIds.pod(o.namespace, o.name))) add(elementIds.pod(o.namespace, o.name), i);
      if (o.kind === 'Service' && o.namespace !== undefined && lbIds.has(elementIds.lb(o.namespace, o.name))) add(elementIds.lb(o.namespace, o.name), i);
    }
    for (const name of f.scope.names) {
      if (f.scope.level === 'node' && machineIds.has(name)) add(elementIds.machine(name), i);
      if (f.scope.level === 'host') {
        const m = machineOfHost.get(name);
        if (m) add(elementIds.machine(m.id), i);
        else if (pveNames.has(name) && !specific.has(name)) add(elementIds.pve(name), i);
      }
    }
    for (const name of pveFilter) if (pveNames.has(name) && !specific.has(name)) add(elementIds.pve(name), i);
  });
  return out;
}

function worst(indices: number[] | undefined, findings: Finding[]): Severity | undefined {
  if (!indices || indices.length === 0) return undefined;
  return SEVERITIES.find((s) => indices.some((i) => findings[i]!.severity === s));
}

function line(text: string, cls: LineClass = ''): Line {
  return { text, cls };
}

function sized(box: Omit<Box, 'width' | 'height'>): Box {
  const texts = [...box.lines.map((l) => clip(l.text)), ...box.rows.map((r) => podRowText(r.pod))];
  const width = Math.max(textWidth(clip(box.title), TITLE_CHAR) + 28, ...texts.map((t) => textWidth(t, CHAR) + (box.kind === 'pods' ? 16 : 0))) + 2 * PAD_X;
  const height = PAD_Y * 2 + TITLE_H + (box.lines.length + box.rows.length) * LINE_H;
  return { ...box, width: Math.max(120, Math.ceil(width)), height };
}

function podRowText(pod: TopologyPod): string {
  return clip(`${pod.name}  ${pod.status}`);
}

function nicText(nic: TopologyVm['nics'][number], m: HtmlMessages): string {
  return [`net${nic.index}${nic.bridge !== undefined ? ` → ${nic.bridge}` : ''}`, nic.tag !== undefined ? m.tag(nic.tag) : m.untagged, nic.firewall ? m.firewall : m.noFirewall, nic.linkDown ? m.linkDown : '']
    .filter(Boolean)
    .join(' · ');
}

function pveBoxes(pve: TopologyPveHost, m: HtmlMessages, boxes: Box[], edges: EdgeSpec[]): void {
  boxes.push(sized({ id: elementIds.pve(pve.name), kind: 'pve', title: pve.name, lines: [line(m.proxmoxHost, 'muted'), line(pve.address), ...(pve.reached ? [] : [line(m.unreached, 'bad')])], rows: [], more: [] }));
  for (const br of pve.bridges) {
    const lines = [line(m.bridge, 'muted')];
    if (br.vlanAware === undefined) lines.push(line(m.noStanza, 'warn'));
    else lines.push(line(br.vlanAware ? m.vlanAware(br.vids ?? '') : m.notVlanAware));
    if (br.ports.length > 0) lines.push(line(m.uplinks(br.ports.join(', '))));
    boxes.push(sized({ id: elementIds.bridge(pve.name, br.name), kind: 'bridge', title: br.name, lines, rows: [], more: [] }));
    edges.push({ from: elementIds.pve(pve.name), to: elementIds.bridge(pve.name, br.name) });
  }
  for (const vm of pve.vms) {
    const vmId = elementIds.vm(pve.name, vm.vmid);
    const status = vm.status !== undefined ? [line(vm.status, vm.status === 'running' ? 'ok' : 'bad')] : [];
    boxes.push(sized({ id: vmId, kind: 'vm', title: vm.name !== undefined ? `${m.vm(vm.vmid)} · ${vm.name}` : m.vm(vm.vmid), lines: [...status, ...vm.nics.map((n) => line(nicText(n, m)))], rows: [], more: [] }));
    for (const nic of vm.nics) {
      if (nic.bridge === undefined || !pve.bridges.some((b) => b.name === nic.bridge)) continue;
      const text = [nic.port, nic.tag !== undefined ? m.tag(nic.tag) : m.untagged].join(' · ');
      const tooltip = [
        `${m.port} ${nic.port}`,
        `net${nic.index} ${nic.mac ?? ''}`.trim(),
        nic.tag !== undefined ? m.tag(nic.tag) : m.untagged,
        ...(nic.trunks !== undefined ? [m.trunks(nic.trunks)] : []),
        ...(nic.liveVlans !== undefined ? [m.liveVlans(nic.liveVlans)] : []),
        nic.firewall ? m.firewall : m.noFirewall,
        ...(nic.linkDown ? [m.linkDown] : []),
      ];
      edges.push({ from: elementIds.bridge(pve.name, nic.bridge), to: vmId, port: { id: elementIds.port(pve.name, vm.vmid, nic.index), text, tooltip } });
    }
  }
}

function machineBox(machine: TopologyMachine, m: HtmlMessages): Box {
  const lines: Line[] = [];
  const node = machine.node;
  if (node) {
    lines.push(line([m.node, ...node.roles].join(' · '), 'muted'));
    lines.push(line(m.ready(node.ready), node.ready === 'True' ? 'ok' : 'bad'));
    if (node.internalIPs.length > 0) lines.push(line(node.internalIPs.join(', ')));
    if (node.kubeletVersion !== undefined) lines.push(line(`kubelet ${node.kubeletVersion}`, 'muted'));
  } else lines.push(line(`${m.host} · ${m.notANode}`, 'muted'));
  if (machine.host) {
    if (!node) lines.push(line(machine.host.address));
    if (!machine.host.reached) lines.push(line(`${machine.host.name}: ${m.unreached}`, 'bad'));
    else if (node && machine.host.name !== node.name) lines.push(line(`${m.host} ${machine.host.name}`, 'muted'));
  }
  return sized({ id: elementIds.machine(machine.id), kind: 'machine', title: machine.id, lines, rows: [], more: [] });
}

function podsBox(id: string, title: string, pods: TopologyPod[], fold: boolean, marked: Map<string, number[]>, m: HtmlMessages): Box {
  const shown = fold ? pods.filter((p) => !(p.ready || p.done) || marked.has(elementIds.pod(p.namespace, p.name))) : pods;
  const folded = pods.filter((p) => !shown.includes(p));
  return sized({
    id,
    kind: 'pods',
    title,
    lines: folded.length > 0 ? [line(m.moreReady(folded.length), 'muted')] : [],
    rows: shown.map((pod) => ({ id: elementIds.pod(pod.namespace, pod.name), pod })),
    more: folded.map((p) => `${p.namespace}/${p.name}  ${p.status}`),
  });
}

export interface TopologySvg {
  svg: string;
  /** Element ids per finding index, for "show in topology" links. */
  elementsOfFinding: Map<number, string[]>;
  /** What each element is called on its box, for those links. */
  labels: Map<string, string>;
}

export function renderTopologySvg(report: Report, topo: Topology, m: HtmlMessages): TopologySvg | undefined {
  const marked = findingTargets(report, topo);
  const boxes: Box[] = [];
  const edges: EdgeSpec[] = [];
  for (const pve of topo.pveHosts) pveBoxes(pve, m, boxes, edges);
  const totalPods = topo.machines.reduce((n, x) => n + x.pods.length, 0) + topo.unscheduledPods.length;
  const fold = totalPods > FOLD_PODS_ABOVE;
  const vmIds = new Set(boxes.filter((b) => b.kind === 'vm').map((b) => b.id));
  for (const machine of topo.machines) {
    const id = elementIds.machine(machine.id);
    boxes.push(machineBox(machine, m));
    if (machine.vm && vmIds.has(elementIds.vm(machine.vm.pveHost, machine.vm.vmid))) edges.push({ from: elementIds.vm(machine.vm.pveHost, machine.vm.vmid), to: id });
    if (machine.pods.length > 0) {
      boxes.push(podsBox(elementIds.pods(machine.id), m.systemPods(machine.pods.length), machine.pods, fold, marked, m));
      edges.push({ from: id, to: elementIds.pods(machine.id) });
    }
  }
  if (topo.unscheduledPods.length > 0) boxes.push(podsBox(elementIds.pods(''), m.unscheduled, topo.unscheduledPods, false, marked, m));
  const firstMachine = topo.machines[0];
  for (const lb of topo.loadBalancers) {
    const id = elementIds.lb(lb.namespace, lb.name);
    const lines: Line[] = [line(m.loadBalancer, 'muted')];
    if (lb.pending && lb.ips.length === 0) lines.push(line(m.pending, 'bad'));
    const from = new Set<string>();
    for (const ip of lb.ips) {
      lines.push(line(ip.ip));
      if (!topo.arpCaptured) lines.push(line(`  ${m.notCaptured}`, 'muted'));
      else if (ip.answeredBy.length === 0) lines.push(line(`  ${m.noAnswer}`, 'warn'));
      for (const a of ip.answeredBy) {
        const bad = a.owner === undefined || ip.answeredBy.length > 1;
        lines.push(line(`  ${m.answeredBy} ${a.mac}`, bad ? 'bad' : 'ok'));
        lines.push(line(`    ${a.owner ?? m.unknownMac} ×${a.count}`, a.owner === undefined ? 'bad' : 'muted'));
        if (a.machine !== undefined) from.add(a.machine);
      }
    }
    boxes.push(sized({ id, kind: 'lb', title: `${lb.namespace}/${lb.name}`, lines, rows: [], more: [] }));
    for (const machine of [...from].sort(compareText)) edges.push({ from: elementIds.machine(machine), to: id, minlen: 2 });
    // Keeps an IP nobody answered for in the LoadBalancer column instead of beside the Proxmox hosts.
    if (from.size === 0 && firstMachine) edges.push({ from: elementIds.machine(firstMachine.id), to: id, minlen: 2, hidden: true });
  }
  if (boxes.length === 0) return undefined;

  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 40, edgesep: 8, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of boxes) g.setNode(b.id, { width: b.width, height: b.height });
  edges.forEach((e, i) => {
    const label = e.port ? { width: textWidth(e.port.text, 6.6) + 16, height: 18, labelpos: 'c' as const } : {};
    g.setEdge(e.from, e.to, { ...label, minlen: e.minlen ?? 1, weight: e.hidden ? 0 : 1 }, `e${i}`);
  });
  dagre.layout(g);
  const graph = g.graph();
  const width = Math.ceil(graph.width ?? 0);
  const height = Math.ceil(graph.height ?? 0);

  const elementsOfFinding = new Map<number, string[]>();
  for (const [id, list] of [...marked.entries()].sort(([a], [b]) => compareText(a, b))) {
    for (const i of list) elementsOfFinding.set(i, [...(elementsOfFinding.get(i) ?? []), id]);
  }
  const attrs = (id: string, extra: string) => {
    const list = marked.get(id);
    const sev = worst(list, report.findings);
    const cls = `el ${extra}${sev ? ` sev-${sev}` : ''}`;
    return `class="${cls}" data-el="${esc(id)}" data-f="${(list ?? []).map((i) => `f${i}`).join(' ')}" tabindex="0" role="button"`;
  };
  const badge = (id: string, x: number, y: number) => {
    const list = marked.get(id);
    if (!list || list.length === 0) return '';
    return `<g class="badge"><circle cx="${r1(x)}" cy="${r1(y)}" r="9"/><text x="${r1(x)}" y="${r1(y + 4)}" text-anchor="middle">${list.length}</text></g>`;
  };

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" id="topology" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-width="${width}" data-height="${height}" role="img" aria-label="${esc(m.topology)}">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>');
  out.push('<g class="edges">');
  edges.forEach((e, i) => {
    if (e.hidden) return;
    const points = g.edge(e.from, e.to, `e${i}`).points ?? [];
    out.push(`<path class="edge" d="${smoothPath(points)}" marker-end="url(#arrow)"/>`);
  });
  out.push('</g><g class="ports">');
  edges.forEach((e, i) => {
    if (!e.port) return;
    const label = g.edge(e.from, e.to, `e${i}`);
    const w = textWidth(e.port.text, 6.6) + 16;
    const x = (label.x ?? 0) - w / 2;
    const y = (label.y ?? 0) - 9;
    out.push(`<g ${attrs(e.port.id, 'port')} transform="translate(${r1(x)},${r1(y)})"><title>${esc(e.port.tooltip.join('\n'))}</title>`);
    out.push(`<rect width="${r1(w)}" height="18" rx="9"/><text x="${r1(w / 2)}" y="13" text-anchor="middle">${esc(e.port.text)}</text>${badge(e.port.id, w, 0)}</g>`);
  });
  out.push('</g><g class="boxes">');
  for (const b of boxes) {
    const n = g.node(b.id);
    const x = (n.x ?? 0) - b.width / 2;
    const y = (n.y ?? 0) - b.height / 2;
    const tooltip = [b.title, ...b.lines.map((l) => l.text.trim()), ...b.rows.map((r) => `${r.pod.namespace}/${r.pod.name}  ${r.pod.status}`), ...b.more];
    out.push(`<g ${attrs(b.id, b.kind)} transform="translate(${r1(x)},${r1(y)})"><title>${esc(tooltip.join('\n'))}</title>`);
    out.push(`<rect class="frame" width="${b.width}" height="${b.height}" rx="6"/>`);
    out.push(`<rect class="stripe" width="5" height="${b.height}" rx="2"/>`);
    out.push(`<text class="title" x="${PAD_X + 2}" y="${PAD_Y + 14}">${esc(clip(b.title))}</text>`);
    let ty = PAD_Y + TITLE_H + 12;
    for (const l of b.lines) {
      out.push(`<text x="${PAD_X + 2}" y="${ty}"${l.cls ? ` class="${l.cls}"` : ''} xml:space="preserve">${esc(clip(l.text))}</text>`);
      ty += LINE_H;
    }
    for (const row of b.rows) {
      const ok = row.pod.ready || row.pod.done;
      const tip = [`${row.pod.namespace}/${row.pod.name}`, row.pod.status, ...(row.pod.restarts > 0 ? [m.restarts(row.pod.restarts)] : [])];
      out.push(`<g ${attrs(row.id, 'pod')} transform="translate(0,${ty - 12})"><title>${esc(tip.join('\n'))}</title>`);
      out.push(`<rect class="row" x="3" width="${b.width - 6}" height="${LINE_H}" rx="3"/>`);
      out.push(`<circle class="${row.pod.ready ? 'dot-ok' : row.pod.done ? 'dot-done' : 'dot-bad'}" cx="${PAD_X + 6}" cy="8" r="4"/>`);
      out.push(`<text x="${PAD_X + 16}" y="12">${esc(clip(row.pod.name))}<tspan class="${ok ? 'muted' : 'bad'}">  ${esc(row.pod.status)}</tspan></text></g>`);
      ty += LINE_H;
    }
    out.push(`${badge(b.id, b.width - 2, 2)}</g>`);
  }
  out.push('</g></svg>');
  const labels = new Map<string, string>();
  for (const b of boxes) {
    labels.set(b.id, b.title);
    for (const r of b.rows) labels.set(r.id, `${r.pod.namespace}/${r.pod.name}`);
  }
  for (const e of edges) if (e.port) labels.set(e.port.id, e.port.text);
  return { svg: out.join(''), elementsOfFinding, labels };
}

/** A Catmull-Rom curve through dagre's bend points, as cubic Béziers. */
function smoothPath(points: { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  const p = points;
  let d = `M${r1(p[0]!.x)},${r1(p[0]!.y)}`;
  for (let i = 0; i < p.length - 1; i++) {
    const p0 = p[i - 1] ?? p[i]!;
    const p1 = p[i]!;
    const p2 = p[i + 1]!;
    const p3 = p[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${r1(c1.x)},${r1(c1.y)} ${r1(c2.x)},${r1(c2.y)} ${r1(p2.x)},${r1(p2.y)}`;
  }
  return d;
}
