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
  /** Bridge ports of a VM's NICs, drawn on its left edge where the bridge's edge arrives. */
  ports: PortSpec[];
  /** Width reserved left of the box for the ports. */
  inset: number;
  width: number;
  height: number;
}

interface PortSpec {
  id: string;
  text: string;
  tooltip: string[];
}

interface EdgeSpec {
  from: string;
  to: string;
  /** The port of the target the edge arrives at (a VM's bridge port). */
  toPort?: string;
  minlen?: number;
  hidden?: boolean;
}

const PORT_CHAR = 6.6;
const PORT_H = 18;
const portWidth = (text: string) => textWidth(text, PORT_CHAR) + 16;

const CHAR = 7.3; // advance of a 12px monospace glyph; CJK glyphs take two
const TITLE_CHAR = 8;
const LINE_H = 16;
const TITLE_H = 20;
const PAD_X = 10;
const PAD_Y = 8;
const MAX_CHARS = 46;
const POD_CHARS = 30;
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

function sized(box: Omit<Box, 'width' | 'height' | 'ports' | 'inset'> & { ports?: PortSpec[] }): Box {
  const texts = [...box.lines.map((l) => clip(l.text)), ...box.rows.map((r) => podRowText(r.pod))];
  const width = Math.max(textWidth(clip(box.title), TITLE_CHAR) + 28, ...texts.map((t) => textWidth(t, CHAR) + (box.kind === 'pods' ? 16 : 0))) + 2 * PAD_X;
  const ports = box.ports ?? [];
  const inset = ports.length > 0 ? Math.ceil(Math.max(...ports.map((p) => portWidth(p.text)))) + 10 : 0;
  const height = Math.max(PAD_Y * 2 + TITLE_H + (box.lines.length + box.rows.length) * LINE_H, ports.length * (PORT_H + 4) + 8);
  return { ...box, ports, inset, width: Math.max(120, Math.ceil(width)), height };
}

/** Pod names end in hashes that tell replicas apart: keep the head and that tail, cut the middle. */
function podName(name: string): string {
  const chars = [...name];
  return chars.length > POD_CHARS ? `${chars.slice(0, POD_CHARS - 8).join('')}…${chars.slice(-7).join('')}` : name;
}

/** The dot already says Running (green) or Completed (grey); other states are spelled out. */
function podStatusText(pod: TopologyPod): string {
  return (pod.ready && pod.status === 'Running') || (pod.done && pod.status === 'Completed') ? '' : pod.status;
}

function podRowText(pod: TopologyPod): string {
  const status = podStatusText(pod);
  return `${podName(pod.name)}${status ? `  ${status}` : ''}`;
}

