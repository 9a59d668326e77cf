// blocks() must carry exactly the text lines() does, whatever the chunking: never cutting a UTF-8
// character or a line, and cutting (and reporting) only lines over the limit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../bundle/reader.js';
import { StreamedEntry } from '../../bundle/reader-entry.js';
import type { EntryProblem } from '../../bundle/reader.js';

function entry(content: Buffer, cuts: number[], maxLineBytes = DEFAULT_LIMITS.maxLineBytes, problems: EntryProblem[] = []): StreamedEntry {
  const source = async function* () {
    let at = 0;
    for (const cut of [...cuts.filter((c) => c > 0 && c < content.length)].sort((a, b) => a - b)) {
      yield content.subarray(at, cut);
      at = cut;
    }
    yield content.subarray(at);
  };
  return new StreamedEntry('hosts/w1/cmd/journal-kubelet.log', content.length, source, { ...DEFAULT_LIMITS, maxLineBytes }, (p) => problems.push(p));
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('entry blocks', () => {
  it('yields whole lines only, and the same text as lines()', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 30 }), fc.array(fc.nat(400), { maxLength: 8 }), async (lines, cuts) => {
        const text = lines.map((l) => l.replace(/[\r\n]/g, '')).join('\n');
        const content = Buffer.from(text, 'utf8');
        const blocks = await collect(entry(content, cuts).blocks());
        for (const b of blocks) expect(b.endsWith('\n')).toBe(true);
        const viaLines = await collect(entry(content, cuts).lines());
        expect(blocks.join('')).toBe(viaLines.map((l) => `${l}\n`).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('cuts a line longer than the limit and says so, then goes on', async () => {
    const problems: EntryProblem[] = [];
    const long = 'x'.repeat(5000);
    const content = Buffer.from(`first\n${long}\nlast\n`);
    const blocks = await collect(entry(content, [10, 100, 2000, 4000], 1024, problems).blocks());
    const text = blocks.join('');
    expect(text.startsWith('first\n')).toBe(true);
    expect(text.endsWith('last\n')).toBe(true);
    expect(text).not.toContain(long);
    expect(problems.map((p) => p.problem)).toEqual([expect.stringContaining('longer than')]);
  });
});
