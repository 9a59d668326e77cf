// Which parser reads which artifact. The one table that ties bundle paths (through classifyPath) to
// parsers; the model reads parser output back by path.
import type { ArtifactRef } from '../../bundle/layout.js';
import { HOST_CMD, HOST_FILE } from '../../bundle/layout.js';
import type { ParseContext } from '../parsers/common.js';
import { parseSwap } from '../parsers/host-swap.js';

export interface Route {
  /** A short name for messages and tests. */
  name: string;
  matches(ref: ArtifactRef): boolean;
  /** Binary artifacts (pcap) get bytes; everything else text. */
  binary?: boolean;
  parse(input: string | Uint8Array, ctx: ParseContext): unknown;
}

const hostCmd = (name: string) => (ref: ArtifactRef) => ref.area === 'host-cmd' && ref.name === name;
const hostFile = (file: string) => (ref: ArtifactRef) => ref.area === 'host-file' && ref.file === file;
const text = (fn: (text: string, ctx: ParseContext) => unknown) => (input: string | Uint8Array, ctx: ParseContext) => fn(input as string, ctx);

export const ROUTES: Route[] = [
  { name: 'swapon', matches: hostCmd(HOST_CMD.swapon), parse: text(parseSwap) },
  { name: 'proc-swaps', matches: hostFile(HOST_FILE.procSwaps), parse: text(parseSwap) },
];

export function routeFor(ref: ArtifactRef): Route | undefined {
  return ROUTES.find((r) => r.matches(ref));
}
