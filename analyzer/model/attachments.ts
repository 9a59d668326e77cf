// Which host an attachment belongs to, as the manifest records it: given by the user (`--attach cp1:FILE`,
// `labsnap attach BUNDLE cp1:FILE`) or inferred by the collector because the content names exactly one
// inventory host. Findings drawn from the attachment are about that host; an inferred one says so.
import { bundlePath } from '../../bundle/layout.js';
import type { Evidence } from '../report/types.js';
import { jsonExcerpt } from '../engine/evidence.js';
import type { Model } from './model.js';

export interface AttachmentHost {
  host: string;
  inferred: boolean;
  /** Evidence of an inferred attribution (the manifest's record of it); null when the user gave the host. */
  evidence: Evidence | null;
}

export function attachmentHost(model: Model, path: string): AttachmentHost | undefined {
  if (!path.startsWith('attachments/')) return undefined;
  const index = model.manifest.items.findIndex((i) => i.path === path && i.kind === 'attachment');
  const item = model.manifest.items[index];
  if (!item?.host || model.host(item.host) === undefined) return undefined;
  const inferred = item.hostAttribution === 'inferred';
  return {
    host: item.host,
    inferred,
    evidence: inferred
      ? { path: bundlePath.manifest(), pointer: `/items/${index}/hostAttribution`, excerpt: jsonExcerpt({ path, host: item.host, hostAttribution: 'inferred', hostAttributionReason: item.hostAttributionReason ?? null }) }
      : null,
  };
}
