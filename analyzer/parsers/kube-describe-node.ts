// `kubectl describe node(s)` text. Top-level fields start at column 0 (`Name:`, `Labels:`...); list fields
// continue on indented lines; Conditions, Non-terminated Pods, Allocated resources and Events are tabwriter
// tables whose cells contain spaces (dates, "60m (x8 over 60m)"), so rows are cut at the header's offsets.
import { ParseError, splitLines, type ParseContext } from './common.js';
import { isRuleLine, tableCells, tableColumns, type TableColumn } from './kube-table.js';
import { parseWordyDate } from './log-time.js';

export interface NodeCondition {
  type: string;
  status: string;
  /** ISO UTC, or null for `<unknown>` and unreadable dates. */
  lastHeartbeat: string | null;
  lastTransition: string | null;
  reason: string;
  message: string;
  line: number;
}

export interface NodeTaint {
  key: string;
  value: string | null;
  effect: string;
  line: number;
}

export interface NodeAddress {
  type: string;
  address: string;
  line: number;
}

export interface NodePodRow {
  namespace: string;
  name: string;
  cpuRequests: string;
  cpuLimits: string;
  memoryRequests: string;
  memoryLimits: string;
  age: string;
  line: number;
}

export interface NodeEventRow {
  type: string;
  reason: string;
  /** As printed: `60m`, `60m (x8 over 60m)`, `<invalid>`. */
  age: string;
  from: string;
  message: string;
  line: number;
}

export interface NodeSystemInfo {
  machineId?: string;
  systemUuid?: string;
  bootId?: string;
  kernelVersion?: string;
  osImage?: string;
  operatingSystem?: string;
  architecture?: string;
  /** `containerd://1.7.22`, or `docker://20.10.7` on docker-era nodes. */
  containerRuntimeVersion?: string;
  kubeletVersion?: string;
  /** Empty or absent since Kubernetes 1.31 deprecated the field. */
  kubeProxyVersion?: string;
}

export interface DescribedNode {
  name: string;
  line: number;
  roles: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: NodeTaint[];
  unschedulable: boolean | null;
  conditions: NodeCondition[];
  addresses: NodeAddress[];
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  systemInfo: NodeSystemInfo;
  podCIDR: string | null;
  podCIDRs: string[];
  pods: NodePodRow[];
  events: NodeEventRow[];
}

const SYSTEM_INFO_KEYS: Record<string, keyof NodeSystemInfo> = {
  'Machine ID': 'machineId',
  'System UUID': 'systemUuid',
  'Boot ID': 'bootId',
  'Kernel Version': 'kernelVersion',
  'OS Image': 'osImage',
  'Operating System': 'operatingSystem',
  Architecture: 'architecture',
  'Container Runtime Version': 'containerRuntimeVersion',
  'Kubelet Version': 'kubeletVersion',
  'Kube-Proxy Version': 'kubeProxyVersion',
};

const TOP_KEY = /^([A-Za-z][A-Za-z0-9 -]{0,40}):(?:[ \t]+(.*))?$/;

function dateOrNull(text: string): string | null {
  return text.startsWith('<') ? null : parseWordyDate(text);
}

function newNode(name: string, line: number): DescribedNode {
  return {
    name, line, roles: [], labels: {}, annotations: {}, taints: [], unschedulable: null, conditions: [],
    addresses: [], capacity: {}, allocatable: {}, systemInfo: {}, podCIDR: null, podCIDRs: [], pods: [], events: [],
  };
}

function parseTaint(entry: string, line: number): NodeTaint | null {
  const colon = entry.lastIndexOf(':');
  if (colon <= 0) return null;
  const keyValue = entry.slice(0, colon);
  const eq = keyValue.indexOf('=');
  return {
    key: eq < 0 ? keyValue : keyValue.slice(0, eq),
    value: eq < 0 ? null : keyValue.slice(eq + 1),
    effect: entry.slice(colon + 1),
    line,
  };
}

/** Handles one value of a list-valued field (the key line's own value, or a continuation line). */
function addListValue(node: DescribedNode, section: string, value: string, line: number, lastAnnotation: { key?: string }): void {
  if (value === '' || value === '<none>') return;
  if (section === 'Labels') {
    const eq = value.indexOf('=');
    if (eq > 0) node.labels[value.slice(0, eq)] = value.slice(eq + 1);
  } else if (section === 'Annotations') {
    const sep = value.indexOf(': ');
    if (sep > 0) {
      lastAnnotation.key = value.slice(0, sep);
      node.annotations[lastAnnotation.key] = value.slice(sep + 2);
    } else if (value.endsWith(':')) {
      lastAnnotation.key = value.slice(0, -1);
      node.annotations[lastAnnotation.key] = '';
    } else if (lastAnnotation.key !== undefined) {
      // A multi-line annotation value (e.g. pretty-printed JSON) continues on the following lines.
      node.annotations[lastAnnotation.key] += `\n${value}`;
    }
  } else if (section === 'Taints') {
    const taint = parseTaint(value, line);
    if (taint) node.taints.push(taint);
  }
}

