// Fires per container in CrashLoopBackOff whose last run ended with a non-zero exit code, when no probe
// failed for the pod (a failing probe is pod-crashloop-probe's finding: suspect the probe first) and the
// container was not OOM-killed (a memory limit, not an application error). The evidence is the error
// lines of its previous log, or the termination message when the container never got to log. An init
// container of a pod held in its init phase is init-container-failing's finding (a sidecar, or one re-run
// in a running pod, stays here).
import { bundlePath } from '../../../../bundle/layout.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { eventEvidence, eventsFor, heldInInit, isProbeFailure, statusesOf } from '../../../model/workloads.js';
import type { Evidence } from '../../../report/types.js';

/** A log line without kubectl's --timestamps prefix; a JSON line shortened to its message. */
function readable(line: string): string {
  const text = line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z\s+/, '').trim();
  const msg = /"(?:msg|message)"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  return msg !== undefined && text.startsWith('{') ? msg : text;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods')) {
    return { findings: [], skip: { reason: ja ? 'Pod が収集されていない' : 'pods were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/pods.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const errorHits = ctx.logHits('errorLines').hits;
  const findings: FindingDraft[] = [];
  for (const pod of model.pods()) {
    const ns = pod.namespace ?? '';
    const events = eventsFor(model, 'Pod', ns, pod.name);
    if (events.some((e) => isProbeFailure(e.obj))) continue;
    for (const s of statusesOf(pod.obj)) {
      const st = s.status;
      if (st.state?.waiting?.reason !== 'CrashLoopBackOff') continue;
      if (s.init && heldInInit(pod.obj)) continue;
      const last = st.lastState?.terminated ?? st.state?.terminated;
      if (!last || last.exitCode === undefined || last.exitCode === 0 || last.reason === 'OOMKilled') continue;
      const container = st.name ?? '';
      const previous = bundlePath.podLog(ns, pod.name, container, true);
      const lines: LogHit[] = errorHits.filter((h) => h.path === previous);
      const evidence: Evidence[] = [itemEvidence(pod, s.pointer, { name: container, restartCount: st.restartCount, state: st.state, lastState: { terminated: last } })];
      let detail: string;
      if (lines.length > 0) {
        for (const h of lines.slice(-3)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
        detail = readable(lines[lines.length - 1]!.text);
      } else if (last.message) {
        detail = last.message.trim().split('\n').pop()!;
      } else {
        // Exit code alone does not say what to fix; the catalogue asks for the error lines.
        continue;
      }
      const backoff = events.filter((e) => e.obj.reason === 'BackOff').slice(-1);
      evidence.push(...backoff.map(eventEvidence));
      findings.push({
        subject: { level: 'namespace', name: ns },
        objects: [{ kind: 'Pod', namespace: ns, name: pod.name }],
        evidence,
        values: {
          pod: `${ns}/${pod.name}`,
          container: `${container}${s.init ? (ja ? '（init）' : ' (init)') : ''}`,
          exitCode: last.exitCode,
          restarts: st.restartCount ?? 0,
          error: detail.length > 220 ? `${detail.slice(0, 220)}…` : detail,
        },
      });
    }
  }
  return { findings };
}
