import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { InputError, InternalError } from '../../common/errors.js';
import { DEFAULT_LIMITS, EntryTooLargeError, missingItems, openBundle, openMemoryBundle } from '../../bundle/reader.js';
import { StreamedEntry } from '../../bundle/reader-entry.js';
import { END_OF_ARCHIVE, gz, manifest, manifestEntry, readAllText, ROOT, tarEntry, tarOf, tempDir, validEntries, type TempDir } from './helpers.js';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('tar.gz bundles', () => {
  it('reads the manifest, then every other entry in stored order, and hashes the file', async () => {
    const data = gz(tarOf(validEntries()));
    const file = await tmp.file('b.tar.gz', data);
    const bundle = await openBundle(file);
    expect(bundle.kind).toBe('tar.gz');
    expect(bundle.rootName).toBe(ROOT);
    expect(bundle.manifest.cluster).toBe('homelab');
    const { visited, summary } = await readAllText(bundle);
    expect(visited.map((v) => v.path)).toEqual(['cluster/nodes.json', 'hosts/cp1/cmd/swapon.txt', 'hosts/cp1/cmd/journal-kubelet.log']);
    expect(visited[0]!.text).toBe('{"kind":"List","items":[]}\n');
    expect(summary).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), entries: 3, problems: [] });
  });

  it('detects the format by content, not by file name', async () => {
    const file = await tmp.file('bundle.txt', gz(tarOf(validEntries())));
    expect((await openBundle(file)).kind).toBe('tar.gz');
  });

  it('reads a plain tar too', async () => {
    const data = tarOf(validEntries());
    const file = await tmp.file('b.tar', data);
    const bundle = await openBundle(file);
    expect(bundle.kind).toBe('tar');
    const { summary } = await readAllText(bundle);
    expect(summary.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(summary.entries).toBe(3);
  });

  it('reads an archive written by the tar package from a real folder (directory entries, pax names)', async () => {
    const src = join(tmp.path, 'src');
    const longName = `${'x'.repeat(120)}.log`;
    await mkdir(join(src, ROOT, 'cluster', 'logs', 'kube-system', 'pod'), { recursive: true });
    await writeFile(join(src, ROOT, 'manifest.json'), JSON.stringify(manifest()));
    await writeFile(join(src, ROOT, 'cluster', 'nodes.json'), '{}');
    await writeFile(join(src, ROOT, 'cluster', 'logs', 'kube-system', 'pod', longName), 'ünïcode\n');
    const file = join(tmp.path, 'b.tgz');
    await tar.c({ gzip: true, file, cwd: src, portable: true }, [ROOT]);
    const { visited } = await readAllText(await openBundle(file));
    expect(visited).toContainEqual({ path: `cluster/logs/kube-system/pod/${longName}`, text: 'ünïcode\n' });
    expect(visited.map((v) => v.path)).toContain('cluster/nodes.json');
  });

  it('finds a manifest stored after other entries, and still skips it when visiting', async () => {
    const [m, ...rest] = validEntries();
    const file = await tmp.file('b.tar.gz', gz(tarOf([{ name: `${ROOT}/`, type: 'Directory' }, ...rest, m!])));
    const bundle = await openBundle(file);
    expect(bundle.manifest.cluster).toBe('homelab');
    const { visited, summary } = await readAllText(bundle);
    expect(visited.map((v) => v.path)).not.toContain('manifest.json');
    expect(summary).toMatchObject({ entries: 3, problems: [] });
  });

  it('skips entries the visitor does not read and keeps the stream aligned', async () => {
    const big = 'y'.repeat(200_000);
    const file = await tmp.file(
      'b.tar.gz',
      gz(tarOf([manifestEntry(), { name: `${ROOT}/a.txt`, content: big }, { name: `${ROOT}/b.txt`, content: 'after the skipped one' }])),
    );
    const texts: string[] = [];
    await (await openBundle(file)).forEachEntry(async (entry) => {
      if (entry.path === 'a.txt') {
        for await (const line of entry.lines()) {
          expect(line.length).toBeGreaterThan(0);
          break;
        }
        return;
      }
      texts.push(await entry.text());
    });
    expect(texts).toEqual(['after the skipped one']);
  });

  it('propagates a visitor error and can be read again afterwards', async () => {
    const file = await tmp.file('b.tar.gz', gz(tarOf(validEntries())));
    const bundle = await openBundle(file);
    const err = await rejection(bundle.forEachEntry(async () => Promise.reject(new Error('rule blew up'))));
    expect(err.message).toBe('rule blew up');
    expect((await readAllText(bundle)).summary.entries).toBe(3);
  });
});

