// The stylesheet of labsnap's HTML pages, in one constant so other pages (a diff, say) can reuse it. System
// fonts only: a report must not fetch a font, and must read the same offline.
export const REPORT_CSS = `
:root {
  --bg: #f5f6f8; --card: #fff; --line: #dadce0; --text: #202124; --muted: #5f6368;
  --crit: #c5221f; --crit-bg: #fce8e6; --warn: #b06000; --warn-line: #f29900; --warn-bg: #fef7e0;
  --info: #1967d2; --info-bg: #e8f0fe; --ok: #188038; --sel: #174ea6;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, "Noto Sans Mono CJK JP", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK JP", "Hiragino Sans", sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.5 var(--sans); }
main { max-width: 1440px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
code { background: #f1f3f4; border-radius: 3px; padding: 0 3px; overflow-wrap: anywhere; }
a { color: var(--info); }
.sub { color: var(--muted); margin: 0; }
.pills { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0 0; padding: 0; list-style: none; }
.pill { border-radius: 999px; padding: 2px 12px; font-weight: 600; border: 1px solid var(--line); background: var(--card); }
.pill.critical { background: var(--crit-bg); color: var(--crit); border-color: #f4c7c3; }
.pill.warning { background: var(--warn-bg); color: var(--warn); border-color: #fde293; }
.pill.info { background: var(--info-bg); color: var(--info); border-color: #c6dafc; }
.banner { background: var(--warn-bg); border: 1px solid #fde293; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { text-align: left; vertical-align: top; padding: 5px 10px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); background: #fafafa; }
.kv th { width: 200px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }

/* Topology */
.topo-wrap { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; align-items: start; }
.topo-wrap.open { grid-template-columns: minmax(0, 1fr) 360px; }
.topo-tools { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin-bottom: 8px; color: var(--muted); }
.topo-tools button, button.copy { font: inherit; font-size: 12px; border: 1px solid var(--line); background: var(--card); border-radius: 4px; padding: 2px 8px; cursor: pointer; color: var(--text); }
.topo-tools button:hover, button.copy:hover { background: #f1f3f4; }
.legend { display: flex; gap: 12px; margin-left: auto; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; border: 2px solid; vertical-align: -2px; margin-right: 4px; }
.legend .l-critical { border-color: var(--crit); background: var(--crit-bg); }
.legend .l-warning { border-color: var(--warn-line); background: var(--warn-bg); }
.legend .l-info { border-color: var(--info); background: var(--info-bg); }
.legend .l-healthy { border-color: #9aa0a6; background: #fff; }
.topo-view { height: min(78vh, var(--topo-h, 78vh)); min-height: 240px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; cursor: grab;
  background: #fff radial-gradient(circle, #e3e5e8 1px, transparent 1px) 0 0 / 16px 16px; }
.topo-view.dragging { cursor: grabbing; }
#topology { display: block; font-family: var(--mono); font-size: 12px; }
#topology .edge { fill: none; stroke: #9aa0a6; stroke-width: 1.4; }
#topology .arrowhead { fill: #9aa0a6; }
#topology .el { cursor: pointer; outline: none; }
#topology .frame { fill: #fff; stroke: #bdc1c6; stroke-width: 1.2; }
#topology .stripe { fill: #9aa0a6; }
#topology .pve .stripe { fill: #e8710a; }
#topology .bridge .stripe { fill: #12b5cb; }
#topology .vm .stripe { fill: #9334e6; }
#topology .machine .stripe { fill: #1a73e8; }
#topology .pods .stripe { fill: #5b8def; }
#topology .lb .stripe { fill: #188038; }
#topology text { fill: var(--text); }
#topology text.title { font-weight: 700; font-size: 13px; }
#topology .muted, #topology tspan.muted { fill: var(--muted); }
#topology .ok { fill: var(--ok); }
#topology .bad, #topology tspan.bad { fill: var(--crit); font-weight: 600; }
#topology .warn { fill: var(--warn); }
#topology .dot-ok { fill: #34a853; }
#topology .dot-bad { fill: var(--crit); }
#topology .dot-done { fill: #bdc1c6; }
#topology .row { fill: transparent; }
#topology .pod:hover .row, #topology .pod:focus .row { fill: #f1f3f4; }
#topology .port rect { fill: #fff; stroke: #9aa0a6; stroke-width: 1.2; }
#topology .port text { font-size: 11px; fill: var(--muted); }
#topology .sev-critical > .frame, #topology .port.sev-critical > rect { stroke: var(--crit); stroke-width: 2.5; fill: var(--crit-bg); }
#topology .sev-warning > .frame, #topology .port.sev-warning > rect { stroke: var(--warn-line); stroke-width: 2.5; fill: var(--warn-bg); }
#topology .sev-info > .frame, #topology .port.sev-info > rect { stroke: var(--info); stroke-width: 2; fill: var(--info-bg); }
#topology .pod.sev-critical > .row { fill: var(--crit-bg); stroke: var(--crit); }
#topology .pod.sev-warning > .row { fill: var(--warn-bg); stroke: var(--warn-line); }
#topology .port.sev-critical text, #topology .port.sev-warning text { fill: var(--text); font-weight: 600; }
#topology .badge circle { fill: #5f6368; }
#topology .sev-critical > .badge circle { fill: var(--crit); }
#topology .sev-warning > .badge circle { fill: var(--warn-line); }
#topology .sev-info > .badge circle { fill: var(--info); }
#topology .badge text { fill: #fff; font: 700 11px var(--sans); }
#topology .el:hover > .frame, #topology .el:focus > .frame, #topology .port:hover > rect { stroke: var(--sel); }
#topology .el.selected > .frame, #topology .el.selected > rect, #topology .pod.selected > .row { stroke: var(--sel); stroke-width: 3.5; }
.panel { display: none; max-height: max(72vh, 240px); overflow: auto; }
.panel.open { display: block; }
.panel .close { float: right; font: inherit; font-size: 18px; line-height: 1; border: 0; background: none; cursor: pointer; color: var(--muted); padding: 0 2px; }
.panel h3 { margin-top: 0; overflow-wrap: anywhere; }
.panel .facts { white-space: pre-wrap; font-family: var(--mono); font-size: 12px; color: var(--muted); margin: 0 0 12px; }
.panel .finding { margin: 10px 0; padding: 8px 10px; }
.panel .finding h4 { font-size: 13.5px; }
.panel .finding dl, .panel .finding .cmds, .panel .finding .label.confirm { display: none; }
.panel .finding .open-full { display: block; margin-top: 6px; font-size: 12px; }
.finding .open-full { display: none; }
.empty { color: var(--muted); }

/* Findings */
.scope-group { margin-top: 20px; }
.scope-group > h3 { display: flex; gap: 8px; align-items: baseline; }
.finding { background: var(--card); border: 1px solid var(--line); border-left: 5px solid #9aa0a6; border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.finding.critical { border-left-color: var(--crit); }
.finding.warning { border-left-color: var(--warn-line); }
.finding.info { border-left-color: var(--info); }
.finding.consequence { border-left-style: dashed; }
.caused-by { margin: 0 0 8px; font-size: 13px; color: var(--muted); }
.finding h4 { margin: 0 0 4px; font-size: 15px; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.sev { font-size: 11px; font-weight: 700; border-radius: 3px; padding: 1px 6px; color: #fff; letter-spacing: .03em; }
.sev.critical { background: var(--crit); }
.sev.warning { background: var(--warn-line); color: #3c2a00; }
.sev.info { background: var(--info); }
.area { color: var(--muted); font-weight: 400; font-size: 12px; }
.summary-line { margin: 4px 0 8px; font-weight: 500; }
.finding dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 8px 0; }
.finding dt { color: var(--muted); font-weight: 600; }
.finding dd { margin: 0; }
.cmds { margin: 4px 0 8px; padding: 0; list-style: none; }
.cmds li { display: flex; gap: 8px; align-items: center; background: #202124; color: #e8eaed; border-radius: 4px; padding: 3px 6px 3px 10px; margin: 3px 0; }
.cmds code { background: none; color: inherit; flex: 1; white-space: pre-wrap; }
.cmds code::before { content: "$ "; color: #9aa0a6; }
.cmds button.copy { background: #3c4043; color: #e8eaed; border-color: #5f6368; }
.cmds button.copy.done { background: var(--ok); border-color: var(--ok); }
.finding .label { color: var(--muted); font-weight: 600; margin-top: 8px; }
.inline-cmd { white-space: nowrap; }
.inline-cmd code { white-space: normal; }
.inline-cmd button.copy { font-size: 11px; padding: 0 5px; margin-left: 3px; vertical-align: 1px; }
button.copy.done { background: var(--ok); border-color: var(--ok); color: #fff; }
details.evidence { margin: 6px 0; }
details.evidence summary { cursor: pointer; font-family: var(--mono); font-size: 12.5px; color: var(--info); }
pre.excerpt { margin: 4px 0 0; padding: 8px 10px; background: #f8f9fa; border: 1px solid var(--line); border-radius: 4px; overflow: auto; max-height: 320px; white-space: pre; }
.targets { margin: 6px 0 0; font-size: 12px; color: var(--muted); }
.targets button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 10px; padding: 0 8px; cursor: pointer; margin: 0 4px 2px 0; }

/* Timeline */
svg.timeline { width: 100%; height: auto; display: block; background: var(--card); border: 1px solid var(--line); border-radius: 8px; font-family: var(--sans); }
svg.timeline .lane { fill: #f8f9fa; }
svg.timeline .lane-label { font-size: 12px; fill: var(--muted); }
svg.timeline .grid { stroke: #e8eaed; }
svg.timeline .axis { stroke: #9aa0a6; }
svg.timeline .tick { font-size: 11px; fill: var(--muted); }
svg.timeline .collected { stroke: var(--crit); stroke-dasharray: 4 3; stroke-width: 1.5; }
svg.timeline circle { stroke: #fff; stroke-width: 1; fill-opacity: .85; }
svg.timeline .k-event { fill: #1a73e8; }
svg.timeline .k-package { fill: #9334e6; }
svg.timeline .k-rollout { fill: #188038; }
svg.timeline .k-restart { fill: #d93025; }
svg.timeline .k-boot { fill: #e8710a; }
svg.timeline .k-config { fill: #12b5cb; }
svg.timeline .count { font-size: 9px; font-weight: 700; fill: #fff; pointer-events: none; }
svg.timeline a:hover circle { stroke: #202124; stroke-width: 2; }
.tl-table { max-height: 420px; overflow: auto; margin-top: 10px; border: 1px solid var(--line); border-radius: 8px; }
.tl-table td:first-child { white-space: nowrap; font-family: var(--mono); font-size: 12px; }
.tl-table td:last-child { min-width: 280px; }
.tl-table td:last-child code { font-size: 11.5px; }
.tl-table tr.hit, .tl-table tr:target { background: #fff8c5; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media (max-width: 1000px) { .topo-wrap.open { grid-template-columns: minmax(0, 1fr); } }
@media print { .topo-tools button, button.copy, .targets { display: none; } .topo-view { height: auto; overflow: visible; } .panel { display: none; } }
`;
