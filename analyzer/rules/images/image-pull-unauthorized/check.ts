// Fires per namespace and image whose pods wait on a pull the registry refuses for want of credentials
// (401, insufficient_scope, pull access denied, no basic auth credentials), per node whose sandbox image
// is refused, and per attachment quoting such an error. Says whether the pod names no imagePullSecret
// or names one kubelet could not read.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { pullErrorTail, pullFindings } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  return pullFindings(model, ctx, 'unauthorized', (g) => {
    const secrets = g.secretProblem
      ? ja
        ? '指定された imagePullSecret を読めない'
        : 'the imagePullSecret it names cannot be read'
      : g.noSecrets
        ? ja
          ? 'Pod に imagePullSecrets がない'
          : 'the pod has no imagePullSecrets'
        : ja
          ? 'imagePullSecret の認証情報が拒否された'
          : 'the imagePullSecret credentials were refused';
    return { secrets: g.subject.level === 'namespace' ? secrets : pullErrorTail(g.message) };
  });
}
