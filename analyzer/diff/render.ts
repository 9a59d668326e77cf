// Renderers for `labsnap diff`: text, markdown, json and a self-contained side-by-side HTML page. They
// only format a DiffReport; every list is already ordered. Headings exist in en and ja.
import type { LogPattern } from './log-patterns.js';
import type { DiffFinding, DiffReport, RankedChange } from './diff.js';
import type { Lang } from '../report/types.js';

interface Words {
  title: string;
  old: string;
  new: string;
  collected: string;
  summary: (d: DiffReport) => string;
  likely: string;
  likelyNone: string;
  appeared: string;
  resolved: string;
  persisting: string;
  hostFacts: string;
  objects: string;
  logs: string;
  logsGone: (n: number) => string;
  collection: string;
  none: string;
  related: string;
  added: string;
  removed: string;
  changed: string;
  more: (n: number) => string;
  churn: string;
  seenIn: string;
  before: string;
  after: string;
}

const WORDS: Record<Lang, Words> = {
  en: {
    title: 'labsnap diff',
    old: 'OLD',
    new: 'NEW',
    collected: 'collected',
    summary: (d) =>
      `${d.counts.appeared} finding(s) appeared, ${d.counts.resolved} resolved, ${d.counts.persisting} persist; ` +
      `${d.counts.hostFacts} host fact(s) changed; objects: ${d.counts.objectsAdded} added, ${d.counts.objectsRemoved} removed, ${d.counts.objectsChanged} changed; ` +
      `${d.counts.logPatterns} new log warning pattern(s)`,
    likely: 'What changed, likeliest cause first',
    likelyNone: 'Nothing changed between the two bundles.',
    appeared: 'Findings that appeared',
    resolved: 'Findings that were resolved',
    persisting: 'Findings that persist',
    hostFacts: 'Host facts changed',
    objects: 'Kubernetes objects',
    logs: 'New warnings in logs (by pattern)',
    logsGone: (n) => `${n} pattern(s) of the old bundle are no longer seen.`,
    collection: 'Collection',
    none: 'none',
    related: 'related to',
    added: 'added',
    removed: 'removed',
    changed: 'changed',
    more: (n) => `… and ${n} more (--format json has them all)`,
    churn: 'Churn (resourceVersion, uids, timestamps, restart counts, heartbeats) is included.',
    seenIn: 'seen in',
    before: 'before',
    after: 'after',
  },
  ja: {
    title: 'labsnap diff',
    old: 'OLD',
    new: 'NEW',
    collected: '収集',
    summary: (d) =>
      `検出事項: 新規 ${d.counts.appeared} 件、解消 ${d.counts.resolved} 件、継続 ${d.counts.persisting} 件。` +
      `ホストの変更 ${d.counts.hostFacts} 件。オブジェクト: 追加 ${d.counts.objectsAdded}、削除 ${d.counts.objectsRemoved}、変更 ${d.counts.objectsChanged}。` +
      `新しいログ警告パターン ${d.counts.logPatterns} 件`,
    likely: '変更点(原因の可能性が高い順)',
    likelyNone: '2 つのバンドルの間に変更はありません。',
    appeared: '新たに出た検出事項',
    resolved: '解消した検出事項',
    persisting: '継続している検出事項',
    hostFacts: 'ホストの変更',
    objects: 'Kubernetes オブジェクト',
    logs: 'ログの新しい警告(パターン別)',
    logsGone: (n) => `旧バンドルにあった ${n} パターンは見られなくなりました。`,
    collection: '収集状況',
    none: 'なし',
    related: '関連',
    added: '追加',
    removed: '削除',
    changed: '変更',
    more: (n) => `… ほか ${n} 件(--format json ですべて出力)`,
    churn: 'チャーン(resourceVersion、uid、時刻、再起動回数、ハートビート)も含めています。',
    seenIn: '出現',
    before: '変更前',
    after: '変更後',
  },
};

const SEVERITY_LABEL: Record<Lang, Record<string, string>> = {
  en: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
  ja: { critical: '重大', warning: '警告', info: '情報' },
};

/** Items per section in text and markdown; json has everything. */
const SHOW = 25;

