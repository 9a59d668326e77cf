// Live progress for `collect`: one bar per host on a terminal, plain log lines otherwise (CI logs and
// pipes must stay readable, so nothing there redraws).
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import type { ItemStatus } from '../bundle/manifest.js';

export interface CollectProgress {
  /** A progress line (a host, or the cluster) starts with this many items planned. */
  lineStarted(key: string, total: number): void;
  /** More items were planned on a line (files found in a folder, per-namespace objects). */
  addItems(key: string, count: number): void;
  itemStarted(key: string, label: string): void;
  itemFinished(key: string, status: ItemStatus, bytes: number): void;
  lineFinished(key: string, summary: string): void;
  /** A message that is not about one item (a host that could not be reached). */
  log(message: string): void;
  stop(): void;
}

interface LineState {
  done: number;
  total: number;
  failures: number;
  current: string;
}

function shorten(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

export class PlainProgress implements CollectProgress {
  private readonly lines = new Map<string, LineState>();
  constructor(private readonly out: Writable) {}
  private state(key: string): LineState {
    let s = this.lines.get(key);
    if (!s) {
      s = { done: 0, total: 0, failures: 0, current: '' };
      this.lines.set(key, s);
    }
    return s;
  }
  lineStarted(key: string, total: number): void {
    this.state(key).total += total;
    this.out.write(`[${key}] started: ${total} items planned\n`);
  }
  addItems(key: string, count: number): void {
    this.state(key).total += count;
  }
  itemStarted(): void {
    // Per-item start lines would flood a CI log; failures and the per-host summary carry the signal.
  }
  itemFinished(key: string, status: ItemStatus): void {
    const s = this.state(key);
    s.done++;
    if (status !== 'ok') s.failures++;
  }
  lineFinished(key: string, summary: string): void {
    const s = this.state(key);
    this.out.write(`[${key}] done: ${s.done}/${s.total} items, ${s.failures} not ok${summary ? `; ${summary}` : ''}\n`);
  }
  log(message: string): void {
    this.out.write(`${message}\n`);
  }
  stop(): void {}
}

export class TtyProgress implements CollectProgress {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<string, { bar: cliProgress.SingleBar; state: LineState }>();

  constructor(out: Writable) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream: out as unknown as NodeJS.WritableStream,
        format: ' {key} [{bar}] {value}/{total} items, {failures} not ok  {current}',
        barsize: 20,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
        forceRedraw: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  private entry(key: string) {
    let e = this.bars.get(key);
    if (!e) {
      const state: LineState = { done: 0, total: 0, failures: 0, current: '' };
      e = { bar: this.multibar.create(0, 0, { key: key.padEnd(12), failures: 0, current: '' }), state };
      this.bars.set(key, e);
    }
    return e;
  }
  private redraw(key: string): void {
    const e = this.entry(key);
    e.bar.setTotal(Math.max(e.state.total, 1));
    e.bar.update(e.state.done, { failures: e.state.failures, current: shorten(e.state.current, 50) });
  }
  lineStarted(key: string, total: number): void {
    this.entry(key).state.total += total;
    this.redraw(key);
  }
  addItems(key: string, count: number): void {
    this.entry(key).state.total += count;
    this.redraw(key);
  }
  itemStarted(key: string, label: string): void {
    this.entry(key).state.current = label;
    this.redraw(key);
  }
  itemFinished(key: string, status: ItemStatus): void {
    const s = this.entry(key).state;
    s.done++;
    if (status !== 'ok') s.failures++;
    this.redraw(key);
  }
  lineFinished(key: string, summary: string): void {
    this.entry(key).state.current = summary || 'done';
    this.redraw(key);
  }
  log(message: string): void {
    this.multibar.log(`${message}\n`);
  }
  stop(): void {
    this.multibar.stop();
  }
}

/** Progress that reports nothing, for callers that only want the result. */
export const silentProgress: CollectProgress = {
  lineStarted() {},
  addItems() {},
  itemStarted() {},
  itemFinished() {},
  lineFinished() {},
  log() {},
  stop() {},
};
