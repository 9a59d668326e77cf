// Fires per pod held in its init phase by an init container that fails: Init:CrashLoopBackOff,
// Init:Error (a failed run not retried yet, or a restartPolicy Never pod), or RunContainerError when the
// command cannot even start. The main containers never start, so the init container's own log (its error
// lines) or its termination message is the evidence. A pod whose init phase has completed is not held,
// whatever its init containers did before; pull, configuration and memory failures are their own rules'.
import { bundlePath } from '../../../../bundle/layout.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { eventEvidence, eventsFor, heldInInit, statusesOf } from '../../../model/workloads.js';
import type { Evidence } from '../../../report/types.js';

const HELD = /^(CrashLoopBackOff|RunContainerError|CreateContainerError)$/;

function readable(line: string): string {
  const text = line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z\s+/, '').trim();
  const msg = /"(?:msg|message)"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  const out = msg !== undefined && text.startsWith('{') ? msg : text;
  return out.length > 220 ? `${out.slice(0, 220)}…` : out;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods')) {
    return { findings: [], skip: { reason: ja ? 'Pod が収集されていない' : 'pods were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/pods.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const hits = ctx.logHits('initLog').hits;
  const findings: FindingDraft[] = [];
  for (const pod of model.pods()) {
    const ns = pod.namespace ?? '';
    if (!heldInInit(pod.obj)) continue;
    for (const s of statusesOf(pod.obj).filter((x) => x.init)) {
      const st = s.status;
      const waiting = st.state?.waiting;
      const term = st.state?.terminated ?? (waiting && HELD.test(waiting.reason ?? '') ? st.lastState?.terminated : undefined);
      const failedNow = st.state?.terminated !== undefined && (st.state.terminated.exitCode ?? 0) !== 0;
      const looping = waiting !== undefined && HELD.test(waiting.reason ?? '');
      if (!failedNow && !looping) continue;
      if (term?.reason === 'OOMKilled') continue;
      const container = st.name ?? '';
      const logs = [bundlePath.podLog(ns, pod.name, container, true), bundlePath.podLog(ns, pod.name, container, false)];
      // The previous run's log is the failed one while kubelet waits to retry; the current log after Init:Error.
      const lines: LogHit[] = (failedNow ? [logs[1], logs[0]] : logs).map((p) => hits.filter((h) => h.path === p)).find((l) => l.length > 0) ?? [];
      const evidence: Evidence[] = [itemEvidence(pod, s.pointer, { name: container, restartCount: st.restartCount, state: st.state, ...(st.lastState?.terminated ? { lastState: st.lastState } : {}) })];
      for (const h of lines.slice(-3)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
      const failed = eventsFor(model, 'Pod', ns, pod.name).filter((e) => e.obj.reason === 'Failed' && (e.obj.involvedObject?.fieldPath ?? '').endsWith(`{${container}}`));
      if (failed.length > 0) evidence.push(eventEvidence(failed[failed.length - 1]!));
      const error =
        lines.length > 0
          ? readable(lines[lines.length - 1]!.text)
          : (term?.message ?? waiting?.message ?? failed[failed.length - 1]?.obj.message ?? '').trim().split('\n').pop()!.slice(0, 220) || (ja ? 'ログにエラー行がない' : 'no error line in its log');
      const state = looping ? `Init:${waiting!.reason}` : 'Init:Error';
      findings.push({
        subject: { level: 'namespace', name: ns },
        objects: [{ kind: 'Pod', namespace: ns, name: pod.name }],
        evidence,
        values: {
          pod: `${ns}/${pod.name}`,
          container,
          state,
          exit: term?.exitCode !== undefined ? (ja ? `終了コード ${term.exitCode}、` : `exit ${term.exitCode}, `) : '',
          restarts: st.restartCount ?? 0,
          error,
        },
      });
    }
  }
  return { findings };
}