function findingLine(f: DiffFinding, lang: Lang): string {
  const sev = SEVERITY_LABEL[lang][f.severity]!;
  const was = f.oldSeverity ? ` (${SEVERITY_LABEL[lang][f.oldSeverity]} -> ${sev})` : '';
  return `[${sev}] ${f.ruleId}: ${f.summary}${was}`;
}

function changeLine(c: RankedChange, w: Words): string {
  return `${c.title}${c.related.length ? `  (${w.related}: ${c.related.join(', ')})` : ''}`;
}

function patternLine(p: LogPattern, w: Words): string {
  return `[${p.level}] ${p.source} ${p.origin} x${p.count}: ${p.pattern}  (${w.seenIn}: ${p.where.slice(0, 5).join(', ')}${p.where.length > 5 ? ', …' : ''}; ${p.sample.path}${p.sample.line ? `:${p.sample.line}` : ''})`;
}

function limited<T>(items: T[], show: (t: T) => string[], w: Words, n = SHOW): string[] {
  const out = items.slice(0, n).flatMap(show);
  if (items.length > n) out.push(w.more(items.length - n));
  return out;
}

function header(d: DiffReport, w: Words): string[] {
  return [
    `${w.old}: ${d.old.name} (${d.old.cluster}, ${w.collected} ${d.old.collectedAt})`,
    `${w.new}: ${d.new.name} (${d.new.cluster}, ${w.collected} ${d.new.collectedAt})`,
    ...d.notes.map((n) => `! ${n}`),
    ...(d.includeChurn ? [w.churn] : []),
  ];
}

