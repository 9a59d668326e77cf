// Runs one analysis in this process and prints its peak RSS, for machines without GNU time (`time -v`):
// process.resourceUsage().maxRSS is the same getrusage figure GNU time reports.
// Usage: node dist/bench/analyze-child.js BUNDLE REPORT_FILE
import { writeFileSync } from 'node:fs';
import { analyzePath } from '../analyzer/engine/run.js';
import { renderJson } from '../analyzer/report/render-json.js';

const [bundle, reportFile] = process.argv.slice(2);
if (!bundle || !reportFile) throw new Error('usage: analyze-child.js BUNDLE REPORT_FILE');
const { report } = await analyzePath({ bundle, lang: 'en', rulesDirs: [] });
writeFileSync(reportFile, renderJson(report));
process.stdout.write(`${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`);
