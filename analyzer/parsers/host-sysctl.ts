// `sysctl -a` / `sysctl net.* vm.swappiness` output: `key = value` (procps) or `key=value` (busybox, -N forms).
// Error lines that slipped in from stderr ("sysctl: permission denied on key ...") are kept apart so a rule
// can tell "value is 0" from "value could not be read".

import { splitLines } from './common.js';

export interface SysctlValue {
  value: string;
  line: number;
}

export interface SysctlFacts {
  /** Keys as printed (dots; an interface name containing a dot appears with `/`, e.g. `vmbr0/20`). */
  values: Record<string, SysctlValue>;
  errors: { text: string; line: number }[];
}

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.\/:@+-]*$/;

export function parseSysctl(text: string): SysctlFacts {
  // A null prototype keeps keys like `constructor` from colliding with Object.prototype.
  const values: Record<string, SysctlValue> = Object.create(null) as Record<string, SysctlValue>;
  const errors: SysctlFacts['errors'] = [];
  splitLines(text).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (/^sysctl:/.test(trimmed)) {
      errors.push({ text: trimmed, line });
      return;
    }
    const eq = trimmed.indexOf('=');
    if (eq <= 0) return;
    const key = trimmed.slice(0, eq).trim();
    if (!KEY.test(key)) return;
    values[key] = { value: trimmed.slice(eq + 1).trim(), line };
  });
  return { values, errors };
}

/** The value as an integer, or undefined when absent or not a single integer (tab-separated vectors are not). */
export function sysctlInt(facts: SysctlFacts, key: string): number | undefined {
  const value = facts.values[key]?.value;
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
}