export function renderDiffText(d: DiffReport): string {
  const w = WORDS[d.lang];
  const out: string[] = [`${w.title}`, ...header(d, w), '', w.summary(d), ''];
  const section = (title: string, lines: string[]) => {
    out.push(`== ${title}`, ...(lines.length ? lines.map((l) => `  ${l}`) : [`  (${w.none})`]), '');
  };
  section(w.likely, d.changes.length ? limited(d.changes, (c) => [changeLine(c, w)], w, 15).map((l, i) => (l.startsWith('…') ? l : `${String(i + 1).padStart(2)}. ${l}`)) : [w.likelyNone]);
  section(w.appeared, d.findings.appeared.map((f) => findingLine(f, d.lang)));
  section(w.resolved, d.findings.resolved.map((f) => findingLine(f, d.lang)));
  section(w.persisting, d.findings.persisting.map((f) => findingLine(f, d.lang)));
  section(
    w.hostFacts,
    limited(d.hostFacts, (f) => [`${f.host || '-'}  ${f.area}  ${f.key}: ${f.old ?? `(${w.none})`} -> ${f.new ?? `(${w.none})`}`], w),
  );
  section(
    w.objects,
    limited(
      d.objects,
      (o) => {
        const name = `${o.resource} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
        if (o.change !== 'changed') return [`${o.change === 'added' ? '+' : '-'} ${name} ${o.change === 'added' ? w.added : w.removed}`];
        return [`~ ${name}`, ...o.fields.slice(0, 8).map((f) => `    ${f.path}: ${brief(f.old, w)} -> ${brief(f.new, w)}`), ...(o.fields.length > 8 ? [`    ${w.more(o.fields.length - 8)}`] : [])];
      },
      w,
    ),
  );
  section(w.logs, [...limited(d.logs.appeared, (p) => [patternLine(p, w)], w), ...(d.logs.gone.length ? [w.logsGone(d.logs.gone.length)] : [])]);
  section(w.collection, d.collection.map((c) => `${c.path}: ${c.old ?? `(${w.none})`} -> ${c.new ?? `(${w.none})`}`));
  return `${out.join('\n').trimEnd()}\n`;
}

function brief(v: unknown, w: Words, max = 120): string {
  if (v === undefined) return `(${w.none})`;
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function md(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

export function renderDiffMarkdown(d: DiffReport): string {
  const w = WORDS[d.lang];
  const out: string[] = [`# ${w.title}`, '', ...header(d, w).map((l) => `- ${md(l)}`), '', md(w.summary(d)), ''];
  const section = (title: string, lines: string[]) => out.push(`## ${title}`, '', ...(lines.length ? lines : [`_${w.none}_`]), '');
  section(w.likely, d.changes.length ? limited(d.changes, (c) => [`1. ${md(changeLine(c, w))}`], w, 15) : [md(w.likelyNone)]);
  section(w.appeared, d.findings.appeared.map((f) => `- ${md(findingLine(f, d.lang))}`));
  section(w.resolved, d.findings.resolved.map((f) => `- ${md(findingLine(f, d.lang))}`));
  section(w.persisting, d.findings.persisting.map((f) => `- ${md(findingLine(f, d.lang))}`));
  const cell = (s: string) => md(s).replace(/\n/g, ' ');
  section(
    w.hostFacts,
    d.hostFacts.length
      ? ['| host | area | key | OLD | NEW |', '|---|---|---|---|---|', ...limited(d.hostFacts, (f) => [`| ${cell(f.host || '-')} | ${f.area} | ${cell(f.key)} | ${cell(f.old ?? '')} | ${cell(f.new ?? '')} |`], w)]
      : [],
  );
  section(
    w.objects,
    limited(
      d.objects,
      (o) => {
        const name = `${o.resource} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
        if (o.change !== 'changed') return [`- ${o.change === 'added' ? w.added : w.removed}: \`${name}\``];
        return [`- ${w.changed}: \`${name}\``, ...o.fields.slice(0, 8).map((f) => `  - \`${f.path}\`: ${md(brief(f.old, w))} → ${md(brief(f.new, w))}`)];
      },
      w,
    ),
  );
  section(w.logs, [...limited(d.logs.appeared, (p) => [`- ${md(patternLine(p, w))}`], w), ...(d.logs.gone.length ? ['', md(w.logsGone(d.logs.gone.length))] : [])]);
  section(w.collection, d.collection.map((c) => `- \`${c.path}\`: ${md(c.old ?? w.none)} → ${md(c.new ?? w.none)}`));
  return `${out.join('\n').trimEnd()}\n`;
}

/** The whole DiffReport, keys in a fixed order (the type's), 2-space indented. */
export function renderDiffJson(d: DiffReport): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d2b3a;color:#fff;padding:16px 24px}header h1{margin:0 0 6px;font-size:20px}
header .sides{display:grid;grid-template-columns:1fr 1fr;gap:16px;font-size:13px;opacity:.9}
main{padding:16px 24px;max-width:1400px}section{background:#fff;border:1px solid #dde2e8;border-radius:6px;margin:0 0 16px;padding:12px 16px}
h2{font-size:16px;margin:0 0 10px}table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-top:1px solid #e6e9ee;padding:6px 8px;text-align:left;vertical-align:top;word-wrap:break-word;overflow-wrap:anywhere}
th{background:#f0f2f5;font-weight:600}td.old{background:#fff1f0}td.new{background:#eefbf0}td.key{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}.sev{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;font-weight:600;color:#fff}
.critical{background:#c62828}.warning{background:#b26a00}.info{background:#1565c0}.rel{color:#5b6673;font-size:12px}
.note{color:#8a4b00}.empty{color:#5b6673;font-style:italic}ol.ranked li{margin:2px 0}details summary{cursor:pointer}
`;

export function renderDiffHtml(d: DiffReport): string {
  const w = WORDS[d.lang];
  const val = (v: string | undefined) => (v === undefined ? `<span class="empty">(${esc(w.none)})</span>` : esc(v));
  const findingRows = (list: DiffFinding[]) =>
    list.length
      ? `<ul>${list.map((f) => `<li><span class="sev ${f.severity}">${esc(SEVERITY_LABEL[d.lang][f.severity]!)}</span> <code>${esc(f.ruleId)}</code> ${esc(f.summary)}</li>`).join('')}</ul>`
      : `<p class="empty">${esc(w.none)}</p>`;
  const side = (title: string, cols: string[], rows: string[][], classes: string[]) =>
    rows.length
      ? `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td class="${classes[i] ?? ''}">${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`
      : `<p class="empty">${esc(w.none)}</p>`;
  const ranked = d.changes.length
    ? side(
        w.likely,
        ['#', '', w.before, w.after],
        d.changes.slice(0, 50).map((c, i) => [
          String(i + 1),
          `<span class="mono">${esc(c.subject)}</span> <span class="rel">${esc(c.kind)}${c.related.length ? ` · ${esc(w.related)}: ${esc(c.related.join(', '))}` : ''}</span><br>${esc(c.title)}`,
          c.fields ? c.fields.slice(0, 6).map((f) => `<code>${esc(f.path)}</code>: ${val(f.old === undefined ? undefined : JSON.stringify(f.old))}`).join('<br>') || val(c.old) : val(c.old),
          c.fields ? c.fields.slice(0, 6).map((f) => `<code>${esc(f.path)}</code>: ${val(f.new === undefined ? undefined : JSON.stringify(f.new))}`).join('<br>') || val(c.new) : val(c.new),
        ]),
        ['', '', 'old', 'new'],
      )
    : `<p class="empty">${esc(w.likelyNone)}</p>`;
  const facts = side(
    w.hostFacts,
    ['host', 'area', 'key', `${w.old} (${d.old.name})`, `${w.new} (${d.new.name})`],
    d.hostFacts.map((f) => [esc(f.host || '-'), esc(f.area), esc(f.key), val(f.old), val(f.new)]),
    ['', '', 'key', 'old', 'new'],
  );
  const objects = side(
    w.objects,
    ['object', 'field', w.old, w.new],
    d.objects.flatMap((o) => {
      const name = `${o.resource} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
      if (o.change !== 'changed') return [[esc(name), esc(o.change === 'added' ? w.added : w.removed), o.change === 'removed' ? '✓' : '', o.change === 'added' ? '✓' : '']];
      return o.fields.map((f, i) => [i === 0 ? esc(name) : '', `<code>${esc(f.path)}</code>`, val(f.old === undefined ? undefined : JSON.stringify(f.old)), val(f.new === undefined ? undefined : JSON.stringify(f.new))]);
    }),
    ['key', 'key', 'old', 'new'],
  );
  const logs = side(
    w.logs,
    ['source', 'pattern', 'count', w.seenIn],
    d.logs.appeared.map((p) => [esc(`${p.source} ${p.origin}`), `<code>${esc(p.pattern)}</code><br><span class="rel">${esc(p.sample.path)}${p.sample.line ? `:${p.sample.line}` : ''}</span>`, String(p.count), esc(p.where.join(', '))]),
    ['', '', '', ''],
  );
  const collection = side(w.collection, ['path', w.old, w.new], d.collection.map((c) => [`<code>${esc(c.path)}</code>`, val(c.old), val(c.new)]), ['key', 'old', 'new']);
  return `<!DOCTYPE html>
<html lang="${d.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(`${w.title}: ${d.old.name} → ${d.new.name}`)}</title><style>${CSS}</style></head>
<body><header><h1>${esc(w.title)}</h1><div class="sides">
<div><b>${esc(w.old)}</b> ${esc(d.old.name)}<br>${esc(d.old.cluster)} · ${esc(w.collected)} ${esc(d.old.collectedAt)}</div>
<div><b>${esc(w.new)}</b> ${esc(d.new.name)}<br>${esc(d.new.cluster)} · ${esc(w.collected)} ${esc(d.new.collectedAt)}</div></div></header>
<main>
${d.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<section id="summary"><p>${esc(w.summary(d))}</p>${d.includeChurn ? `<p class="rel">${esc(w.churn)}</p>` : ''}</section>
<section id="changes"><h2>${esc(w.likely)}</h2>${ranked}</section>
<section id="appeared"><h2>${esc(w.appeared)}</h2>${findingRows(d.findings.appeared)}</section>
<section id="resolved"><h2>${esc(w.resolved)}</h2>${findingRows(d.findings.resolved)}</section>
<section id="persisting"><h2>${esc(w.persisting)}</h2>${findingRows(d.findings.persisting)}</section>
<section id="host-facts"><h2>${esc(w.hostFacts)}</h2>${facts}</section>
<section id="objects"><h2>${esc(w.objects)}</h2>${objects}</section>
<section id="logs"><h2>${esc(w.logs)}</h2>${logs}${d.logs.gone.length ? `<p class="rel">${esc(w.logsGone(d.logs.gone.length))}</p>` : ''}</section>
<section id="collection"><h2>${esc(w.collection)}</h2>${collection}</section>
</main></body></html>
`;
}