describe('hostile tar entries are refused one by one, the rest is read', () => {
  const hostile = [
    { spec: { name: '/etc/passwd', content: 'root:x:0:0' }, path: '/etc/passwd', problem: /absolute path/ },
    { spec: { name: `${ROOT}/../../evil.sh`, content: 'rm -rf /' }, path: `${ROOT}/../../evil.sh`, problem: /'\.\.'/ },
    { spec: { name: 'elsewhere/file.txt', content: 'x' }, path: 'elsewhere/file.txt', problem: /outside the bundle's root folder/ },
    { spec: { name: `${ROOT}/hosts/cp1/files/etc/shadow`, type: 'SymbolicLink' as const, linkpath: '/etc/shadow' }, path: 'hosts/cp1/files/etc/shadow', problem: /symbolic link to "\/etc\/shadow"/ },
    { spec: { name: `${ROOT}/hard`, type: 'Link' as const, linkpath: '/etc/passwd' }, path: 'hard', problem: /hard link to "\/etc\/passwd"/ },
    { spec: { name: `${ROOT}/dev-null`, type: 'CharacterDevice' as const }, path: 'dev-null', problem: /device file/ },
    { spec: { name: `${ROOT}/sda`, type: 'BlockDevice' as const }, path: 'sda', problem: /device file/ },
    { spec: { name: `${ROOT}/pipe`, type: 'FIFO' as const }, path: 'pipe', problem: /FIFO/ },
    { spec: { name: `${ROOT}/back\\slash`, content: 'x' }, path: `${ROOT}/back\\slash`, problem: /backslash/ },
  ];
  for (const { spec, path, problem } of hostile) {
    it(`${JSON.stringify(spec.name)} (${spec.type ?? 'File'})`, async () => {
      const [m, ...rest] = validEntries();
      const file = await tmp.file('b.tar.gz', gz(tarOf([m!, spec, ...rest])));
      const { visited, summary } = await readAllText(await openBundle(file));
      expect(summary.problems).toHaveLength(1);
      expect(summary.problems[0]!.path).toBe(path);
      expect(summary.problems[0]!.problem).toMatch(problem);
      expect(visited.map((v) => v.path)).toEqual(['cluster/nodes.json', 'hosts/cp1/cmd/swapon.txt', 'hosts/cp1/cmd/journal-kubelet.log']);
    });
  }

  it('a duplicate entry: the first copy is read, the second refused', async () => {
    const file = await tmp.file(
      'b.tar.gz',
      gz(tarOf([manifestEntry(), { name: `${ROOT}/a.txt`, content: 'first' }, { name: `./${ROOT}//a.txt`, content: 'second' }])),
    );
    const { visited, summary } = await readAllText(await openBundle(file));
    expect(visited).toEqual([{ path: 'a.txt', text: 'first' }]);
    expect(summary.problems).toEqual([{ path: 'a.txt', problem: expect.stringMatching(/duplicate/) }]);
  });

  it('an entry over maxStreamEntryBytes is refused without being read', async () => {
    const file = await tmp.file('b.tar.gz', gz(tarOf([manifestEntry(), { name: `${ROOT}/huge.log`, content: 'z'.repeat(5000) }, { name: `${ROOT}/ok.txt`, content: 'ok' }])));
    const { visited, summary } = await readAllText(await openBundle(file, { maxStreamEntryBytes: 4096 }));
    expect(visited).toEqual([{ path: 'ok.txt', text: 'ok' }]);
    expect(summary.problems).toEqual([{ path: 'huge.log', problem: expect.stringMatching(/5000 bytes is over the 4096 bytes per-entry cap/) }]);
  });

  it('a second manifest is fatal: extractors and we would disagree on which one counts', async () => {
    const file = await tmp.file('b.tar.gz', gz(tarOf([...validEntries(), manifestEntry(manifest({ cluster: 'other' }))])));
    const err = await rejection(readAllText(await openBundle(file)));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/manifest\.json is stored twice/);
  });

  it('a manifest that is a link is fatal', async () => {
    const file = await tmp.file('b.tar.gz', gz(tarOf([{ name: `${ROOT}/manifest.json`, type: 'SymbolicLink', linkpath: '/etc/passwd' }])));
    const err = await rejection(openBundle(file));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/manifest is a symlink/);
  });
});

