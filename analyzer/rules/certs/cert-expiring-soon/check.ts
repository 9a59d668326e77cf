// Fires per host holding a certificate whose NotAfter falls within 30 days after collection (pki *.crt,
// kubeadm certs check-expiration, an attached PEM). Already-expired ones are cert-expired's.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { certificateInputs, certificates, type CertView } from '../../../model/kubeadm.js';
import type { Model } from '../../../model/model.js';
import type { ObjectRef } from '../../../report/types.js';

const WINDOW_MS = 30 * 86_400_000;

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const inputs = certificateInputs(model);
  const hasAttachedPem = model.artifacts.matchUsable('attachments/*').length > 0;
  if (!inputs.usable && !hasAttachedPem) {
    return { findings: [], skip: { reason: ja ? 'PKI の証明書も kubeadm certs check-expiration の出力もバンドルにない' : 'no pki certificates or kubeadm certs check-expiration output in the bundle', missing: inputs.missing } };
  }
  const now = ctx.collectedAt.getTime();
  const soon = certificates(model, ctx.excerpt).filter((c) => {
    const t = Date.parse(c.notAfter);
    return t > now && t - now <= WINDOW_MS;
  });
  const bySubject = new Map<string, CertView[]>();
  for (const c of soon) {
    const key = c.host ?? c.evidence.path;
    bySubject.set(key, [...(bySubject.get(key) ?? []), c]);
  }
  const findings: FindingDraft[] = [];
  for (const [key, certs] of bySubject) {
    const earliest = certs.map((c) => c.notAfter).sort()[0]!;
    const unique = [...new Set(certs.map((c) => c.name))];
    const list = unique.length > 6 ? `${unique.slice(0, 6).join(', ')} …(+${unique.length - 6})` : unique.join(', ');
    findings.push({
      subject: certs[0]!.host !== undefined ? { level: 'host', name: key } : { level: 'cluster', name: key },
      objects: unique.map((name): ObjectRef => ({ kind: 'Certificate', name })),
      evidence: [...certs.filter((c) => c.source !== 'check-expiration').slice(0, 4), ...certs.filter((c) => c.source === 'check-expiration').slice(0, 2)].map((c) => c.evidence),
      values: { certs: list, notAfter: `${earliest.slice(0, 16).replace('T', ' ')} UTC`, days: Math.floor((Date.parse(earliest) - now) / 86_400_000) },
    });
  }
  return { findings };
}
