import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../common/errors.js';
import { RedactionKey } from '../../collector/redact/placeholder.js';
import { Pseudonymizer } from '../../collector/redact/pseudonymize.js';
import { TextRedactor } from '../../collector/redact/secrets.js';
import { transformText } from '../../collector/redact/stream.js';
import { UserRules } from '../../collector/redact/user-rules.js';

const key = RedactionKey.fromBytes(Buffer.alloc(32, 7));

function redact(text: string, rules: UserRules | null = null): { out: string; counts: Record<string, number> } {
  const r = new TextRedactor(key, rules);
  const out = r.block(Buffer.from(text, 'utf8').toString('latin1')) + r.end();
  return { out: Buffer.from(out, 'latin1').toString('utf8'), counts: Object.fromEntries(r.counts) };
}

async function streamed(text: string, cuts: number[], maxLine = 1024): Promise<string> {
  const data = Buffer.from(text, 'utf8');
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const c of [...points, data.length]) {
    pieces.push(data.subarray(at, c));
    at = c;
  }
  const out: Buffer[] = [];
  for await (const b of transformText((async function* () { yield* pieces; })(), new TextRedactor(key, null), null, maxLine)) out.push(b);
  return Buffer.concat(out).toString('utf8');
}

const SAMPLE = [
  'ok line with nothing',
  'kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:' + 'ab'.repeat(32),
  '  - name: DB_PASSWORD',
  '    value: "hunter2"',
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
  'MIIEowIBAAKCAQEAyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',
  '-----END RSA PRIVATE KEY-----',
  'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123',
  'url=https://u:pa55word@host.example/x  mac 52:54:00:12:34:56 ip 192.168.1.7',
  '',
].join('\n');