describe('broken and non-bundle files are fatal with a clear message', () => {
  it('a truncated gzip names how many entries were read', async () => {
    const entries = [...validEntries(), { name: `${ROOT}/big.log`, content: Buffer.from(createHash('sha512').update('seed').digest('hex').repeat(2000)) }];
    const data = gz(tarOf(entries));
    const file = await tmp.file('b.tar.gz', data.subarray(0, data.length - 2000));
    const bundle = await openBundle(file);
    const err = await rejection(readAllText(bundle));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/b\.tar\.gz is truncated or corrupt after 4 entries \(while reading ".*big\.log"\): gzip data ends early/);
  });

  it('a visitor that swallows the truncation error does not make the reader go on', async () => {
    const data = gz(tarOf([manifestEntry(), { name: `${ROOT}/big.log`, content: Buffer.alloc(300_000, 'q') }, { name: `${ROOT}/z`, content: 'z' }]));
    const file = await tmp.file('b.tar.gz', data.subarray(0, data.length - 300));
    const seen: string[] = [];
    const err = await rejection(
      (await openBundle(file)).forEachEntry(async (entry) => {
        seen.push(entry.path);
        await entry.bytes().catch(() => undefined);
      }),
    );
    expect(err.message).toMatch(/truncated or corrupt/);
    expect(seen).toEqual(['big.log']);
  });

  it('a plain tar cut inside an entry', async () => {
    const data = tarOf(validEntries());
    const file = await tmp.file('b.tar', data.subarray(0, 512 * 4));
    const err = await rejection(readAllText(await openBundle(file)));
    expect(err.message).toMatch(/truncated or corrupt after 1 entries/);
  });

  it('an archive without end-of-archive marker', async () => {
    const data = tarOf(validEntries());
    const file = await tmp.file('b.tar', data.subarray(0, data.length - END_OF_ARCHIVE.length));
    const err = await rejection(readAllText(await openBundle(file)));
    expect(err.message).toMatch(/after 4 entries: the archive ends without an end-of-archive marker/);
  });

  it('a damaged header in the middle', async () => {
    const entries = validEntries();
    const data = Buffer.from(tarOf(entries));
    data[tarEntry(entries[0]!).length + 10] = 0x41; // inside the second header's name
    const file = await tmp.file('b.tar', data);
    const err = await rejection(readAllText(await openBundle(file)));
    expect(err.message).toMatch(/after 1 entries: a tar header is damaged/);
  });

  const notBundles: Array<[string, Buffer, RegExp]> = [
    ['an empty file', Buffer.alloc(0), /the file is empty/],
    ['a text file', Buffer.from('hello: world\n'), /it is a text file starting with "hello: world\\n"/],
    ['a zip archive', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]), /zip archive/],
    ['binary data', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), /binary data starting with bytes 89 50 4e 47 0d 0a 1a 0a/],
  ];
  for (const [what, data, message] of notBundles) {
    it(`${what} is not a bundle`, async () => {
      const file = await tmp.file('x.tar.gz', data);
      const err = await rejection(openBundle(file));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/x\.tar\.gz is not a labsnap bundle/);
      expect(err.message).toMatch(message);
    });
  }

  it('a gzip file that holds no tar', async () => {
    const file = await tmp.file('x.gz', gz(Buffer.from('just some text, compressed\n'.repeat(100))));
    const err = await rejection(openBundle(file));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/not a tar archive/);
  });

  it('a tar without manifest says what it is instead', async () => {
    const file = await tmp.file('x.tgz', gz(tarOf([{ name: 'project/README.md', content: '# hi' }])));
    const err = await rejection(openBundle(file));
    expect(err.message).toMatch(/x\.tgz is not a labsnap bundle: no labsnap-<cluster>-<timestamp>\/manifest\.json inside; it is a tar archive of 1 entries \("project\/README\.md"\)/);
  });

  it('a manifest in the wrong place is pointed at', async () => {
    const file = await tmp.file('x.tgz', gz(tarOf([manifestEntry(manifest(), `outer/${ROOT}`)])));
    const err = await rejection(openBundle(file));
    expect(err.message).toMatch(/it has "outer\/labsnap-.*\/manifest\.json", but a bundle keeps manifest\.json directly in its root folder/);
  });

  it('a missing path', async () => {
    const err = await rejection(openBundle(join(tmp.path, 'nope.tar.gz')));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/cannot read bundle .*nope\.tar\.gz: no such file or directory/);
  });
});

