// The typed entry point behind `labsnap redact`: one opened bundle in, one redacted bundle file out.
import type { OpenedBundle } from '../../bundle/reader.js';
import { rewriteBundle, type RewriteResult } from './bundle.js';
import { RedactionSession, type RedactionSettings } from './session.js';

export async function redactBundleFile(opened: OpenedBundle, outFile: string, settings: RedactionSettings): Promise<RewriteResult> {
  return rewriteBundle(opened, new RedactionSession(settings), outFile);
}
