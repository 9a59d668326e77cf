import fc from 'fast-check';
import { expect } from 'vitest';
import { ParseError, type ParseContext } from '../../../analyzer/parsers/common.js';

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

/** Random text and realistic samples with random edits: the parser returns or throws ParseError, fast. */
export function checkRobust(parse: (text: string) => unknown, samples: readonly string[], numRuns = 300): void {
  const sampled = fc.tuple(fc.constantFrom(...samples), edits).map(([text, list]) => applyEdits(text, list));
  const lineShuffle = fc.tuple(fc.constantFrom(...samples), fc.array(fc.nat(), { maxLength: 20 })).map(([text, picks]) => {
    const lines = text.split('\n');
    return picks.map((pick) => lines[pick % lines.length]).join('\n');
  });
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), sampled, lineShuffle), (text) => {
      const started = performance.now();
      try {
        parse(text);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
      expect(performance.now() - started).toBeLessThan(500);
    }),
    { numRuns },
  );
}

/** A long hostile line must be handled in linear-ish time. */
export function checkNoBlowup(parse: (text: string) => unknown, hostile: readonly string[]): void {
  for (const text of hostile) {
    const started = performance.now();
    try {
      parse(text);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
    }
    expect(performance.now() - started).toBeLessThan(1500);
  }
}
