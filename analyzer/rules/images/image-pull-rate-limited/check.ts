// Fires per namespace and image whose pods wait on a pull the registry refused with HTTP 429
// (toomanyrequests: Docker Hub's pull rate limit), per node whose sandbox image hit it, and per attachment
// quoting it. The newest error of a container decides, so a pull that later failed for another reason is
// left to that reason's rule. Says whether the pulls were anonymous (no imagePullSecrets: the lowest
// limit, shared by every machine behind the lab's public address) and whether the tag is re-pulled on
// every start.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { pullFindings } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  return pullFindings(model, ctx, 'rate-limited', (g) => {
    const notes: string[] = [];
    if (g.subject.level === 'namespace') notes.push(g.noSecrets ? (ja ? '匿名で取得（imagePullSecrets なし）' : 'anonymous pulls (no imagePullSecrets)') : ja ? '認証付きの取得でも上限に達した' : 'the limit was hit even with credentials');
    const tag = /(?:^|\/)[^/:@]+(?::([^/@]+))?(?:@.*)?$/.exec(g.image)?.[1];
    if (!g.image.includes('@') && (tag === undefined || tag === 'latest')) notes.push(ja ? '`:latest` は起動のたびに取得し直される' : '`:latest` is pulled again on every start');
    // The registry's own words, not the long blob URL before them.
    const said = /(?:429 Too Many Requests|toomanyrequests)[^"]*/i.exec(g.message.replace(/\\"/g, '"'))?.[0].replace(/\s+https?:\S+\s*$/, '').trim();
    return { ...(said ? { error: said.length > 160 ? `${said.slice(0, 160)}…` : said } : {}), notes: notes.length > 0 ? ` — ${notes.join(ja ? '、' : '; ')}` : '' };
  });
}
