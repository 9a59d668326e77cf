// Fires per namespace and image whose pods wait on a pull that cannot reach the registry (DNS "no such
// host", i/o timeout, connection refused, no route), per node whose sandbox (pause) image cannot be
// fetched (kubelet/containerd "failed to get sandbox image"), and per attachment quoting such an error.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { pullFindings } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  return pullFindings(model, ctx, 'unreachable');
}
