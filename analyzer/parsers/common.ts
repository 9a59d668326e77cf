// Shared contract of parsers: pure functions from one artifact's text (or bytes) to typed facts.
// No fs, no clock: the collection time arrives in the context when a parser needs "now" or a year.

export interface ParseContext {
  /** The bundle's collection time; the only "now" a parser may use (e.g. to infer a missing year). */
  collectedAt: Date;
  /** Bundle-relative path of the artifact, for messages. */
  path: string;
}

/** The artifact is not what its name promises (not JSON, not a pcap, ...). Lines are 1-based. */
export class ParseError extends Error {
  override name = 'ParseError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined ? `line ${line}: ${message}` : message);
  }
}

/** Splits text into lines without the trailing empty line a final newline leaves. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