describe('bombs', () => {
  it('more decompressed bytes than maxTotalBytes', async () => {
    // 64 MiB of zeros compress to ~64 KiB: the shape of a real bomb, scaled down by the limit.
    const data = gz(tarOf([manifestEntry(), { name: `${ROOT}/zeros`, content: Buffer.alloc(64 * 1024 * 1024) }]));
    expect(data.length).toBeLessThan(200 * 1024);
    const file = await tmp.file('bomb.tar.gz', data);
    const err = await rejection((await openBundle(file, { maxTotalBytes: 8 * 1024 * 1024 })).forEachEntry(async () => undefined));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/bomb\.tar\.gz expands to more than 8 MiB \(maxTotalBytes\).*decompression bomb/);
  });

  it('more entries than maxEntries', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `${ROOT}/f${i}`, content: '' }));
    const file = await tmp.file('many.tar.gz', gz(tarOf([manifestEntry(), ...many])));
    const err = await rejection(readAllText(await openBundle(file, { maxEntries: 20 })));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/more than 20 entries \(maxEntries\)/);
  });

  it('a header that declares far more data than there is', async () => {
    const file = await tmp.file('liar.tar.gz', gz(Buffer.concat([tarEntry(manifestEntry()), tarEntry({ name: `${ROOT}/x`, size: 2 ** 40 }), END_OF_ARCHIVE])));
    const visited: string[] = [];
    const err = await rejection((await openBundle(file)).forEachEntry(async (entry) => void visited.push(entry.path)));
    expect(visited).toEqual([]);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/truncated or corrupt after 1 entries \(while reading ".*\/x"\)/);
  });
});

