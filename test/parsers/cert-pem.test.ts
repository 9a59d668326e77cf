import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJoinCommand, parsePemCertificates } from '../../analyzer/parsers/cert-pem.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

const read = (name: string) => readFileSync(new URL(`./data-kube/${name}`, import.meta.url), 'utf8');
const CA = read('ca.crt');
const APISERVER = read('apiserver.crt');
const EXPIRED = read('admin-expired.crt');
// Computed with openssl, independently of the parser (see data-kube/README.md).
const CA_SPKI_SHA256 = '2c990014c0e362ee98d26af22ef2d96853f1c53873f022120c39f1a1eb4c236b';

describe('parsePemCertificates', () => {
  it('reads a CA certificate and the public-key hash kubeadm join pins', () => {
    const [ca] = parsePemCertificates(CA, ctx).certificates;
    expect(ca).toMatchObject({ subject: 'CN=kubernetes', issuer: 'CN=kubernetes', commonName: 'kubernetes', isCA: true, selfSigned: true, sans: [], line: 1 });
    expect(ca!.publicKeySpkiSha256).toBe(CA_SPKI_SHA256);
    expect(ca!.notAfter! > ca!.notBefore!).toBe(true);
  });

  it('reads SANs and validity of a serving certificate, and several certificates per file', () => {
    const bundle = parsePemCertificates(`${APISERVER}${CA}`, ctx);
    const [apiserver, ca] = bundle.certificates;
    expect(apiserver).toMatchObject({ commonName: 'kube-apiserver', issuer: 'CN=kubernetes', isCA: false, selfSigned: false });
    expect(apiserver!.dnsNames).toEqual(['cp1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
    expect(apiserver!.ipAddresses).toEqual(['10.96.0.1', '192.168.10.11']);
    expect(ca!.line).toBe(APISERVER.split('\n').length);
  });

  it('reads exact validity dates and the serial', () => {
    const [admin] = parsePemCertificates(EXPIRED, ctx).certificates;
    expect(admin).toMatchObject({ notBefore: '2024-11-27T10:00:00.000Z', notAfter: '2025-11-27T10:00:00.000Z', serial: '1000', commonName: 'kubernetes-admin' });
    expect(admin!.subject).toContain('O=kubeadm:cluster-admins');
  });

  it('skips private key blocks without returning anything of them', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyBody = keyPem.split('\n')[1]!;
    const parsed = parsePemCertificates(`${keyPem}${CA}`, ctx);
    expect(parsed.certificates).toHaveLength(1);
    expect(parsed.otherBlocks).toEqual([{ label: 'PRIVATE KEY', line: 1 }]);
    expect(JSON.stringify(parsed)).not.toContain(keyBody.slice(0, 20));
    expect(parsePemCertificates(keyPem, ctx).certificates).toEqual([]);
  });

  it('reports a damaged certificate block and rejects text with no PEM', () => {
    const damaged = CA.replace(/^[A-Za-z0-9+/]{20}/m, 'AAAAAAAAAAAAAAAAAAAA');
    const parsed = parsePemCertificates(`${damaged}${APISERVER}`, ctx);
    expect(parsed.invalid.map((entry) => entry.line)).toEqual([1]);
    expect(parsed.certificates).toHaveLength(1);
    expect(() => parsePemCertificates('not a certificate\n', ctx)).toThrow(ParseError);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parsePemCertificates(text, ctx), [CA, `${APISERVER}${EXPIRED}`], 150);
    checkNoBlowup((text) => parsePemCertificates(text, ctx), [`-----BEGIN CERTIFICATE-----\n${'QUFB\n'.repeat(100_000)}`]);
  });
});

describe('parseJoinCommand', () => {
  it('reads the join commands kubeadm init prints, without the token secret or certificate key', () => {
    const initOutput = `Your Kubernetes control-plane has initialized successfully!

You can now join any number of control-plane nodes by copying certificate authorities
and service account keys on each node and then running the following as root:

  kubeadm join 192.168.10.10:6443 --token abcdef.0123456789abcdef \\
	--discovery-token-ca-cert-hash sha256:${CA_SPKI_SHA256.toUpperCase()} \\
	--control-plane --certificate-key 9f1e2d3c4b5a69788796a5b4c3d2e1f0f1e2d3c4b5a69788796a5b4c3d2e1f0

Then you can join any number of worker nodes by running the following on each as root:

kubeadm join 192.168.10.10:6443 --token abcdef.<redacted> \\
	--discovery-token-ca-cert-hash sha256:${CA_SPKI_SHA256}
`;
    const commands = parseJoinCommand(initOutput);
    expect(commands).toEqual([
      { line: 6, endpoint: '192.168.10.10:6443', tokenId: 'abcdef', caCertHashes: [CA_SPKI_SHA256], controlPlane: true, unsafeSkipCaVerification: false },
      { line: 12, endpoint: '192.168.10.10:6443', tokenId: 'abcdef', caCertHashes: [CA_SPKI_SHA256], controlPlane: false, unsafeSkipCaVerification: false },
    ]);
    expect(JSON.stringify(commands)).not.toContain('0123456789abcdef');
    expect(JSON.stringify(commands)).not.toContain('9f1e2d3c');
  });

  it('reads --flag=value forms, the unsafe skip, and ignores prose', () => {
    const text = 'history: sudo kubeadm join --token=q1w2e3.*** k8s.lab.example:6443 --discovery-token-unsafe-skip-ca-verification\nthen kubeadm join failed again\n';
    expect(parseJoinCommand(text)).toEqual([{ line: 1, endpoint: 'k8s.lab.example:6443', tokenId: 'q1w2e3', caCertHashes: [], controlPlane: false, unsafeSkipCaVerification: true }]);
  });

  it('never crashes, in linear time', () => {
    checkRobust((text) => parseJoinCommand(text), ['kubeadm join 1.2.3.4:6443 --token abcdef.x \\\n --discovery-token-ca-cert-hash sha256:00\n']);
    checkNoBlowup((text) => parseJoinCommand(text), [`${'kubeadm join \\\n'.repeat(20_000)}`, `kubeadm join ${'--token '.repeat(50_000)}`]);
  });
});
