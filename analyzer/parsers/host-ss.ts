// Listening sockets from `ss -ltnp` (also with -u/-a, -H, or a Netid column). The header's last two columns
// run together on real output ("Peer Address:PortProcess"), so columns are found by position, not by header.

import { splitLines } from './common.js';

export interface SocketProcess {
  name: string;
  pid: number;
  fd?: number;
}

export interface Listener {
  proto: string;
  state: string;
  /** Address without brackets or `%iface` zone; `*`, `0.0.0.0` and `::` mean every address. */
  address: string;
  port: number;
  /** Interface the socket is bound to (`127.0.0.53%lo:53`, `[fe80::1]%vmbr0:22`). */
  boundInterface?: string;
  wildcard: boolean;
  processes: SocketProcess[];
  line: number;
}

export interface SsFacts {
  listeners: Listener[];
}

const STATES = new Set(['LISTEN', 'UNCONN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSING', 'CLOSED']);
const USER = /\("((?:[^"\\]|\\.)*)",pid=(\d+)(?:,fd=(\d+))?\)/g;

export function parseSs(text: string): SsFacts {
  const listeners: Listener[] = [];
  splitLines(text).forEach((raw, index) => {
    const tokens = raw.trim().split(/\s+/);
    let i = 0;
    let proto = 'tcp';
    if (tokens[0] !== undefined && !STATES.has(tokens[0]) && STATES.has(tokens[1] ?? '')) {
      proto = tokens[0];
      i = 1;
    }
    const state = tokens[i];
    if (state === undefined || !STATES.has(state)) return;
    const local = tokens[i + 3];
    if (local === undefined || !/^\d+$/.test(tokens[i + 1] ?? '') || !/^\d+$/.test(tokens[i + 2] ?? '')) return;
    const endpoint = parseEndpoint(local);
    if (!endpoint) return;
    const processText = tokens.slice(i + 5).join(' ');
    const processes: SocketProcess[] = [];
    for (const m of processText.matchAll(USER)) {
      processes.push({ name: m[1]!.replace(/\\(.)/g, '$1'), pid: Number(m[2]), ...(m[3] !== undefined ? { fd: Number(m[3]) } : {}) });
    }
    listeners.push({ proto, state, ...endpoint, processes, line: index + 1 });
  });
  return { listeners };
}

function parseEndpoint(text: string): Pick<Listener, 'address' | 'port' | 'boundInterface' | 'wildcard'> | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const portText = text.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  let host = text.slice(0, colon);
  let boundInterface: string | undefined;
  const zone = /^(.*?)%([^\]%]+)$/.exec(host) ?? /^\[(.*?)%([^\]]+)\]$/.exec(host);
  if (zone) {
    host = zone[1]!;
    boundInterface = zone[2]!;
  }
  const address = host.replace(/^\[|\]$/g, '');
  return {
    address,
    port: Number(portText),
    ...(boundInterface !== undefined ? { boundInterface } : {}),
    wildcard: address === '*' || address === '0.0.0.0' || address === '::',
  };
}
