// Placeholder for the reader's interface; the implementation replaces the body of this file.
import type { Manifest } from './manifest.js';

export interface ReaderLimits {
  /** Largest single entry a caller may buffer with text()/bytes(). */
  maxEntryBytes: number;
  /** Decompressed bytes in the whole bundle before it is treated as a bomb. */
  maxTotalBytes: number;
  maxEntries: number;
}

export interface BundleEntry {
  /** Path relative to the bundle root folder, `/`-separated, normalized. */
  readonly path: string;
  readonly size: number;
  /** Whole content as UTF-8; throws EntryTooLargeError above the limit. */
  text(): Promise<string>;
  bytes(): Promise<Buffer>;
  /** Streams lines (without the newline); memory stays bounded whatever the entry size. */
  lines(): AsyncIterable<string>;
}

export interface EntryProblem {
  path: string;
  problem: string;
}

export interface ReadSummary {
  /** sha256 of the .tar.gz file; null for a directory or an in-memory bundle. */
  sha256: string | null;
  entries: number;
  /** Entries that were refused (unsafe name, link, device, duplicate, over the size cap). */
  problems: EntryProblem[];
}

export interface OpenedBundle {
  readonly kind: 'tar.gz' | 'directory' | 'memory';
  /** Name of the root folder (`labsnap-<cluster>-<timestamp>`), or of the directory. */
  readonly rootName: string;
  readonly manifest: Manifest;
  /** One pass over every entry but the manifest, in stored order; visit is awaited before the next. */
  forEachEntry(visit: (entry: BundleEntry) => Promise<void>): Promise<ReadSummary>;
}
