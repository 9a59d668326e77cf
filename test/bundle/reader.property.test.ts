// Whatever bytes arrive, the reader either reads them or throws InputError: no other exception, no hang,
// and nothing written anywhere.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InputError } from '../../common/errors.js';
import { openBundle } from '../../bundle/reader.js';
import { gz, ROOT, tarOf, tempDir, validEntries, type TempDir } from './helpers.js';

type Mode = 'text' | 'bytes' | 'lines' | 'skip' | 'lines-then-stop';
const MODES: Mode[] = ['text', 'bytes', 'lines', 'skip', 'lines-then-stop'];
const RUN_TIMEOUT_MS = 10_000;

let tmp: TempDir;
let casePath: string;
let cwdBefore: string[];

beforeAll(async () => {
  tmp = await tempDir();
  casePath = join(tmp.path, 'case.bin');
  cwdBefore = (await readdir(process.cwd())).sort();
});

afterAll(async () => {
  // The reader must not have extracted or created anything: next to the bundle, or where it ran.
  expect(await readdir(tmp.path)).toEqual(['case.bin']);
  expect((await readdir(process.cwd())).sort()).toEqual(cwdBefore);
  await tmp.remove();
});

async function readWith(data: Uint8Array, mode: Mode): Promise<'read' | 'refused'> {
  await writeFile(casePath, data);
  const attempt = (async () => {
    try {
      // Small caps keep mutated size fields (up to 8 GiB) from turning a run into minutes of skipping.
      const bundle = await openBundle(casePath, { maxTotalBytes: 16 * 1024 * 1024, maxEntries: 1000 });
      await bundle.forEachEntry(async (entry) => {
        if (mode === 'text') await entry.text();
        else if (mode === 'bytes') await entry.bytes();
        else if (mode === 'lines') for await (const _line of entry.lines());
        else if (mode === 'lines-then-stop') for await (const _line of entry.lines()) break;
      });
      return 'read' as const;
    } catch (err) {
      if (err instanceof InputError) return 'refused' as const;
      throw err;
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`reader hung on ${data.length} bytes (mode ${mode})`)), RUN_TIMEOUT_MS);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const validTar = tarOf([
  { name: `${ROOT}/`, type: 'Directory' },
  ...validEntries(),
  { name: `${ROOT}/cluster/logs/kube-system/${'p'.repeat(150)}/c.log`, content: 'E0416 22:26:30.150357 1 kubelet.go:2373] "msg"\n'.repeat(40) },
  { name: `${ROOT}/hosts/cp1/link`, type: 'SymbolicLink', linkpath: '../../..' },
]);
const validGz = gz(validTar);

const mode = fc.constantFrom(...MODES);

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
);

function mutate(base: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(base);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip' && out.length > 0) out[at] = m.value;
    else if (m.kind === 'truncate') out = out.subarray(0, at);
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
  }
  return out;
}

it('a valid bundle is read in every mode (the properties below start from it)', async () => {
  for (const m of MODES) {
    await writeFile(casePath, validGz);
    expect(await readWith(validGz, m)).toBe('read');
  }
});

it('random bytes, with or without a gzip or tar-looking start, are read or refused with InputError', async () => {
  const prefix = fc.constantFrom(Buffer.alloc(0), Buffer.from([0x1f, 0x8b, 0x08, 0x00]), validTar.subarray(0, 512));
  await fc.assert(
    fc.asyncProperty(prefix, fc.uint8Array({ maxLength: 4096 }), mode, async (start, rest, m) => {
      expect(['read', 'refused']).toContain(await readWith(Buffer.concat([start, rest]), m));
    }),
    { numRuns: 150 },
  );
});

it('a mutated tar (plain or re-compressed) is read or refused with InputError', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), mode, async (mutations, compress, m) => {
      const tarBytes = mutate(validTar, mutations);
      expect(['read', 'refused']).toContain(await readWith(compress ? gz(tarBytes) : tarBytes, m));
    }),
    { numRuns: 300 },
  );
});

it('a mutated .tar.gz is read or refused with InputError', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), mode, async (mutations, m) => {
      expect(['read', 'refused']).toContain(await readWith(mutate(validGz, mutations), m));
    }),
    { numRuns: 200 },
  );
});
