// Joins for the kubeadm and certificate rules: attachments (join output, join commands, certificates),
// bootstrap token lists of the control planes, and every certificate the bundle shows with its NotAfter,
// whether read from the pki folder, from `kubeadm certs check-expiration` or from an attached PEM.
import { bundlePath, classifyPath, HOST_CMD, HOST_FILE } from '../../bundle/layout.js';
import type { AttachmentFacts } from '../facts/routes.js';
import type { PemFile } from '../parsers/cert-pem.js';
import type { KubeadmCertsCheck } from '../parsers/kube-kubeadm-certs.js';
import type { KubeadmTokenList } from '../parsers/kube-kubeadm-tokens.js';
import type { Evidence } from '../report/types.js';
import type { HostView, Model } from './model.js';

export interface Attachment {
  path: string;
  facts: AttachmentFacts;
}

export function attachments(model: Model): Attachment[] {
  return model.artifacts
    .matchUsable('attachments/*')
    .flatMap((path) => {
      const facts = model.parsed<AttachmentFacts>(path);
      return facts ? [{ path, facts }] : [];
    });
}

export function controlPlanes(model: Model): HostView[] {
  return model.hosts.filter((h) => h.roles.includes('control-plane'));
}

export interface TokenListView {
  host: HostView;
  path: string;
  list: KubeadmTokenList;
}

export function tokenLists(model: Model): TokenListView[] {
  return controlPlanes(model).flatMap((host) => {
    const path = bundlePath.hostCmd(host.name, HOST_CMD.kubeadmTokenList);
    const list = model.artifacts.usable(path) ? model.parsed<KubeadmTokenList>(path) : undefined;
    return list ? [{ host, path, list }] : [];
  });
}

/** The cluster CA (`pki/ca.crt`) of each control plane whose copy was collected and decoded. */
export function clusterCas(model: Model): { host: HostView; path: string; spkiSha256: string; line: number }[] {
  return controlPlanes(model).flatMap((host) => {
    const path = bundlePath.hostFile(host.name, `${HOST_FILE.pkiDir}/ca.crt`);
    const cert = model.parsed<PemFile>(path)?.certificates[0];
    return cert ? [{ host, path, spkiSha256: cert.publicKeySpkiSha256, line: cert.line }] : [];
  });
}

export type CertSource = 'pki' | 'check-expiration' | 'attachment' | 'kubelet';

/** kubelet's certificates as collected on every node (certificate blocks only), by the name users know. */
export const KUBELET_CERT_ITEMS = [
  { cmd: HOST_CMD.kubeletClientCert, name: 'kubelet-client-current.pem' },
  { cmd: HOST_CMD.kubeletServingCert, name: 'kubelet.crt' },
] as const;

export interface CertView {
  /** Host holding it; undefined for an attachment. */
  host?: string;
  /** kubeadm's name: `apiserver`, `etcd-server`, `front-proxy-ca`, `admin.conf`. */
  name: string;
  source: CertSource;
  notAfter: string;
  evidence: Evidence;
}

/** `etcd/server.crt` under the pki folder is what `kubeadm certs` calls `etcd-server`. */
function pkiName(file: string): string {
  return file.slice(HOST_FILE.pkiDir.length + 1).replace(/\.crt$/, '').replace(/\//g, '-');
}

/** Every certificate with a known NotAfter, from all the places a bundle shows one. */
export function certificates(model: Model, excerpt: (path: string, line: number, before?: number, after?: number) => string[]): CertView[] {
  const out: CertView[] = [];
  for (const path of model.artifacts.matchUsable(`hosts/*/files${HOST_FILE.pkiDir}/**`)) {
    const ref = classifyPath(path);
    if (ref.area !== 'host-file' || !ref.file.endsWith('.crt')) continue;
    const pem = model.parsed<PemFile>(path);
    pem?.certificates.forEach((c, i) => {
      if (c.notAfter === null) return;
      const name = i === 0 ? pkiName(ref.file) : `${pkiName(ref.file)}#${i + 1}`;
      out.push({ host: ref.host, name, source: 'pki', notAfter: c.notAfter, evidence: { path, line: c.line, excerpt: [`subject ${c.subject}`, `notBefore ${c.notBefore ?? '?'}`, `notAfter ${c.notAfter}`] } });
    });
  }
  for (const item of KUBELET_CERT_ITEMS) {
    for (const path of model.artifacts.matchUsable(`hosts/*/cmd/${item.cmd}`)) {
      const ref = classifyPath(path);
      if (ref.area !== 'host-cmd') continue;
      // The file holds the current certificate first; a chain's issuers follow it.
      const cert = model.parsed<PemFile>(path)?.certificates[0];
      if (!cert || cert.notAfter === null) continue;
      out.push({ host: ref.host, name: item.name, source: 'kubelet', notAfter: cert.notAfter, evidence: { path, line: cert.line, excerpt: [`subject ${cert.subject}`, `notBefore ${cert.notBefore ?? '?'}`, `notAfter ${cert.notAfter}`] } });
    }
  }
  for (const host of controlPlanes(model)) {
    const path = bundlePath.hostCmd(host.name, HOST_CMD.kubeadmCertsCheckExpiration);
    const check = model.artifacts.usable(path) ? model.parsed<KubeadmCertsCheck>(path) : undefined;
    for (const c of check?.certs ?? []) {
      if (c.expires === null || c.missing) continue;
      out.push({ host: host.name, name: c.name, source: 'check-expiration', notAfter: c.expires, evidence: { path, line: c.line, excerpt: excerpt(path, c.line, 0, 0) } });
    }
  }
  for (const a of attachments(model)) {
    a.facts.certificates?.certificates.forEach((c) => {
      if (c.notAfter === null) return;
      out.push({ name: c.commonName ?? c.subject, source: 'attachment', notAfter: c.notAfter, evidence: { path: a.path, line: c.line, excerpt: [`subject ${c.subject}`, `notAfter ${c.notAfter}`] } });
    });
  }
  return out;
}

/** Inputs the certificate rules read, for the skip reason when none is there. */
export function certificateInputs(model: Model): { usable: boolean; missing: string[] } {
  const patterns = [`hosts/*/files${HOST_FILE.pkiDir}/**`, `hosts/*/cmd/${HOST_CMD.kubeadmCertsCheckExpiration}`, ...KUBELET_CERT_ITEMS.map((i) => `hosts/*/cmd/${i.cmd}`)];
  const usable = patterns.some((p) => model.artifacts.matchUsable(p).length > 0);
  return { usable, missing: patterns.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) };
}

/** Collection items kubectl could not fetch, with their stderr: where an API server's TLS error shows. */
export function failedKubeItems(model: Model): { path: string; index: number; stderr: string }[] {
  return model.manifest.items.flatMap((item, index) =>
    item.kind === 'kube' && item.status !== 'ok' && item.stderr ? [{ path: item.path, index, stderr: item.stderr }] : [],
  );
}
