// Loaded kernel modules from `lsmod` or `/proc/modules` (the same data; lsmod adds a header and drops the
// state/address columns). Built-in modules appear in neither, so absence here is not proof of absence.

import { splitLines } from './common.js';

export interface KernelModule {
  name: string;
  size: number;
  useCount: number;
  /** Modules that depend on this one; `[permanent]` and `-` markers are dropped. */
  usedBy: string[];
  /** `/proc/modules` only: Live, Loading or Unloading. */
  state?: string;
  line: number;
}

export interface LsmodFacts {
  modules: KernelModule[];
}

const ROW = /^(\S+)\s+(\d+)\s+(-?\d+)(?:\s+(.*))?$/;

export function parseLsmod(text: string): LsmodFacts {
  const modules: KernelModule[] = [];
  splitLines(text).forEach((raw, index) => {
    const match = ROW.exec(raw.trim());
    if (!match) return;
    const [, name, size, count, rest = ''] = match as unknown as [string, string, string, string, string | undefined];
    const tokens = rest.split(/\s+/).filter((t) => t !== '');
    // /proc/modules: "<deps|-> <state> <address>" with deps comma-terminated; lsmod: "<deps comma-separated>".
    const procState = tokens.length >= 2 && /^(Live|Loading|Unloading)$/.test(tokens[1]!) ? tokens[1] : undefined;
    const depsField = procState !== undefined ? tokens[0]! : tokens.join(' ');
    const usedBy = depsField
      .split(/[,\s]+/)
      .filter((d) => d !== '' && d !== '-' && d !== '[permanent]');
    modules.push({
      name,
      size: Number(size),
      useCount: Number(count),
      usedBy,
      ...(procState !== undefined ? { state: procState } : {}),
      line: index + 1,
    });
  });
  return { modules };
}

/** The kernel treats `-` and `_` in module names alike (`br-netfilter` loads `br_netfilter`). */
export function findModule(facts: LsmodFacts, name: string): KernelModule | undefined {
  const wanted = name.replace(/-/g, '_');
  return facts.modules.find((m) => m.name.replace(/-/g, '_') === wanted);
}
