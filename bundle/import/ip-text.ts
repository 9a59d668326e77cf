// `ip -d address` text (what sos reports store, as sos_commands/networking/ip_-d_address) turned into the
// `ip -j -d link` and `ip -j -d addr` JSON labsnap reads. Only the fields the parsers use are produced:
// index, name, parent (`eth0.10@eth0`), flags, mtu, state, master, link type and MAC, the -d kind line
// (vlan id, bridge vlan_filtering, *_slave), and every inet/inet6 address with its prefix, scope and label.

interface LinkJson {
  ifindex: number;
  ifname: string;
  link?: string;
  flags: string[];
  mtu?: number;
  operstate?: string;
  master?: string;
  link_type?: string;
  address?: string;
  broadcast?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown>; info_slave_kind?: string };
  addr_info: { family: string; local: string; prefixlen?: number; broadcast?: string; scope?: string; label?: string; dynamic?: boolean }[];
}

const HEADER = /^(\d+):\s+([^:@\s]+)(?:@([^:\s]+))?:\s+<([^>]*)>(.*)$/;
const ADDRESS = /^\s+(inet6?)\s+([0-9a-fA-F.:]+)(?:\/(\d+))?(.*)$/;
const KIND_LINE = /^\s{4}([a-z][a-z0-9_]*)(\s.*)?$/;
const NOT_KINDS = new Set(['link', 'inet', 'inet6', 'valid_lft', 'altname', 'rx', 'tx']);

function words(rest: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = rest.trim().split(/\s+/);
  for (let i = 0; i + 1 < parts.length; i++) out.set(parts[i]!, parts[i + 1]!);
  return out;
}

export function parseIpAddressText(text: string): LinkJson[] {
  const links: LinkJson[] = [];
  let current: LinkJson | undefined;
  let sawLinkLine = false;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      const w = words(h[5]!);
      current = {
        ifindex: Number(h[1]),
        ifname: h[2]!,
        ...(h[3] && h[3] !== 'NONE' ? { link: h[3] } : {}),
        flags: h[4]!.split(',').filter(Boolean),
        ...(w.has('mtu') ? { mtu: Number(w.get('mtu')) } : {}),
        ...(w.has('state') ? { operstate: w.get('state')! } : {}),
        ...(w.has('master') ? { master: w.get('master')! } : {}),
        addr_info: [],
      };
      links.push(current);
      sawLinkLine = false;
      continue;
    }
    if (!current) continue;
    const link = /^\s+link\/(\S+)(?:\s+([0-9a-f:]{17}))?(?:\s+brd\s+([0-9a-f:]{17}))?/.exec(line);
    if (link) {
      current.link_type = link[1]!;
      if (link[2]) current.address = link[2];
      if (link[3]) current.broadcast = link[3];
      sawLinkLine = true;
      continue;
    }
    const a = ADDRESS.exec(line);
    if (a) {
      const rest = a[4]!.trim().split(/\s+/);
      const w = words(a[4]!);
      const last = rest.at(-1);
      const keywords = new Set(['dynamic', 'noprefixroute', 'nodad', 'permanent', 'deprecated', 'tentative', 'mngtmpaddr', 'secondary', 'global', 'link', 'host', 'site']);
      current.addr_info.push({
        family: a[1]!,
        local: a[2]!,
        ...(a[3] ? { prefixlen: Number(a[3]) } : {}),
        ...(w.has('brd') ? { broadcast: w.get('brd')! } : {}),
        ...(w.has('scope') ? { scope: w.get('scope')! } : {}),
        ...(a[1] === 'inet' && last && !keywords.has(last) && last !== w.get('scope') && last !== w.get('brd') ? { label: last } : {}),
        ...(rest.includes('dynamic') ? { dynamic: true } : {}),
      });
      continue;
    }
    const k = KIND_LINE.exec(line);
    if (k && sawLinkLine && !NOT_KINDS.has(k[1]!)) {
      const kind = k[1]!;
      const w = words(k[2] ?? '');
      current.linkinfo ??= {};
      if (kind.endsWith('_slave')) current.linkinfo.info_slave_kind = kind.slice(0, -'_slave'.length);
      else {
        current.linkinfo.info_kind = kind;
        const data: Record<string, unknown> = {};
        if (kind === 'vlan') {
          if (w.has('id')) data.id = Number(w.get('id'));
          if (w.has('protocol')) data.protocol = w.get('protocol');
        }
        if (kind === 'bridge' && w.has('vlan_filtering')) data.vlan_filtering = Number(w.get('vlan_filtering'));
        if (kind === 'vxlan' && w.has('id')) data.id = Number(w.get('id'));
        if (Object.keys(data).length > 0) current.linkinfo.info_data = data;
      }
    }
  }
  return links;
}

/** `ip -j -d link` and `ip -j -d addr` JSON from one `ip -d address` text. */
export function ipJsonFromAddressText(text: string): { link: string; addr: string } {
  const links = parseIpAddressText(text);
  const link = links.map(({ addr_info: _a, ...rest }) => rest);
  return { link: `${JSON.stringify(link)}\n`, addr: `${JSON.stringify(links)}\n` };
}
