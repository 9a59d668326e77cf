// Fires per host holding a certificate past its NotAfter at collection time (pki *.crt, kubeadm certs
// check-expiration, an attached PEM), with the x509 errors the expiry causes (kubelet, control-plane pod
// logs, kubectl's own failures in the manifest) as further evidence. Errors whose "current time … is
// before" say the clock is behind belong to clock-skew. An x509 line from long before collection is
// history when the collected certificates are all valid now (they were renewed since).
import { bundlePath } from '../../../../bundle/layout.js';
import { jsonExcerpt } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import { certificateInputs, certificates, failedKubeItems, type CertView } from '../../../model/kubeadm.js';
import { attachmentHost } from '../../../model/attachments.js';
import type { Model } from '../../../model/model.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const HISTORY_MS = 3600_000;
const NOT_YET_VALID = /is before|certificate is not yet valid|not valid yet/;

function hostOfHit(model: Model, hit: LogHit): string | undefined {
  if (hit.host !== undefined) return hit.host;
  const attached = attachmentHost(model, hit.path);
  if (attached) return attached.host;
  if (hit.namespace !== undefined && hit.pod !== undefined) {
    const node = model.pods().find((p) => p.namespace === hit.namespace && p.name === hit.pod)?.obj.spec?.nodeName;
    const host = node !== undefined ? model.node(node)?.host?.name ?? node : undefined;
    return host;
  }
  return undefined;
}

