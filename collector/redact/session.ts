// One run's redaction settings and key. The key lives only in this object: placeholders and pseudonyms
// are stable within the run (one bundle) and cannot be linked across runs.
import { RedactionKey } from './placeholder.js';
import { Pseudonymizer, type PseudonymKind } from './pseudonymize.js';
import { countsRecord, TextRedactor } from './secrets.js';
import { isBinaryEntry, slices, transformText } from './stream.js';
import type { UserRules } from './user-rules.js';

export interface RedactionSettings {
  /** Text redaction of secrets (on unless --no-redact). */
  redact: boolean;
  /** --redact-rules, already loaded and validated. */
  rules: UserRules | null;
  /** --pseudonymize kinds; empty for none. */
  pseudonymize: PseudonymKind[];
  /** --map-out: where the reverse mapping goes (mode 0600); null to keep it nowhere. */
  mapOut: string | null;
}

export const DEFAULT_REDACTION: RedactionSettings = { redact: true, rules: null, pseudonymize: [], mapOut: null };

/** What ItemStore needs: each item's bytes in, the stored bytes and removal counts out. */
export interface ItemFilter {
  filter(path: string, data: Buffer): { chunks: AsyncIterable<Buffer>; counts(): Record<string, number> };
}

export class RedactionSession implements ItemFilter {
  constructor(
    readonly settings: RedactionSettings,
    readonly key: RedactionKey = RedactionKey.random(),
  ) {}

  textRedactor(): TextRedactor | null {
    return this.settings.redact ? new TextRedactor(this.key, this.settings.rules) : null;
  }

  pseudonymizer(hostnames: Iterable<string>): Pseudonymizer | null {
    return this.settings.pseudonymize.length > 0 ? new Pseudonymizer(this.key, this.settings.pseudonymize, hostnames) : null;
  }

  filter(path: string, data: Buffer): { chunks: AsyncIterable<Buffer>; counts(): Record<string, number> } {
    const redactor = isBinaryEntry(path) ? null : this.textRedactor();
    if (redactor === null) return { chunks: slices(data), counts: () => ({}) };
    return { chunks: transformText(slices(data), redactor, null), counts: () => countsRecord(redactor.counts) };
  }

  /** Redacts one manifest string (stderr, source, note); counts go to `into`. */
  redactString(value: string, into: Map<string, number>): string {
    const redactor = this.textRedactor();
    if (redactor === null) return value;
    const text = Buffer.from(value, 'utf8').toString('latin1');
    const out = redactor.block(text) + redactor.end();
    for (const [k, v] of redactor.counts) into.set(k, (into.get(k) ?? 0) + v);
    return Buffer.from(out, 'latin1').toString('utf8');
  }
}
