// PEM certificates (pki `*.crt`, CA bundles) read with Node's X509Certificate, and `kubeadm join` commands
// found in attachments. Private key blocks are skipped unread: their contents are never decoded or returned.
import { createHash, X509Certificate } from 'node:crypto';
import { ParseError, splitLines, type ParseContext } from './common.js';
import { parseWordyDate } from './log-time.js';

export interface PemCertificate {
  /** RFC 2253-like, one line: `CN=kube-apiserver`, `O=system:masters, CN=kubernetes-admin`. */
  subject: string;
  issuer: string;
  commonName: string | null;
  notBefore: string | null;
  notAfter: string | null;
  /** Uppercase hex, as OpenSSL prints it. */
  serial: string;
  isCA: boolean;
  selfSigned: boolean;
  /** `DNS:kubernetes`, `IP:10.96.0.1`, ... */
  sans: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** sha256 of the DER SubjectPublicKeyInfo: what `--discovery-token-ca-cert-hash sha256:<hex>` pins. */
  publicKeySpkiSha256: string;
  /** Line of the `-----BEGIN CERTIFICATE-----`. */
  line: number;
}

export interface PemFile {
  certificates: PemCertificate[];
  /** Other PEM blocks by label only (`PRIVATE KEY`, `CERTIFICATE REQUEST`), for "a key sits here" facts. */
  otherBlocks: { label: string; line: number }[];
  /** Certificate blocks that did not decode. */
  invalid: { line: number; reason: string }[];
}

function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function certificateFacts(der: Buffer, line: number): PemCertificate {
  const cert = new X509Certificate(der);
  const sans = (cert.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((san) => (san.startsWith('IP Address:') ? `IP:${san.slice('IP Address:'.length)}` : san));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const commonName = cert.subject.split('\n').find((part) => part.startsWith('CN='));
  return {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    commonName: commonName ? commonName.slice(3) : null,
    notBefore: parseWordyDate(cert.validFrom),
    notAfter: parseWordyDate(cert.validTo),
    serial: cert.serialNumber.toUpperCase(),
    isCA: cert.ca,
    selfSigned: cert.subject === cert.issuer && cert.checkIssued(cert),
    sans,
    dnsNames: sans.filter((san) => san.startsWith('DNS:')).map((san) => san.slice(4)),
    ipAddresses: sans.filter((san) => san.startsWith('IP:')).map((san) => san.slice(3)),
    publicKeySpkiSha256: createHash('sha256').update(spki).digest('hex'),
    line,
  };
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;

/** Parses every PEM certificate of a file; ParseError when the file holds no PEM block at all. */
export function parsePemCertificates(text: string, ctx: ParseContext): PemFile {
  const result: PemFile = { certificates: [], otherBlocks: [], invalid: [] };
  let label: string | null = null;
  let beginLine = 0;
  let body: string[] = [];
  splitLines(text).forEach((raw, index) => {
    const line = raw.trim();
    if (label === null) {
      const begin = BEGIN.exec(line);
      if (!begin) return;
      label = begin[1]!;
      beginLine = index + 1;
      body = [];
      if (label !== 'CERTIFICATE') result.otherBlocks.push({ label, line: beginLine });
      return;
    }
    if (line === `-----END ${label}-----`) {
      if (label === 'CERTIFICATE') {
        try {
          result.certificates.push(certificateFacts(Buffer.from(body.join(''), 'base64'), beginLine));
        } catch (err) {
          result.invalid.push({ line: beginLine, reason: err instanceof Error ? err.message : String(err) });
        }
      }
      label = null;
      return;
    }
    // Only certificate bodies are kept; key material is passed over without being stored.
    if (label === 'CERTIFICATE' && !line.includes(':')) body.push(line);
  });
  if (label === 'CERTIFICATE') result.invalid.push({ line: beginLine, reason: 'no END CERTIFICATE line' });
  if (result.certificates.length === 0 && result.otherBlocks.length === 0 && result.invalid.length === 0) {
    throw new ParseError(`${ctx.path}: no PEM block`);
  }
  return result;
}

export interface JoinCommand {
  /** Line where the (possibly backslash-continued) command starts. */
  line: number;
  /** `192.168.10.10:6443` or `k8s.lab.example:6443`. */
  endpoint: string | null;
  /** The token id only; the secret half is never returned. */
  tokenId: string | null;
  /** Lowercase hex of each `--discovery-token-ca-cert-hash sha256:<hex>`. */
  caCertHashes: string[];
  controlPlane: boolean;
  unsafeSkipCaVerification: boolean;
}

function unquote(word: string): string {
  return word.replace(/^["']|["']$/g, '');
}

/** Finds `kubeadm join` commands (as printed by `kubeadm init` or `kubeadm token create --print-join-command`). */
export function parseJoinCommand(text: string): JoinCommand[] {
  const commands: JoinCommand[] = [];
  const lines = splitLines(text);
  for (let index = 0; index < lines.length; index++) {
    const start = index;
    const pieces = [lines[index]!.trimEnd()];
    // A trailing backslash continues the shell command on the next line.
    while (pieces[pieces.length - 1]!.endsWith('\\') && index + 1 < lines.length) {
      pieces[pieces.length - 1] = pieces[pieces.length - 1]!.slice(0, -1);
      pieces.push(lines[++index]!.trimEnd());
    }
    const logical = pieces.join(' ');
    const at = logical.indexOf('kubeadm join');
    if (at < 0) continue;
    const words = logical.slice(at + 'kubeadm join'.length).trim().split(/\s+/).map(unquote);
    const command: JoinCommand = { line: start + 1, endpoint: null, tokenId: null, caCertHashes: [], controlPlane: false, unsafeSkipCaVerification: false };
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      const eq = word.indexOf('=');
      const flag = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word;
      const value = (): string => (word.startsWith('--') && eq > 0 ? word.slice(eq + 1) : unquote(words[++w] ?? ''));
      if (flag === '--token' || flag === '--discovery-token') {
        const id = value().split('.')[0] ?? '';
        if (/^[a-z0-9]{6}$/.test(id)) command.tokenId = id;
      } else if (flag === '--discovery-token-ca-cert-hash') {
        const hash = /^sha256:([0-9a-fA-F]{64})$/.exec(value());
        if (hash) command.caCertHashes.push(hash[1]!.toLowerCase());
      } else if (flag === '--control-plane') command.controlPlane = true;
      else if (flag === '--discovery-token-unsafe-skip-ca-verification') command.unsafeSkipCaVerification = true;
      else if (flag === '--certificate-key' || flag === '--cri-socket' || flag === '--node-name' || flag === '--config' || flag === '--apiserver-advertise-address' || flag === '--apiserver-bind-port') value();
      else if (!word.startsWith('-') && command.endpoint === null && /^(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d+$/.test(word)) command.endpoint = word;
    }
    if (command.endpoint !== null || command.tokenId !== null || command.caCertHashes.length > 0) commands.push(command);
  }
  return commands;
}
