// `--redact-rules FILE`: the user's own regexes and keywords, validated like every other file we accept
// (schema errors name the file, line and field).
import { readFile } from 'node:fs/promises';
import schema from '../../schemas/redact-rules.schema.json' with { type: 'json' };
import { UsageError, errorMessage } from '../../common/errors.js';
import { formatProblem, validateAgainst } from '../../common/schema.js';
import { YamlSyntaxError, loadYamlLocated } from '../../common/yaml.js';
import { PLACEHOLDER_PREFIX } from './placeholder.js';

interface RuleFile {
  rules?: Array<{ name: string; regex: string; group?: number; ignoreCase?: boolean }>;
  keywords?: string[];
}

interface CompiledRule {
  name: string;
  re: RegExp;
  group: number | null;
}

export const KEYWORD_REDACTOR = 'keyword';

export class UserRules {
  private constructor(
    private readonly rules: CompiledRule[],
    private readonly keywords: RegExp | null,
  ) {}

  /** Parses and validates a rule file's text; `file` is used in messages. */
  static parse(text: string, file: string): UserRules {
    let located;
    try {
      located = loadYamlLocated(text, file);
    } catch (err) {
      if (err instanceof YamlSyntaxError) throw new UsageError(err.message);
      throw err;
    }
    const problems = validateAgainst(schema, located.value ?? {}, file, located);
    if (problems.length > 0) throw new UsageError(`invalid redaction rules:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    const value = (located.value ?? {}) as RuleFile;
    const rules: CompiledRule[] = [];
    (value.rules ?? []).forEach((r, i) => {
      const where = `${file}:${located.lineOf(`/rules/${i}/regex`) ?? '?'}: rules/${i}/regex`;
      let re: RegExp;
      try {
        re = new RegExp(r.regex, r.ignoreCase ? 'gi' : 'g');
      } catch (err) {
        throw new UsageError(`${where}: not a valid regular expression: ${errorMessage(err)}`);
      }
      // An empty match would replace nothing and loop forever in a scanner; refuse it up front.
      if (re.test('')) throw new UsageError(`${where}: the expression matches the empty string; it would redact nothing`);
      const groups = new RegExp(`${r.regex}|`).exec('')!.length - 1;
      if (r.group !== undefined && r.group > groups) {
        throw new UsageError(`${file}:${located.lineOf(`/rules/${i}/group`) ?? '?'}: rules/${i}/group: the expression has ${groups} capture group(s), not ${r.group}`);
      }
      rules.push({ name: r.name, re, group: r.group ?? null });
    });
    // Text is scanned as latin1 (one char per byte), so a keyword is matched by its UTF-8 bytes.
    const words = (value.keywords ?? []).map((k) => Buffer.from(k, 'utf8').toString('latin1').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const keywords = words.length > 0 ? new RegExp(words.sort((a, b) => b.length - a.length).join('|'), 'gi') : null;
    return new UserRules(rules, keywords);
  }

  static async load(file: string, shownAs: string = file): Promise<UserRules> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--redact-rules ${shownAs}: cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
    return UserRules.parse(text, shownAs);
  }

  /** Applies every rule to a latin1 block; `replace` makes (and counts) the placeholder. */
  apply(text: string, replace: (kind: string, secret: string) => string): string {
    let out = text;
    for (const r of this.rules) {
      r.re.lastIndex = 0;
      out = out.replace(r.re, (...args: unknown[]) => {
        const all = args[0] as string;
        if (all.includes(PLACEHOLDER_PREFIX)) return all;
        if (r.group === null) return replace(r.name, all);
        const part = args[r.group] as string | undefined;
        if (part === undefined || part.length === 0) return all;
        // Replace the group where it sits in the match; indices are not available without the d flag.
        const at = all.indexOf(part);
        return `${all.slice(0, at)}${replace(r.name, part)}${all.slice(at + part.length)}`;
      });
    }
    if (this.keywords) out = out.replace(this.keywords, (m) => replace(KEYWORD_REDACTOR, m.toLowerCase()));
    return out;
  }
}
