// Active swap from `swapon --show [--bytes] [--raw] [--noheadings]` or `/proc/swaps` (also `swapon -s`,
// which prints the /proc/swaps table). Sizes are normalized to bytes: swapon --bytes prints bytes,
// swapon without it prints binary-suffixed sizes (`2G`, `512M`, `0B`), /proc/swaps prints KiB.

import { splitLines } from './common.js';

export interface SwapEntry {
  /** Device or file; the `\x20` / `\040` escapes both tools use for spaces are decoded. */
  name: string;
  type: string;
  sizeBytes?: number;
  usedBytes?: number;
  priority?: number;
  line: number;
}

export interface SwapFacts {
  format: 'swapon' | 'proc-swaps' | 'empty';
  entries: SwapEntry[];
}

const SWAPON_DEFAULT_COLUMNS = ['NAME', 'TYPE', 'SIZE', 'USED', 'PRIO'];
const UNIT_POWER: Record<string, number> = { B: 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };

export function parseSwap(text: string): SwapFacts {
  const rows = splitLines(text)
    .map((raw, index) => ({ tokens: raw.trim().split(/\s+/).filter((t) => t !== ''), line: index + 1 }))
    .filter((r) => r.tokens.length > 0);
  const first = rows[0];
  if (!first) return { format: 'empty', entries: [] };
  const headerTokens = first.tokens.map((t) => t.toUpperCase());
  const isProcSwaps = headerTokens[0] === 'FILENAME';
  const hasHeader = isProcSwaps || headerTokens[0] === 'NAME' || headerTokens.includes('PRIO');
  const columns = hasHeader ? headerTokens : SWAPON_DEFAULT_COLUMNS;
  const sizeMultiplier = isProcSwaps ? 1024 : 1;
  const at = (tokens: string[], ...names: string[]): string | undefined => {
    const i = columns.findIndex((c) => names.includes(c));
    return i >= 0 ? tokens[i] : undefined;
  };
  const entries: SwapEntry[] = [];
  for (const row of hasHeader ? rows.slice(1) : rows) {
    const name = at(row.tokens, 'NAME', 'FILENAME');
    const type = at(row.tokens, 'TYPE');
    if (name === undefined || type === undefined) continue;
    const sizeBytes = toBytes(at(row.tokens, 'SIZE'), sizeMultiplier);
    const usedBytes = toBytes(at(row.tokens, 'USED'), sizeMultiplier);
    const priorityText = at(row.tokens, 'PRIO', 'PRIORITY');
    const priority = priorityText !== undefined && /^-?\d+$/.test(priorityText) ? Number(priorityText) : undefined;
    entries.push({
      name: decodeEscapes(name),
      type,
      ...(sizeBytes !== undefined ? { sizeBytes } : {}),
      ...(usedBytes !== undefined ? { usedBytes } : {}),
      ...(priority !== undefined ? { priority } : {}),
      line: row.line,
    });
  }
  return { format: isProcSwaps ? 'proc-swaps' : 'swapon', entries };
}

function toBytes(text: string | undefined, multiplier: number): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * multiplier;
  const human = /^(\d+(?:[.,]\d+)?)([BKMGTPE])(?:i?B)?$/i.exec(text);
  if (!human) return undefined;
  return Math.round(Number(human[1]!.replace(',', '.')) * 1024 ** UNIT_POWER[human[2]!.toUpperCase()]!);
}

function decodeEscapes(name: string): string {
  return name
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