describe('default redactors', () => {
  it('replaces each secret with a stable placeholder and counts it', () => {
    const { out, counts } = redact(SAMPLE);
    expect(out).not.toMatch(/0123456789abcdef\b|hunter2|zzzz|yyyy|abcdefghijklmnopqrstuvwxyz0123|pa55word/);
    expect(out).toContain('--token abcdef.<redacted:bootstrap-token:');
    expect(out).toContain('sha256:' + 'ab'.repeat(32));
    expect(out).toMatch(/-----BEGIN RSA PRIVATE KEY-----\n<redacted:private-key:[0-9a-f]{8}>\n-----END RSA PRIVATE KEY-----/);
    expect(counts).toEqual({ 'bootstrap-token': 1, 'secret-value': 1, 'private-key': 1, bearer: 1, 'url-credentials': 1 });
    // Same secret, same placeholder; the key decides it, so another run cannot be correlated.
    expect(redact('password=hunter2').out).toBe(redact('token: hunter2').out.replace('token: ', 'password='));
    const other = new TextRedactor(RedactionKey.fromBytes(Buffer.alloc(32, 8)), null);
    expect(other.block('password=hunter2')).not.toBe(redact('password=hunter2').out);
  });

  it('leaves what is not a secret', () => {
    const keep = [
      '-----BEGIN CERTIFICATE-----\nMIIC7jCCAdagAwIBAgIIY3d8dOk3xpMwDQYJKoZIhvcNAQELBQAw\n-----END CERTIFICATE-----',
      'secretName: web-tls',
      'tokenTTL: 24h0m0s',
      'automountServiceAccountToken: false',
      '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
      'passwordFile: /etc/app/password',
      '"resourceVersion": "48213", "uid": "5d0c2c8e-3f43-4a55-9f0e-5b2f1c7e9a10"',
      'image: nginx@sha256:' + 'cd'.repeat(32),
      'TOKEN                     TTL  USAGES\nabcdef.<secret not collected>   23h  authentication,signing',
      'bypass: true\ncompass: north',
      '- name: S3_BUCKET\n  value: backups',
      'password: ${DB_PASSWORD}',
    ];
    for (const text of keep) expect({ text, out: redact(text).out }).toEqual({ text, out: text });
  });

  it('gives the same output however the stream is cut', async () => {
    const whole = redact(SAMPLE).out;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
        expect(await streamed(SAMPLE, cuts)).toBe(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('passes a line longer than the cap through in pieces, byte for byte', async () => {
    const long = `${'x'.repeat(300)}\n${'é'.repeat(100)}\n`;
    expect(await streamed(long, [10, 100, 250], 64)).toBe(long);
  });
});

describe('--redact-rules', () => {
  it('applies regexes (optionally one group) and keywords, counted under their names', () => {
    const rules = UserRules.parse(['rules:', '  - name: customer-id', "    regex: 'CUST-([0-9]{6})'", '    group: 1', 'keywords: [acme-corp]', ''].join('\n'), 'rules.yaml');
    const { out, counts } = redact('order CUST-123456 for ACME-Corp\n', rules);
    expect(out).toMatch(/^order CUST-<redacted:customer-id:[0-9a-f]{8}> for <redacted:keyword:[0-9a-f]{8}>\n$/);
    expect(counts).toEqual({ 'customer-id': 1, keyword: 1 });
  });

  it('reports bad files with file, line and field', () => {
    const bad = (text: string) => {
      try {
        UserRules.parse(text, 'rules.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('rules:\n  - name: x\n    regex: "("\n')).toMatch(/rules\.yaml:3: rules\/0\/regex: not a valid regular expression/);
    expect(bad('rules:\n  - name: Bad Name\n    regex: a\n')).toMatch(/rules\.yaml:2: rules\/0\/name: must match pattern/);
    expect(bad('rules:\n  - name: x\n    regex: a\n    colour: red\n')).toMatch(/rules\.yaml:4: rules\/0\/colour: is not a known field/);
    expect(bad('rules:\n  - name: x\n    regex: "a*"\n')).toMatch(/matches the empty string/);
    expect(bad('rules:\n  - name: x\n    regex: "a(b)"\n    group: 2\n')).toMatch(/rules\.yaml:4: rules\/0\/group: the expression has 1 capture group/);
  });
});

describe('pseudonymization', () => {
  const p = () => new Pseudonymizer(key, ['ips', 'macs', 'hostnames'], ['cp1', 'dhcp-192-168-0-66']);
  const ipNum = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const commonPrefix = (a: number, b: number) => {
    let n = 0;
    while (n < 32 && Math.floor(a / 2 ** (31 - n)) === Math.floor(b / 2 ** (31 - n))) n++;
    return n;
  };
  const octets = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));

  it('keeps private addresses in their range, their prefixes, and their last octet', () => {
    const ps = p();
    fc.assert(
      fc.property(fc.constantFrom('10', '172.16', '192.168'), octets, octets, (net, a, b) => {
        const make = (o: number[]) => (net === '10' ? `10.${o[0]}.${o[1]}.${o[2]}` : net === '172.16' ? `172.${16 + (o[0]! % 16)}.${o[1]}.${o[2]}` : `192.168.${o[1]}.${o[2]}`);
        const x = make(a);
        const y = make(b);
        const mx = ps.ip(x);
        const my = ps.ip(y);
        expect(commonPrefix(ipNum(mx), ipNum(my))).toBe(commonPrefix(ipNum(x), ipNum(y)));
        expect(mx.split('.')[3]).toBe(x.split('.')[3]);
        expect(ps.ip(mx === x ? x : x)).toBe(mx);
        if (net === '192.168') expect(mx.startsWith('192.168.')).toBe(true);
        if (net === '10') expect(mx.startsWith('10.')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('maps public addresses one-to-one onto public addresses', () => {
    const ps = p();
    const seen = new Map<string, string>();
    fc.assert(
      fc.property(fc.constantFrom(8, 100, 172, 192), octets, (first, o) => {
        const x = `${first}.${o[0]}.${o[1]}.${o[2]}`;
        const m = ps.ip(x);
        const back = seen.get(m);
        if (back !== undefined) expect(back).toBe(x);
        seen.set(m, x);
        expect(m.startsWith(`${first}.`)).toBe(true);
        const n = ipNum(m);
        if (x !== m) expect([ipNum('100.64.0.0') >> 22, ipNum('172.16.0.0') >> 20, ipNum('192.168.0.0') >> 16].includes(first === 100 ? n >> 22 : first === 172 ? n >> 20 : n >> 16) && ps.ip(x) !== x && !/^(100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])|172\.(1[6-9]|2\d|3[01])|192\.168)\./.test(x)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves special addresses, keeps networks canonical, and does not depend on order', () => {
    const a = p();
    for (const s of ['0.0.0.0', '127.0.0.1', '255.255.255.255', '169.254.1.2', '224.0.0.251', '192.0.2.5']) expect(a.ip(s)).toBe(s);
    const text = 'pods 10.244.0.0/16 svc 10.96.0.0/12 lan 192.168.10.0/24 gw 192.168.10.1 host dhcp-192-168-0-66 ip-10-0-0-5 cp1.lab.example mac 52:54:00:AB:CD:EF bcast ff:ff:ff:ff:ff:ff';
    const out = a.text(text);
    expect(out).toMatch(/^pods 10\.\d+\.0\.0\/16 svc 10\.\d+\.0\.0\/12 lan 192\.168\.\d+\.0\/24 gw 192\.168\.\d+\.1 host host-[0-9a-f]{8} ip-10-\d+-\d+-5 host-[0-9a-f]{8}\.lab\.example mac [0-9A-F:]{17} bcast ff:ff:ff:ff:ff:ff$/);
    expect(out).not.toMatch(/cp1|AB:CD:EF|192-168-0-66/);
    const b = p();
    b.text('192.168.10.1 cp1 52:54:00:AB:CD:EF');
    expect(b.text(text)).toBe(out);
    expect(a.path('hosts/cp1/files/etc/pve/nodes/cp1/host.fw')).toMatch(/^hosts\/host-[0-9a-f]{8}\/files\/etc\/pve\/nodes\/host-[0-9a-f]{8}\/host\.fw$/);
    expect(a.path('hosts/cp1/cmd/ip-addr.json')).toMatch(/^hosts\/host-[0-9a-f]{8}\/cmd\/ip-addr\.json$/);
    expect(a.reverseMap().hostnames).toEqual({ [a.host('cp1')]: 'cp1', [a.host('dhcp-192-168-0-66')]: 'dhcp-192-168-0-66' });
  });
});