const TABLE_SECTIONS = new Set(['Conditions', 'Non-terminated Pods', 'Events', 'Allocated resources']);
const PAIR_SECTIONS = new Set(['Addresses', 'Capacity', 'Allocatable', 'System Info']);
const LIST_SECTIONS = new Set(['Labels', 'Annotations', 'Taints']);

function addTableRow(node: DescribedNode, section: string, cells: string[], names: string[], line: number): void {
  const cell = (name: string): string => cells[names.indexOf(name)] ?? '';
  if (section === 'Conditions') {
    node.conditions.push({
      type: cell('Type'), status: cell('Status'), lastHeartbeat: dateOrNull(cell('LastHeartbeatTime')),
      lastTransition: dateOrNull(cell('LastTransitionTime')), reason: cell('Reason'), message: cell('Message'), line,
    });
  } else if (section === 'Non-terminated Pods') {
    node.pods.push({
      namespace: cell('Namespace'), name: cell('Name'), cpuRequests: cell('CPU Requests'), cpuLimits: cell('CPU Limits'),
      memoryRequests: cell('Memory Requests'), memoryLimits: cell('Memory Limits'), age: cell('Age'), line,
    });
  } else if (section === 'Events') {
    node.events.push({ type: cell('Type'), reason: cell('Reason'), age: cell('Age'), from: cell('From'), message: cell('Message'), line });
  }
}

/** Parses the output of `kubectl describe node NAME` or `kubectl describe nodes`; one entry per node. */
export function parseDescribeNodes(text: string, ctx: ParseContext): DescribedNode[] {
  const nodes: DescribedNode[] = [];
  let node: DescribedNode | undefined;
  let section = '';
  let columns: TableColumn[] | undefined;
  let names: string[] = [];
  const lastAnnotation: { key?: string } = {};
  splitLines(text).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trimEnd();
    if (line === '') return;
    if (line[0] !== ' ' && line[0] !== '\t') {
      const top = TOP_KEY.exec(line);
      if (!top) return;
      const key = top[1]!;
      const value = (top[2] ?? '').trim();
      if (key === 'Name') {
        node = newNode(value, lineNo);
        nodes.push(node);
      }
      section = key;
      columns = undefined;
      lastAnnotation.key = undefined;
      if (!node) return;
      if (key === 'Roles') node.roles = value === '<none>' || value === '' ? [] : value.split(',');
      else if (key === 'Unschedulable') node.unschedulable = value === 'true' ? true : value === 'false' ? false : null;
      else if (key === 'PodCIDR') node.podCIDR = value || null;
      else if (key === 'PodCIDRs') node.podCIDRs = value ? value.split(',').map((cidr) => cidr.trim()) : [];
      else if (LIST_SECTIONS.has(key)) addListValue(node, key, value, lineNo, lastAnnotation);
      return;
    }
    if (!node) return;
    const trimmed = line.trim();
    if (LIST_SECTIONS.has(section)) {
      addListValue(node, section, trimmed, lineNo, lastAnnotation);
    } else if (PAIR_SECTIONS.has(section)) {
      const colon = trimmed.indexOf(':');
      if (colon <= 0) return;
      const key = trimmed.slice(0, colon);
      const value = trimmed.slice(colon + 1).trim();
      if (section === 'Addresses') node.addresses.push({ type: key, address: value, line: lineNo });
      else if (section === 'Capacity') node.capacity[key] = value;
      else if (section === 'Allocatable') node.allocatable[key] = value;
      else {
        const field = SYSTEM_INFO_KEYS[key];
        if (field) node.systemInfo[field] = value;
      }
    } else if (TABLE_SECTIONS.has(section)) {
      if (trimmed.startsWith('(')) return;
      if (!columns) {
        columns = tableColumns(line);
        names = columns.map((column) => column.name);
        return;
      }
      if (isRuleLine(line)) return;
      addTableRow(node, section, tableCells(line, columns), names, lineNo);
    }
  });
  if (nodes.length === 0) throw new ParseError(`${ctx.path}: not kubectl describe node output (no "Name:" line)`);
  return nodes;
}
