// Worker thread that scans large logs while the main thread reads the archive and parses everything
// else (see scan-parallel.ts). It holds its own LogScanner built from the same patterns; its findings are
// merged into the main thread's scanner at the end of the pass.
import { parentPort, workerData } from 'node:worker_threads';
import type { ArtifactRef } from '../../bundle/layout.js';
import type { LogPatternSpec } from '../engine/types.js';
import { LogScanner, type FileScan } from './log-scan.js';
import type { ToWorker } from './scan-parallel.js';

const port = parentPort;
if (!port) throw new Error('scan-worker.js runs only as a worker thread');
const scanner = new LogScanner(new Map((workerData as { specs: [string, LogPatternSpec][] }).specs));
let file: FileScan | null = null;

port.on('message', (message: ToWorker) => {
  try {
    switch (message.type) {
      case 'begin':
        file = scanner.begin(message.path, message.ref as ArtifactRef, message.ordinal);
        break;
      case 'text': {
        let chars = 0;
        for (const chunk of message.chunks) {
          file?.push(chunk);
          chars += chunk.length;
        }
        port.postMessage({ type: 'done', chars });
        break;
      }
      case 'end':
        file?.end();
        file = null;
        break;
      case 'finish':
        port.postMessage({ type: 'state', state: scanner.exportState() });
        break;
    }
  } catch (err) {
    port.postMessage({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