describe('manifest checks', () => {
  async function openWithManifest(text: string): Promise<Error> {
    const file = await tmp.file('m.tar.gz', gz(tarOf([{ name: `${ROOT}/manifest.json`, content: text }])));
    return rejection(openBundle(file));
  }

  it('a newer formatVersion asks for an upgrade and names the version that wrote it', async () => {
    const err = await openWithManifest(JSON.stringify(manifest({ formatVersion: 2, tool: { name: 'labsnap', version: '3.1.0' } })));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/bundle format version 2 was written by labsnap 3\.1\.0; this labsnap reads format version 1 only\. Upgrade labsnap to 3\.1\.0 or later/);
  });

  it('a missing formatVersion', async () => {
    const { formatVersion: _dropped, ...rest } = manifest();
    const err = await openWithManifest(JSON.stringify(rest));
    expect(err.message).toMatch(/formatVersion is missing/);
  });

  it('invalid JSON', async () => {
    const err = await openWithManifest('{"format": "labsnap-bundle",');
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/m\.tar\.gz: labsnap-.*\/manifest\.json: not valid JSON/);
  });

  it('another format', async () => {
    const err = await openWithManifest(JSON.stringify({ ...manifest(), format: 'sosreport' }));
    expect(err.message).toMatch(/format is "sosreport", not "labsnap-bundle"; this is not a labsnap bundle/);
  });

  it('schema errors name the field', async () => {
    const { hosts: _dropped, ...rest } = manifest();
    const err = await openWithManifest(JSON.stringify({ ...rest, items: [{ path: 'x', kind: 'command', source: 's', status: 'exploded' }] }));
    expect(err.message).toMatch(/hosts: is required/);
    expect(err.message).toMatch(/items\/0\/status: must be one of/);
  });
});

describe('directories', () => {
  async function writeBundleDir(parent: string, files: Record<string, string> = {}): Promise<string> {
    const root = join(parent, ROOT);
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'manifest.json'), JSON.stringify(manifest()));
    for (const [rel, content] of Object.entries({ 'hosts/cp1/cmd/swapon.txt': 'swap\n', 'cluster/nodes.json': '{}', ...files })) {
      await mkdir(join(root, rel, '..'), { recursive: true });
      await writeFile(join(root, rel), content);
    }
    return root;
  }

  it('the root folder itself, walked in sorted order', async () => {
    const root = await writeBundleDir(tmp.path, { 'attachments/notes.txt': 'n', 'cluster/b.json': '[]' });
    const bundle = await openBundle(root);
    expect(bundle).toMatchObject({ kind: 'directory', rootName: ROOT });
    const { visited, summary } = await readAllText(bundle);
    expect(visited.map((v) => v.path)).toEqual(['attachments/notes.txt', 'cluster/b.json', 'cluster/nodes.json', 'hosts/cp1/cmd/swapon.txt']);
    expect(summary).toEqual({ sha256: null, entries: 4, problems: [] });
  });

  it('a folder holding exactly one bundle (and other files beside it)', async () => {
    await writeBundleDir(tmp.path);
    await writeFile(join(tmp.path, 'expected.yaml'), 'fires: []\n');
    const bundle = await openBundle(tmp.path);
    expect(bundle.rootName).toBe(ROOT);
    expect((await readAllText(bundle)).summary.entries).toBe(2);
  });

  it('a folder holding two bundles is ambiguous; bundles nested deeper are not searched', async () => {
    const flat = join(tmp.path, 'flat');
    await writeBundleDir(flat);
    await mkdir(join(flat, 'labsnap-other-20250101T000000Z'));
    await writeFile(join(flat, 'labsnap-other-20250101T000000Z', 'manifest.json'), '{}');
    expect((await rejection(openBundle(flat))).message).toMatch(/flat holds 2 bundles \("labsnap-homelab-.*", "labsnap-other-.*"\); name one of them/);
    const deep = join(tmp.path, 'deep');
    await writeBundleDir(join(deep, 'one'));
    expect((await rejection(openBundle(deep))).message).toMatch(/deep is not a labsnap bundle.*it contains "one\/"/);
  });

  it('a folder without manifest says what it holds', async () => {
    await writeFile(join(tmp.path, 'notes.txt'), 'x');
    const err = await rejection(openBundle(tmp.path));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/is not a labsnap bundle: no manifest\.json in it .*it contains "notes\.txt"/);
  });

  it('symbolic links are listed, never followed, even when they point out', async () => {
    const root = await writeBundleDir(tmp.path);
    const secret = join(tmp.path, 'secret.txt');
    await writeFile(secret, 'TOP SECRET');
    await symlink(secret, join(root, 'hosts', 'cp1', 'cmd', 'leak.txt'));
    await symlink(tmp.path, join(root, 'hosts', 'escape'));
    const { visited, summary } = await readAllText(await openBundle(root));
    expect(visited.map((v) => v.text).join('')).not.toContain('TOP SECRET');
    expect(summary.problems).toEqual([
      { path: 'hosts/cp1/cmd/leak.txt', problem: expect.stringMatching(/^symbolic link to ".*secret\.txt"; links are never followed/) },
      { path: 'hosts/escape', problem: expect.stringMatching(/^symbolic link/) },
    ]);
  });

  it('a symlinked manifest is fatal', async () => {
    const root = join(tmp.path, ROOT);
    await mkdir(root);
    await writeFile(join(tmp.path, 'real.json'), JSON.stringify(manifest()));
    await symlink(join(tmp.path, 'real.json'), join(root, 'manifest.json'));
    const err = await rejection(openBundle(root));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/manifest\.json: is a symbolic link; links are never followed/);
  });

  it('a FIFO is refused without blocking', async () => {
    const root = await writeBundleDir(tmp.path);
    execFileSync('mkfifo', [join(root, 'hosts', 'pipe')]);
    const { summary } = await readAllText(await openBundle(root));
    expect(summary.problems).toEqual([{ path: 'hosts/pipe', problem: 'FIFO; refused' }]);
  });

  it('caps apply to directories too', async () => {
    const root = await writeBundleDir(tmp.path, { 'big.log': 'b'.repeat(3000) });
    const { summary } = await readAllText(await openBundle(root, { maxStreamEntryBytes: 2048 }));
    expect(summary.problems).toEqual([{ path: 'big.log', problem: expect.stringMatching(/over the 2048 bytes per-entry cap/) }]);
    expect((await rejection(readAllText(await openBundle(root, { maxTotalBytes: 1024 })))).message).toMatch(/more than 1024 bytes \(maxTotalBytes\)/);
    expect((await rejection(readAllText(await openBundle(root, { maxEntries: 3 })))).message).toMatch(/more than 3 entries/);
  });
});