function names(certs: CertView[]): string {
  const unique = [...new Set(certs.map((c) => c.name))];
  return unique.length > 6 ? `${unique.slice(0, 6).join(', ')} …(+${unique.length - 6})` : unique.join(', ');
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const now = ctx.collectedAt.getTime();
  const inputs = certificateInputs(model);
  const logs = ctx.logHits('expired');
  const kubectl = failedKubeItems(model).filter((i) => /certificate has expired|expired certificate/.test(i.stderr) && !/is before/.test(i.stderr));
  if (!inputs.usable && logs.scanned.length === 0 && kubectl.length === 0) {
    return { findings: [], skip: { reason: ja ? 'PKI の証明書、kubeadm certs check-expiration の出力、kubelet のジャーナル、Pod のログのどれもバンドルにない' : 'no pki certificates, kubeadm certs check-expiration, kubelet journal or pod logs in the bundle', missing: inputs.missing } };
  }

  const collected = certificates(model, ctx.excerpt);
  const expired = collected.filter((c) => Date.parse(c.notAfter) <= now);
  const hits = logs.hits.filter((h) => {
    if (NOT_YET_VALID.test(h.text)) return false;
    const at = /current time (\S+) is after/.exec(h.text)?.[1];
    return !(expired.length === 0 && inputs.usable && at !== undefined && now - Date.parse(at) > HISTORY_MS);
  });

  const findings: FindingDraft[] = [];
  const bySubject = new Map<string, CertView[]>();
  for (const c of expired) {
    const key = c.host ?? c.evidence.path;
    bySubject.set(key, [...(bySubject.get(key) ?? []), c]);
  }
  for (const [key, certs] of bySubject) {
    const isHost = certs[0]!.host !== undefined;
    const earliest = certs.map((c) => c.notAfter).sort()[0]!;
    const evidence: Evidence[] = certs.filter((c) => c.source !== 'check-expiration').slice(0, 4).map((c) => c.evidence);
    evidence.push(...certs.filter((c) => c.source === 'check-expiration').slice(0, 2).map((c) => c.evidence));
    findings.push({
      subject: isHost ? { level: 'host', name: key } : { level: 'cluster', name: key },
      objects: [...new Set(certs.map((c) => c.name))].map((name): ObjectRef => ({ kind: 'Certificate', name })),
      evidence,
      values: {
        basis: 'certificates',
        what: ja ? `証明書 ${names(certs)} が期限切れ（NotAfter ${earliest.slice(0, 16).replace('T', ' ')} UTC）` : `certificate ${names(certs)} expired (NotAfter ${earliest.slice(0, 16).replace('T', ' ')} UTC)`,
      },
    });
  }

  // With an expired certificate found, a host's own x509 errors (kubelet failing with its expired client
  // certificate) belong to that host's finding; errors elsewhere are consequences of the first one.
  const logEvidence = (h: LogHit): Evidence => (h.pointer !== undefined ? { path: h.path, pointer: h.pointer, excerpt: [h.text] } : { path: h.path, line: h.line, excerpt: [h.text] });
  const kubectlEvidence = kubectl.slice(0, 1).map((i): Evidence => ({ path: bundlePath.manifest(), pointer: `/items/${i.index}/stderr`, excerpt: jsonExcerpt({ path: i.path, stderr: i.stderr.split('\n')[0] }) }));
  const hostFindings = findings.filter((f) => f.subject.level === 'host');
  if (hostFindings.length > 0) {
    const own = new Map<string, LogHit[]>();
    const rest: LogHit[] = [];
    for (const h of hits) {
      const host = hostOfHit(model, h);
      if (host !== undefined && hostFindings.some((f) => f.subject.name === host)) own.set(host, [...(own.get(host) ?? []), h]);
      else rest.push(h);
    }
    const [target] = hostFindings;
    for (const f of hostFindings) {
      const mine = own.get(f.subject.name) ?? [];
      const others = f === target ? rest : [];
      f.evidence.push(...(f === target ? kubectlEvidence : []), ...mine.slice(-2).map(logEvidence), ...others.slice(-2).map(logEvidence));
      const seenBy = [...new Set([...mine, ...others].map((h) => hostOfHit(model, h)).filter((h): h is string => h !== undefined))];
      if (seenBy.length > 0) f.values!.what += ja ? `。証明書エラーを記録したホスト: ${seenBy.join(', ')}` : `; certificate errors logged on ${seenBy.join(', ')}`;
    }
    return { findings };
  }
  const byHost = new Map<string, LogHit[]>();
  for (const h of hits) {
    const key = hostOfHit(model, h) ?? h.path;
    byHost.set(key, [...(byHost.get(key) ?? []), h]);
  }
  for (const [key, list] of byHost) {
    const isHost = model.host(key) !== undefined;
    const inferredFrom = [...new Set(list.filter((h) => h.host === undefined && attachmentHost(model, h.path)?.inferred).map((h) => h.path))];
    const inferredNote = inferredFrom.length === 0 ? '' : ja ? `（${inferredFrom.join(', ')} の内容から ${key} のものと推定）` : ` (${inferredFrom.join(', ')} attributed to ${key}: inferred from its content)`;
    findings.push({
      subject: isHost ? { level: 'host', name: key } : { level: 'cluster', name: key },
      // A host inferred from an attachment's content shows the manifest's record of that inference.
      evidence: [...list.slice(-3).map(logEvidence), ...[...new Set(list.map((h) => attachmentHost(model, h.path)?.evidence ?? null))].filter((e): e is Evidence => e !== null)],
      // What the explains relation reads (clock-skew): errors alone, how many certificates were collected and
      // found valid, and how many errors state the host's time was past a NotAfter (those prove an expiry).
      values: {
        basis: 'x509-errors',
        certificates: collected.length,
        expiredCertificates: expired.length,
        errorsStatingExpiry: list.filter((h) => /current time \S+ is after/.test(h.text)).length,
        what: (ja ? `x509「certificate has expired」エラー ${list.length} 件（期限切れの証明書はバンドルの pki には見当たらない: kubelet のクライアント証明書などを確認）` : `${list.length} x509 "certificate has expired" error(s); no expired certificate among the collected pki files (check kubelet's client certificate)`) + inferredNote,
      },
    });
  }
  if (kubectl.length > 0 && findings.length === 0) {
    findings.push({ subject: { level: 'cluster', name: model.manifest.cluster }, evidence: kubectlEvidence, values: { what: ja ? 'kubectl が期限切れの証明書のため API サーバーに接続できなかった' : 'kubectl could not reach the API server: its certificate has expired' } });
  }
  return { findings };
}
