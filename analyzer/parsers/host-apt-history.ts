// `/var/log/apt/history.log`: blank-line separated transactions of `Key: value` lines. Times are the host's
// local time without a zone, so `start`/`end` are ISO local date-times (no `Z`); the model pairs them with
// the host's timezone before merging them into the UTC timeline.

import { splitLines } from './common.js';

export interface AptPackage {
  name: string;
  arch?: string;
  /** The installed/removed version; for upgrades and downgrades, the new version. */
  version?: string;
  /** Upgrades and downgrades: the version before. */
  fromVersion?: string;
  /** Pulled in as a dependency rather than requested. */
  automatic: boolean;
}

export type AptAction = 'install' | 'upgrade' | 'downgrade' | 'remove' | 'purge' | 'reinstall';

export interface AptHistoryEntry {
  /** ISO local date-time, e.g. `2024-11-20T10:15:01`. */
  start?: string;
  end?: string;
  commandLine?: string;
  requestedBy?: string;
  packages: Record<AptAction, AptPackage[]>;
  error?: string;
  /** Line of the entry's first line (normally `Start-Date`). */
  line: number;
}

export interface AptHistoryFacts {
  entries: AptHistoryEntry[];
}

const ACTIONS: Record<string, AptAction> = {
  Install: 'install',
  Upgrade: 'upgrade',
  Downgrade: 'downgrade',
  Remove: 'remove',
  Purge: 'purge',
  Reinstall: 'reinstall',
};

const PACKAGE = /([^\s,()]+) \(([^)]*)\)/g;

export function parseAptHistory(text: string): AptHistoryFacts {
  const entries: AptHistoryEntry[] = [];
  let current: AptHistoryEntry | undefined;
  splitLines(text).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      current = undefined;
      return;
    }
    const kv = /^([A-Za-z-]+):\s?(.*)$/.exec(raw);
    if (!kv) return;
    const [, key, value] = kv as unknown as [string, string, string];
    // A Start-Date opens a new entry even when the blank separator was lost (rotated or concatenated logs).
    if (!current || (key === 'Start-Date' && current.start !== undefined)) {
      current = { packages: { install: [], upgrade: [], downgrade: [], remove: [], purge: [], reinstall: [] }, line };
      entries.push(current);
    }
    const action = ACTIONS[key];
    if (action) {
      current.packages[action].push(...parsePackages(value, action));
      return;
    }
    switch (key) {
      case 'Start-Date':
        assignDate(current, 'start', value);
        break;
      case 'End-Date':
        assignDate(current, 'end', value);
        break;
      case 'Commandline':
        current.commandLine = value.trim();
        break;
      case 'Requested-By':
        current.requestedBy = value.trim();
        break;
      case 'Error':
        current.error = value.trim();
        break;
      default:
        break;
    }
  });
  return { entries };
}

function assignDate(entry: AptHistoryEntry, field: 'start' | 'end', value: string): void {
  const m = /^(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2})$/.exec(value.trim());
  if (m) entry[field] = `${m[1]}T${m[2]}`;
}

function parsePackages(text: string, action: AptAction): AptPackage[] {
  const packages: AptPackage[] = [];
  for (const m of text.matchAll(PACKAGE)) {
    const [name, arch] = splitArch(m[1]!);
    const parts = m[2]!.split(',').map((p) => p.trim());
    const automatic = parts.includes('automatic');
    const versions = parts.filter((p) => p !== 'automatic' && p !== '');
    const changesVersion = action === 'upgrade' || action === 'downgrade';
    const version = changesVersion && versions.length >= 2 ? versions[1] : versions[0];
    const fromVersion = changesVersion && versions.length >= 2 ? versions[0] : undefined;
    packages.push({
      name,
      ...(arch !== undefined ? { arch } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(fromVersion !== undefined ? { fromVersion } : {}),
      automatic,
    });
  }
  return packages;
}

function splitArch(token: string): [string, string | undefined] {
  const colon = token.lastIndexOf(':');
  return colon > 0 ? [token.slice(0, colon), token.slice(colon + 1)] : [token, undefined];
}
