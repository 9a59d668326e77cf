// Types of manifest.json (schemas/manifest.schema.json is the contract; these mirror it).

export type HostRole = 'proxmox' | 'control-plane' | 'worker';
export type ItemKind = 'command' | 'file' | 'kube' | 'capture' | 'attachment';
export type ItemStatus = 'ok' | 'failed' | 'timeout' | 'not-found' | 'permission-denied' | 'skipped';

export interface HostRecord {
  name: string;
  address: string;
  roles: HostRole[];
  reached: boolean;
  error?: string | null;
  hostKeyFingerprint?: string | null;
  /** Host clock minus the collector's clock at collection, in ms. */
  clockOffsetMs?: number | null;
  /**
   * How commands reached the host: `batch` (one `sh -s` on one SSH channel ran every item), `per-item`
   * (a channel and login shell per item), `local` (this machine). Absent in bundles of older versions.
   */
  collection?: 'batch' | 'per-item' | 'local' | null;
  /** Why the batch could not start or ended early. */
  collectionNote?: string | null;
}

export interface ItemRecord {
  path: string;
  host?: string | null;
  kind: ItemKind;
  /** The command line run, or the file path read, on the host. */
  source: string;
  status: ItemStatus;
  exitCode?: number | null;
  /** First 4 KiB of stderr, or the reason an item could not be collected. */
  stderr?: string | null;
  startedAt?: string | null;
  durationMs?: number | null;
  bytes?: number | null;
  sha256?: string | null;
  truncated?: boolean;
  /** Values removed per redactor name; never the values themselves. */
  redactions?: Record<string, number>;
  /**
   * Attachments only: how `host` was decided. `given` by the user (`--attach cp1:FILE`), `inferred` because
   * the content names exactly one inventory host. Absent when the attachment belongs to no host.
   */
  hostAttribution?: 'given' | 'inferred';
  /** For an inferred host: what in the content named it. */
  hostAttributionReason?: string;
  /** Attachments only: added to an existing bundle by `labsnap attach`, after the collection. */
  addedLater?: boolean;
}

export interface ArpProbeRecord {
  host: string;
  interface: string;
  targets: string[];
  tool?: string | null;
  seconds?: number;
  /** Why no probe was sent (no arping or ping, sudo refused, interrupted). */
  error?: string | null;
}

export interface Manifest {
  format: 'labsnap-bundle';
  formatVersion: number;
  tool: { name: string; version: string };
  cluster: string;
  collectedAt: string;
  finishedAt: string;
  note?: string | null;
  commandLine: string[];
  mode?: 'ssh' | 'local' | 'synthetic' | 'imported';
  hosts: HostRecord[];
  items: ItemRecord[];
  arpProbes?: ArpProbeRecord[];
  redaction?: { enabled: boolean; pseudonymized?: string[] };
  /** For `mode: imported`: the inputs another tool wrote, and which part of the bundle each one filled. */
  imported?: ImportedInput[];
  interrupted: boolean;
}

export interface ImportedInput {
  kind: 'troubleshoot' | 'cluster-info-dump' | 'sosreport';
  /** File or folder name of the input (no directories of the importing machine). */
  input: string;
  /** Whether the input filled cluster/ (a sos report covers one host only). */
  cluster: boolean;
  /** Hosts under hosts/ that came from this input. */
  hosts: string[];
}

export const STDERR_LIMIT = 4096;
