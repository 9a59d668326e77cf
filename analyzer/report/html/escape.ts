// Everything in a bundle is untrusted (pod names, log lines, file names): it reaches the page only through
// these functions, as text, never as markup. Control characters are made visible as in the other formats.
import { showControls } from '../render-common.js';

const HTML_SPECIAL = /[&<>"']/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value (always quoted with "). */
export function esc(text: string | number): string {
  return showControls(String(text)).replace(HTML_SPECIAL, (ch) => ENTITY[ch]!);
}

/** JSON for a `<script type="application/json">` block: `<`, `>`, `&` and line separators cannot end or bend it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Cause and fix are written by rule authors with `code spans` for commands: those become <code>, all the
 * rest is escaped text. With a copy label, spans that read as a command (more than one word) get a copy
 * button.
 */
export function ruleHtml(text: string, copyLabel?: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part) => {
      if (!(part.length > 2 && part.startsWith('`') && part.endsWith('`'))) return esc(part);
      const code = part.slice(1, -1);
      if (copyLabel === undefined || !/\S\s+\S/.test(code)) return `<code>${esc(code)}</code>`;
      return `<span class="inline-cmd"><code>${esc(code)}</code><button type="button" class="copy">${esc(copyLabel)}</button></span>`;
    })
    .join('');
}
