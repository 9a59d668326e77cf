// The recent-changes timeline as a chart: one lane per kind of change, a UTC time axis ending at the
// collection time, one dot per change linking to its row in the table below.
import { messagesFor } from '../i18n.js';
import type { Report, TimelineEntry } from '../types.js';
import { esc } from './escape.js';

const KINDS: TimelineEntry['kind'][] = ['package', 'config', 'boot', 'restart', 'rollout', 'event'];
const WIDTH = 1200;
const GUTTER = 110;
const RIGHT = 24;
const LANE_H = 34;
const TOP = 12;
const AXIS_H = 30;
/** Dots nearer than this (in chart units) share one circle; two circles never overlap. */
const CLUSTER_PX = 17;
const TIP_LINES = 8;

const MINUTE = 60_000;
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 180 * MINUTE, 360 * MINUTE, 720 * MINUTE, 1440 * MINUTE, 2880 * MINUTE, 7 * 1440 * MINUTE, 30 * 1440 * MINUTE];

const r1 = (n: number): string => String(Math.round(n * 10) / 10);

function tickLabel(t: number, step: number): string {
  const iso = new Date(t).toISOString();
  if (step >= 1440 * MINUTE) return iso.slice(5, 10);
  if (step >= 180 * MINUTE) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, 16);
}

/** Entries are numbered by their index in report.recentChanges; the table rows carry the same ids. */
export function renderTimelineSvg(report: Report): string {
  const m = messagesFor(report.lang);
  const entries = report.recentChanges.map((e, i) => ({ e, i, t: Date.parse(e.at) })).filter((x) => Number.isFinite(x.t));
  if (entries.length === 0) return '';
  const lanes = KINDS.filter((k) => entries.some((x) => x.e.kind === k));
  const collected = Date.parse(report.summary.collectedAt);
  let start = Math.min(...entries.map((x) => x.t));
  let end = Math.max(...entries.map((x) => x.t), Number.isFinite(collected) ? collected : -Infinity);
  if (end - start < 2 * MINUTE) {
    start -= MINUTE;
    end += MINUTE;
  }
  // A margin on both sides keeps the first and last dots whole.
  const margin = (end - start) * 0.015;
  start -= margin;
  end += margin;
  const span = end - start;
  const plot = WIDTH - GUTTER - RIGHT;
  const x = (t: number) => GUTTER + ((t - start) / span) * plot;
  const height = TOP + lanes.length * LANE_H + AXIS_H;
  const step = STEPS.find((s) => span / s <= 8) ?? STEPS[STEPS.length - 1]!;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(m.sections.recentChanges)}">`];
  const axisY = TOP + lanes.length * LANE_H;
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    out.push(`<line class="grid" x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${TOP}" y2="${axisY}"/>`);
    out.push(`<text class="tick" x="${r1(x(t))}" y="${axisY + 18}" text-anchor="middle">${esc(tickLabel(t, step))}</text>`);
  }
  lanes.forEach((kind, li) => {
    const y = TOP + li * LANE_H;
    out.push(`<rect class="lane" x="${GUTTER}" y="${y + 2}" width="${plot}" height="${LANE_H - 4}" rx="4"/>`);
    out.push(`<text class="lane-label" x="${GUTTER - 10}" y="${y + LANE_H / 2 + 4}" text-anchor="end">${esc(m.timelineKind[kind])}</text>`);
  });
  out.push(`<line class="axis" x1="${GUTTER}" x2="${WIDTH - RIGHT}" y1="${axisY}" y2="${axisY}"/>`);
  if (Number.isFinite(collected)) {
    out.push(`<line class="collected" x1="${r1(x(collected))}" x2="${r1(x(collected))}" y1="${TOP - 4}" y2="${axisY}"><title>${esc(`${m.summary.collectedAt} ${report.summary.collectedAt}`)}</title></line>`);
  }
  // Changes closer than a dot's width in one lane become one bigger dot with a count, so every dot stays
  // visible and clickable however bursty the log is; its tooltip lists what it holds.
  for (const [li, kind] of lanes.entries()) {
    const inLane = entries.filter((x) => x.e.kind === kind).sort((a, b) => a.t - b.t || a.i - b.i);
    const clusters: { x: number; items: typeof inLane }[] = [];
    for (const item of inLane) {
      const cx = x(item.t);
      const last = clusters[clusters.length - 1];
      if (last && cx - last.x < CLUSTER_PX) last.items.push(item);
      else clusters.push({ x: cx, items: [item] });
    }
    const cy = TOP + li * LANE_H + LANE_H / 2;
    for (const c of clusters) {
      const n = c.items.length;
      const r = n === 1 ? 5 : Math.min(8, 5 + Math.log2(n));
      const shown = c.items.slice(-TIP_LINES).reverse();
      const tip = shown.map(({ e }) => `${e.at}${e.host !== undefined ? ` ${e.host}` : ''}  ${e.text}`);
      if (n > shown.length) tip.push(`… +${n - shown.length}`);
      const target = c.items[c.items.length - 1]!.i;
      out.push(`<a href="#tl-${target}" class="tl-dot" data-tl="${c.items.map((x) => x.i).join(' ')}"><circle class="k-${kind}" cx="${r1(c.x)}" cy="${r1(cy)}" r="${r1(r)}"/>`);
      if (n > 1) out.push(`<text class="count" x="${r1(c.x)}" y="${r1(cy + 3.5)}" text-anchor="middle">${n > 99 ? '99+' : n}</text>`);
      out.push(`<title>${esc(tip.join('\n'))}</title></a>`);
    }
  }
  out.push('</svg>');
  return out.join('');
}
