// Fires per Job that gave up: its Failed condition (BackoffLimitExceeded, DeadlineExceeded) when Job
// objects are in the bundle, else the Job controller's event saying so. The finding carries the last
// pod's end (reason, exit code, termination message) and points at its log, since that is what failed. A
// CronJob's failed run is history once a later run of the same CronJob succeeded.
import { bundlePath } from '../../../../bundle/layout.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeItem, KubeObject, Pod } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { eventEvidence, eventsFor, eventTime, statusesOf, timeOf } from '../../../model/workloads.js';
import type { Evidence } from '../../../report/types.js';

const GAVE_UP = /^(BackoffLimitExceeded|DeadlineExceeded|PodFailurePolicy|MaxFailedIndexesExceeded)$/;

interface Job extends KubeObject {
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string }[]; failed?: number; succeeded?: number };
}

function podsOf(model: Model, ns: string, job: string): KubeItem<Pod>[] {
  return model
    .pods()
    .filter((p) => p.namespace === ns && (p.obj.metadata?.labels?.['job-name'] === job || p.obj.metadata?.labels?.['batch.kubernetes.io/job-name'] === job || p.obj.metadata?.ownerReferences?.some((o) => o.kind === 'Job' && o.name === job)))
    .sort((a, b) => (timeOf(a.obj.status?.startTime ?? a.obj.metadata?.creationTimestamp) ?? 0) - (timeOf(b.obj.status?.startTime ?? b.obj.metadata?.creationTimestamp) ?? 0));
}

/** `backup-29012345` → `backup`: the CronJob a scheduled Job's name comes from. */
function cronOf(job: KubeItem<Job> | undefined, name: string): string | undefined {
  return job?.obj.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob')?.name ?? /^(.+)-\d{8,}$/.exec(name)?.[1];
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('jobs') && !model.hasKube('events')) {
    return {
      findings: [],
      skip: {
        reason: ja ? 'Job もイベントも収集されていない' : 'neither Jobs nor events were collected',
        missing: ['cluster/namespaces/*/jobs.json', 'cluster/namespaces/*/events.json'].flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)),
      },
    };
  }
  const jobs = model.kube<Job>('jobs');
  const failed = new Map<string, { ns: string; name: string; job?: KubeItem<Job>; reason: string; message: string; at?: number; evidence: Evidence[] }>();
  for (const job of jobs) {
    const conds = job.obj.status?.conditions ?? [];
    const i = conds.findIndex((c) => c.type === 'Failed' && c.status === 'True');
    if (i < 0) continue;
    const c = conds[i]!;
    const at = timeOf(c.lastTransitionTime);
    failed.set(`${job.namespace}/${job.name}`, { ns: job.namespace ?? '', name: job.name, job, reason: c.reason ?? 'Failed', message: c.message ?? '', ...(at !== undefined ? { at } : {}), evidence: [itemEvidence(job, `/status/conditions/${i}`, c)] });
  }
  for (const e of model.events()) {
    const o = e.obj.involvedObject;
    if (o?.kind !== 'Job' || !o.name || !GAVE_UP.test(e.obj.reason ?? '')) continue;
    const ns = o.namespace ?? e.namespace ?? '';
    const key = `${ns}/${o.name}`;
    const known = jobs.find((j) => j.namespace === ns && j.name === o.name);
    // A Job object that does not say Failed (re-run, or deleted and recreated) outranks an old event.
    if (known && !failed.has(key)) continue;
    const prior = failed.get(key);
    if (prior) {
      prior.evidence.push(eventEvidence(e));
      continue;
    }
    failed.set(key, { ns, name: o.name, reason: e.obj.reason!, message: e.obj.message ?? '', at: eventTime(e.obj), evidence: [eventEvidence(e)] });
  }
  const findings: FindingDraft[] = [];
  for (const f of failed.values()) {
    const cron = cronOf(f.job, f.name);
    if (cron) {
      const laterSuccess =
        jobs.some((j) => j.namespace === f.ns && j.name !== f.name && cronOf(j, j.name) === cron && (j.obj.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True' && (timeOf(c.lastTransitionTime) ?? 0) > (f.at ?? 0))) ||
        model.pods().some((p) => p.namespace === f.ns && p.obj.status?.phase === 'Succeeded' && cronOf(undefined, p.obj.metadata?.labels?.['job-name'] ?? '') === cron && (timeOf(p.obj.status?.startTime ?? p.obj.metadata?.creationTimestamp) ?? 0) > (f.at ?? 0));
      if (laterSuccess) continue;
    }
    const pods = podsOf(model, f.ns, f.name);
    const last = pods[pods.length - 1];
    let podError = '';
    const evidence = [...f.evidence];
    if (last) {
      const ends = statusesOf(last.obj)
        .map((s) => ({ s, t: s.status.state?.terminated ?? s.status.lastState?.terminated }))
        .filter((x) => x.t && (x.t.exitCode ?? 0) !== 0);
      const end = ends[0];
      if (end) {
        evidence.push(itemEvidence(last, end.s.pointer, { name: end.s.status.name, state: end.s.status.state, lastState: end.s.status.lastState }));
        const log = bundlePath.podLog(f.ns, last.name, end.s.status.name ?? '', false);
        if (model.artifacts.usable(log)) evidence.push({ path: log, excerpt: [ja ? '（最後の Pod のログ）' : '(the last pod’s log)'] });
        const msg = end.t!.message?.trim().split('\n').pop();
        podError = `${end.s.status.name}: ${end.t!.reason ?? 'Error'}, ${ja ? '終了コード' : 'exit code'} ${end.t!.exitCode}${msg ? ` — ${msg.length > 160 ? `${msg.slice(0, 160)}…` : msg}` : ''}`;
      } else {
        const events = eventsFor(model, 'Pod', f.ns, last.name).filter((e) => e.obj.type === 'Warning');
        const ev = events[events.length - 1];
        if (ev) {
          evidence.push(eventEvidence(ev));
          podError = `${ev.obj.reason}: ${ev.obj.message ?? ''}`.slice(0, 200);
        } else podError = last.obj.status?.phase ?? '';
      }
    }
    findings.push({
      subject: { level: 'namespace', name: f.ns },
      objects: [{ kind: 'Job', namespace: f.ns, name: f.name }, ...(last ? [{ kind: 'Pod', namespace: f.ns, name: last.name }] : [])],
      evidence,
      values: {
        job: `${f.ns}/${f.name}`,
        cron: cron ? (ja ? `（CronJob ${cron}）` : ` (CronJob ${cron})`) : '',
        reason: f.reason,
        message: f.message,
        last: last
          ? ja
            ? `。最後の Pod ${last.name}${podError ? `: ${podError}` : ''}`
            : `; last pod ${last.name}${podError ? `: ${podError}` : ''}`
          : ja
            ? '（Pod はバンドルにない）'
            : ' (its pods are not in the bundle)',
      },
    });
  }
  return { findings };
}
