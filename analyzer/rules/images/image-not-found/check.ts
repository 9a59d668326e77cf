// Fires per namespace and image whose pods wait on a pull the registry answers "not found" / "manifest
// unknown" (a wrong tag or name), per node whose sandbox (pause) image is not found, and per attachment
// quoting such an error. The newest error of a container decides, so a pod that hit Docker Hub's rate
// limit (429) or a credentials problem is left to the rule for that.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { pullFindings } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  return pullFindings(model, ctx, 'not-found');
}