describe('entries', () => {
  const files = {
    'a.log': 'crlf line\r\nplain line\n\nlast without newline',
    'b.txt': 'é'.repeat(10),
  };

  it('lines(): CRLF, empty lines, and a last line without newline', async () => {
    const lines: string[] = [];
    await openMemoryBundle(files, manifest()).forEachEntry(async (entry) => {
      if (entry.path === 'a.log') for await (const line of entry.lines()) lines.push(line);
    });
    expect(lines).toEqual(['crlf line', 'plain line', '', 'last without newline']);
  });

  it('text() above maxEntryBytes throws EntryTooLargeError naming the entry; lines() still reads it', async () => {
    const seen: unknown[] = [];
    await openMemoryBundle({ 'big.log': 'x\n'.repeat(100) }, manifest(), ROOT, { maxEntryBytes: 64 }).forEachEntry(async (entry) => {
      const err = await rejection(entry.text());
      expect(err).toBeInstanceOf(EntryTooLargeError);
      expect(err.message).toMatch(/^big\.log: 200 bytes is too large to load whole \(limit 64 bytes/);
      let n = 0;
      for await (const _line of entry.lines()) n++;
      seen.push(n);
    });
    expect(seen).toEqual([100]);
  });

  it('a line over maxLineBytes is cut on a character boundary and reported', async () => {
    const long = 'é'.repeat(40); // 80 bytes
    const lines: string[] = [];
    const summary = await openMemoryBundle({ 'x.log': `short\n${long}\nnext` }, manifest(), ROOT, { maxLineBytes: 9 }).forEachEntry(async (entry) => {
      for await (const line of entry.lines()) lines.push(line);
    });
    expect(lines).toEqual(['short', 'éééé', 'next']);
    expect(summary.problems).toEqual([{ path: 'x.log', problem: 'line 2 is longer than 9 bytes; only its start was read' }]);
  });

  it('a body is read once, and only during its visit', async () => {
    let kept: { text(): Promise<string> } | undefined;
    await openMemoryBundle({ 'b.txt': 'x' }, manifest()).forEachEntry(async (entry) => {
      await entry.text();
      expect(() => entry.lines()).toThrow(InternalError);
      kept = entry;
    });
    await expect(kept!.text()).rejects.toThrow(/read after its visit returned/);
  });

  it('bytes() returns the exact content', async () => {
    const content = Buffer.from([0, 1, 2, 255, 254]);
    const got: Buffer[] = [];
    await openMemoryBundle({ 'pcap/arp.pcap': content }, manifest()).forEachEntry(async (entry) => {
      got.push(await entry.bytes());
    });
    expect(got).toEqual([content]);
  });
});

describe('lines() on arbitrary chunk boundaries', () => {
  it('never splits a multi-byte character, even when every chunk is one byte', async () => {
    const text = 'añb€c😀\r\nzweite Zeile ünd mehr\r\n\r\nend 😀';
    const bytes = Buffer.from(text);
    const oneByteChunks = async function* (): AsyncGenerator<Buffer> {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    };
    const entry = new StreamedEntry('x.log', bytes.length, oneByteChunks, DEFAULT_LIMITS, () => undefined);
    const lines: string[] = [];
    for await (const line of entry.lines()) lines.push(line);
    expect(lines).toEqual(['añb€c😀', 'zweite Zeile ünd mehr', '', 'end 😀']);
  });
});

describe('in-memory bundles', () => {
  it('visits sorted paths with the same name checks as archives', async () => {
    const bundle = openMemoryBundle(
      { 'z.txt': 'z', '/abs': 'a', 'x/../../up': 'u', 'a.txt': 'a', './a.txt': 'again' },
      manifest(),
    );
    expect(bundle).toMatchObject({ kind: 'memory', rootName: 'labsnap-memory' });
    const { visited, summary } = await readAllText(bundle);
    expect(visited).toEqual([
      { path: 'a.txt', text: 'again' },
      { path: 'z.txt', text: 'z' },
    ]);
    expect(summary.problems.map((p) => p.path)).toEqual(['/abs', 'a.txt', 'x/../../up']);
  });

  it('validates the manifest', () => {
    expect(() => openMemoryBundle({}, manifest({ formatVersion: 9 }))).toThrow(/Upgrade labsnap/);
    expect(() => openMemoryBundle({}, { ...manifest(), cluster: '' })).toThrow(InputError);
    expect(() => openMemoryBundle({ 'manifest.json': '{}' }, manifest())).toThrow(/pass the manifest as the manifest argument/);
  });
});

describe('missingItems', () => {
  it('lists ok items whose file is absent, not failed ones', () => {
    const m = manifest();
    expect(missingItems(m, new Set(['hosts/cp1/cmd/swapon.txt'])).map((i) => i.path)).toEqual(['cluster/nodes.json']);
    expect(missingItems(m, ['hosts/cp1/cmd/swapon.txt', 'cluster/nodes.json'])).toEqual([]);
  });
});

it('documents sensible defaults', () => {
  expect(DEFAULT_LIMITS).toEqual({
    maxEntryBytes: 64 * 2 ** 20,
    maxStreamEntryBytes: 512 * 2 ** 20,
    maxTotalBytes: 64 * 2 ** 30,
    maxEntries: 200_000,
    maxLineBytes: 2 ** 20,
  });
});
