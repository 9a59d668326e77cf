// JSON Schema validation for every file format we accept (manifest, inventory, rules, cases, report,
// redaction rules). Errors name the file, the line when the source is YAML, and the field.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { LocatedYaml } from './yaml.js';
import { compareText } from './compare.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

const compiled = new Map<object, ValidateFunction>();

export interface SchemaProblem {
  file: string;
  line?: number;
  /** JSON pointer of the offending field ('' for the document). */
  pointer: string;
  message: string;
}

export function formatProblem(p: SchemaProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  const field = p.pointer === '' ? '(top level)' : p.pointer.slice(1);
  return `${where}: ${field}: ${p.message}`;
}

function describe(e: ErrorObject): { pointer: string; message: string } {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return { pointer: `${e.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
  if (e.keyword === 'additionalProperties')
    return { pointer: `${e.instancePath}/${String(params.additionalProperty)}`, message: 'is not a known field' };
  if (e.keyword === 'enum') return { pointer: e.instancePath, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
  return { pointer: e.instancePath, message: e.message ?? e.keyword };
}

/** Validates `value` against `schema`; returns problems (empty when valid), most specific first. */
export function validateAgainst(schema: object, value: unknown, file: string, located?: LocatedYaml): SchemaProblem[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const e of validate.errors ?? []) {
    // oneOf/anyOf summaries repeat what their branches said, less precisely.
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const { pointer, message } = describe(e);
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = located?.lineOf(pointer);
    problems.push({ file, pointer, message, ...(line !== undefined ? { line } : {}) });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || compareText(a.pointer, b.pointer));
}
