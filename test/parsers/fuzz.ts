import fc from 'fast-check';
import { ParseError, type ParseContext } from '../../analyzer/parsers/common.js';

export const ctx: ParseContext = { collectedAt: new Date('2026-11-27T01:30:00Z'), path: 'nodes/cp1/test.txt' };

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

const fragments = fc.constantFrom(
  '"', '\\', '\\"', '=', ' ', '  ', '\t', '\n', ':', ': ', '[', ']', '{', '}', '-----', '---\n', '#', "'", '"""',
  '月', '●', 'É', '\u0000', '<none>', '<invalid>', 'key=', ' --', '-- ', '12', '2026-', 'T10:00:00', '\r\n',
);

const edits = fc.array(
  fc.record({
    at: fc.nat(),
    remove: fc.nat({ max: 40 }),
    insert: fc.oneof(fc.string({ maxLength: 12 }), fragments),
  }),
  { maxLength: 8 },
);

function applyEdits(text: string, list: Edit[]): string {
  let out = text;
  for (const edit of list) {
    const at = out.length === 0 ? 0 : edit.at % (out.length + 1);
    out = out.slice(0, at) + edit.insert + out.slice(at + edit.remove);
  }
  return out;
}

/**
 * Random text and realistic samples with random edits: the parser returns or throws ParseError. A hang
 * fails on the test timeout; speed belongs in benchmarks, not here.
 */
export function checkRobust(parse: (text: string) => unknown, samples: readonly string[], numRuns = 300): void {
  const sampled = fc.tuple(fc.constantFrom(...samples), edits).map(([text, list]) => applyEdits(text, list));
  const lineShuffle = fc.tuple(fc.constantFrom(...samples), fc.array(fc.nat(), { maxLength: 20 })).map(([text, picks]) => {
    const lines = text.split('\n');
    return picks.map((pick) => lines[pick % lines.length]).join('\n');
  });
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), sampled, lineShuffle), (text) => {
      try {
        parse(text);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    }),
    { numRuns },
  );
}

/**
 * Hostile inputs blown up to about 2 MB each: a linear parser reads them in well under a second, a
 * quadratic one (backtracking regexes, repeated slicing) would run for hours and fails on the test
 * timeout. No clock is read.
 */
export function checkNoBlowup(parse: (text: string) => unknown, hostile: readonly string[]): void {
  for (const text of hostile) {
    const big = text.length >= 2_000_000 ? text : text.repeat(Math.ceil(2_000_000 / Math.max(1, text.length)));
    try {
      parse(big);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
    }
  }
}