function nicLines(nic: TopologyVm['nics'][number], m: HtmlMessages): Line[] {
  return [
    line(`net${nic.index}${nic.bridge !== undefined ? ` → ${nic.bridge}` : ''} · ${nic.tag !== undefined ? m.tag(nic.tag) : m.untagged}`),
    line(`  ${[nic.firewall ? m.firewall : m.noFirewall, nic.linkDown ? m.linkDown : ''].filter(Boolean).join(' · ')}`, nic.linkDown ? 'bad' : 'muted'),
  ];
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
    const ports: PortSpec[] = [];
    for (const nic of vm.nics) {
      if (nic.bridge === undefined || !pve.bridges.some((b) => b.name === nic.bridge)) continue;
      const text = nic.port;
      const tooltip = [
        `${m.port} ${nic.port}`,
        `net${nic.index} ${nic.mac ?? ''}`.trim(),
        nic.tag !== undefined ? m.tag(nic.tag) : m.untagged,
        ...(nic.trunks !== undefined ? [m.trunks(nic.trunks)] : []),
        ...(nic.liveVlans !== undefined ? [m.liveVlans(nic.liveVlans)] : []),
        nic.firewall ? m.firewall : m.noFirewall,
        ...(nic.linkDown ? [m.linkDown] : []),
      ];
      ports.push({ id: elementIds.port(pve.name, vm.vmid, nic.index), text, tooltip });
      if (!edges.some((e) => e.from === elementIds.bridge(pve.name, nic.bridge!) && e.to === vmId)) {
        edges.push({ from: elementIds.bridge(pve.name, nic.bridge), to: vmId, toPort: elementIds.port(pve.name, vm.vmid, nic.index) });
      }
    }
    boxes.push(sized({ id: vmId, kind: 'vm', title: vm.name !== undefined ? `${m.vm(vm.vmid)} · ${vm.name}` : m.vm(vm.vmid), lines: [...status, ...vm.nics.flatMap((n) => nicLines(n, m))], rows: [], more: [], ports }));
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
    const lines: Line[] = [line(`${m.loadBalancer} · ${lb.namespace}`, 'muted')];
    if (lb.pending && lb.ips.length === 0) lines.push(line(m.pending, 'bad'));
    const from = new Set<string>();
    for (const ip of lb.ips) {
      lines.push(line(ip.ip));
      if (!topo.arpCaptured) lines.push(line(`  ${m.notCaptured}`, 'muted'));
      else if (ip.answeredBy.length === 0) lines.push(line(`  ${m.noAnswer}`, 'warn'));
      for (const a of ip.answeredBy) {
        const bad = a.owner === undefined || ip.answeredBy.length > 1;
        lines.push(line(`  ARP ← ${a.mac}`, bad ? 'bad' : 'ok'));
        lines.push(line(`    ${a.owner ?? m.unknownMac} ×${a.count}`, a.owner === undefined ? 'bad' : 'muted'));
        if (a.machine !== undefined) from.add(a.machine);
      }
    }
    const more = [`${lb.namespace}/${lb.name}`, ...lb.ips.flatMap((ip) => ip.answeredBy.map((a) => `${ip.ip}: ${m.answeredBy} ${a.mac} (${a.owner ?? m.unknownMac})`))];
    boxes.push(sized({ id, kind: 'lb', title: lb.name, lines, rows: [], more }));
    for (const machine of [...from].sort(compareText)) edges.push({ from: elementIds.machine(machine), to: id, minlen: 2 });
    // Keeps an IP nobody answered for in the LoadBalancer column instead of beside the Proxmox hosts.
    if (from.size === 0 && firstMachine) edges.push({ from: elementIds.machine(firstMachine.id), to: id, minlen: 2, hidden: true });
  }
  if (boxes.length === 0) return undefined;

  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 34, edgesep: 8, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of boxes) g.setNode(b.id, { width: b.width + b.inset, height: b.height });
  edges.forEach((e, i) => g.setEdge(e.from, e.to, { minlen: e.minlen ?? 1, weight: e.hidden ? 0 : 1 }, `e${i}`));
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
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" id="topology" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-width="${width}" data-height="${height}" role="group" aria-label="${esc(m.topology)}">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>');
  // Where each box and port ends up: edges leave a box on its right side and arrive on the left side of
  // the box, or of the port they are for.
  const frames = new Map<string, { x: number; y: number; w: number; h: number }>();
  const portAt = new Map<string, { x: number; y: number; w: number }>();
  for (const b of boxes) {
    const n = g.node(b.id);
    const x = (n.x ?? 0) - (b.width + b.inset) / 2 + b.inset;
    const y = (n.y ?? 0) - b.height / 2;
    frames.set(b.id, { x, y, w: b.width, h: b.height });
    b.ports.forEach((port, pi) => {
      const w = portWidth(port.text);
      portAt.set(port.id, { x: x - 4 - w, y: y + b.height / 2 - (b.ports.length * (PORT_H + 4) - 4) / 2 + pi * (PORT_H + 4), w });
    });
  }
  out.push('<g class="edges">');
  edges.forEach((e, i) => {
    if (e.hidden) return;
    const from = frames.get(e.from)!;
    const to = frames.get(e.to)!;
    const port = e.toPort !== undefined ? portAt.get(e.toPort) : undefined;
    const start = { x: from.x + from.w, y: from.y + from.h / 2 };
    const end = port ? { x: port.x - 1, y: port.y + PORT_H / 2 } : { x: to.x - 1, y: to.y + to.h / 2 };
    const bends = (g.edge(e.from, e.to, `e${i}`).points ?? []).slice(1, -1);
    out.push(`<path class="edge" d="${flowPath(start, bends, end)}" marker-end="url(#arrow)"/>`);
  });
  out.push('</g><g class="boxes">');
  for (const b of boxes) {
    const { x, y } = frames.get(b.id)!;
    // Ports sit in the inset, right-aligned against the box, centred on the height where edges arrive.
    b.ports.forEach((port) => {
      const { w, y: py } = portAt.get(port.id)!;
      out.push(`<path class="edge" d="M${r1(x - 4)},${r1(py + PORT_H / 2)} H${r1(x)}"/>`);
      out.push(`<g ${attrs(port.id, 'port')} transform="translate(${r1(x - 4 - w)},${r1(py)})"><title>${esc(port.tooltip.join('\n'))}</title>`);
      out.push(`<rect width="${r1(w)}" height="${PORT_H}" rx="9"/><text x="${r1(w / 2)}" y="13" text-anchor="middle">${esc(port.text)}</text>${badge(port.id, w, 0)}</g>`);
    });
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
      const status = podStatusText(row.pod);
      out.push(`<text x="${PAD_X + 16}" y="12" xml:space="preserve">${esc(podName(row.pod.name))}${status ? `<tspan class="${ok ? 'muted' : 'bad'}">  ${esc(status)}</tspan>` : ''}</text></g>`);
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
  for (const b of boxes) for (const port of b.ports) labels.set(port.id, `${b.title}: ${port.text}`);
  return { svg: out.join(''), elementsOfFinding, labels };
}

/**
 * Left to right: from the source's right side to the target's left side, leaving and arriving
 * horizontally; an edge that spans several ranks passes through dagre's bend points on the way.
 */
function flowPath(start: { x: number; y: number }, bends: { x: number; y: number }[], end: { x: number; y: number }): string {
  const points = [start, ...bends.filter((p) => p.x > start.x + 8 && p.x < end.x - 8), end];
  let d = `M${r1(start.x)},${r1(start.y)}`;
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const dx = (b.x - a.x) / 2;
    d += ` C${r1(a.x + dx)},${r1(a.y)} ${r1(b.x - dx)},${r1(b.y)} ${r1(b.x)},${r1(b.y)}`;
  }
  return d;
}
