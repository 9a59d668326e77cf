// manifest.json is the one file that decides whether the rest is read at all, so it is checked first and
// every failure here is fatal.
import { InputError } from '../common/errors.js';
import { formatProblem, validateAgainst } from '../common/schema.js';
import manifestSchema from '../schemas/manifest.schema.json' with { type: 'json' };
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from './layout.js';
import type { Manifest } from './manifest.js';

const SHOWN_SCHEMA_PROBLEMS = 5;

/** `where` names the file for messages, e.g. `bundle.tar.gz: labsnap-x/manifest.json`. */
export function parseManifest(text: string, where: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: not valid JSON (${(err as Error).message}); the manifest is damaged`);
  }
  return checkManifest(value, where);
}

export function checkManifest(value: unknown, where: string): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${where}: expected a JSON object; this is not a labsnap manifest`);
  }
  const record = value as Record<string, unknown>;
  if (record.format !== BUNDLE_FORMAT) {
    throw new InputError(`${where}: format is ${JSON.stringify(record.format)}, not "${BUNDLE_FORMAT}"; this is not a labsnap bundle`);
  }
  const version = record.formatVersion;
  if (version === undefined) throw new InputError(`${where}: formatVersion is missing; cannot tell how to read this bundle`);
  // Checked before the schema: a newer format may legitimately fail this version's schema, and "upgrade"
  // is the useful message, not a list of unknown fields.
  if (typeof version === 'number' && Number.isInteger(version) && version > BUNDLE_FORMAT_VERSION) {
    const tool = record.tool as { version?: unknown } | undefined;
    const writer = typeof tool?.version === 'string' ? `labsnap ${tool.version}` : 'a newer labsnap';
    throw new InputError(
      `${where}: bundle format version ${version} was written by ${writer}; this labsnap reads format version ` +
        `${BUNDLE_FORMAT_VERSION} only. Upgrade labsnap to ${typeof tool?.version === 'string' ? `${tool.version} or later` : 'the latest version'}`,
    );
  }
  const problems = validateAgainst(manifestSchema, value, where);
  if (problems.length > 0) {
    const shown = problems.slice(0, SHOWN_SCHEMA_PROBLEMS).map(formatProblem);
    const more = problems.length > shown.length ? `\n  (${problems.length - shown.length} more)` : '';
    throw new InputError(`invalid bundle manifest:\n  ${shown.join('\n  ')}${more}`);
  }
  return value as Manifest;
}
