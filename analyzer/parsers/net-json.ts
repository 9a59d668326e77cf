// Shared by the `ip -j` and `bridge -j` parsers: JSON text to a value, with the failing line named.

import { ParseError } from './common.js';

/** Parses JSON; on failure throws ParseError with the 1-based line of the offending position when known. */
export function parseJsonText(text: string, what: string): unknown {
  if (text.trim() === '') throw new ParseError(`${what}: empty output, expected JSON`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ParseError(`${what}: invalid JSON (${message})`, lineOfError(text, message));
  }
}

// V8 reports "at position N" (Node 20) and sometimes "(line L column C)" (Node 22+).
function lineOfError(text: string, message: string): number | undefined {
  const explicit = /line (\d+) column \d+/.exec(message);
  if (explicit) return Number(explicit[1]);
  const position = /position (\d+)/.exec(message);
  if (!position) return undefined;
  const upTo = text.slice(0, Number(position[1]));
  return upTo.split('\n').length;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** iproute2 prints booleans as true/false in newer versions and 0/1 in older ones. */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  return undefined;
}

export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** RFC 6901 pointer for an array index path, e.g. pointer(3, 'addr_info', 0) → `/3/addr_info/0`. */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Drops undefined members so facts compare and serialize without `key: undefined` noise. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
