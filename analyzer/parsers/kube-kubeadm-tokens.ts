// `kubeadm token list`. The secret half of a token is never kept, whether the output shows it or was
// redacted by the collector (`abcdef.<redacted>`, `abcdef.***`).
import { ParseError, splitLines, type ParseContext } from './common.js';
import { tableCells, tableColumns, type TableColumn } from './kube-table.js';
import { isoOrNull, parseIsoPrefix } from './log-time.js';

export interface KubeadmToken {
  /** The public token id (6 characters), the part before the dot. */
  id: string;
  /** As printed: `23h`, `<forever>`, `<invalid>` (already expired). */
  ttl: string;
  /** ISO UTC; null for `<never>` or an unreadable date. */
  expires: string | null;
  usages: string[];
  description: string | null;
  extraGroups: string[];
  line: number;
}

export interface KubeadmTokenList {
  tokens: KubeadmToken[];
  /** Line of the table header; null when the command printed no table (no tokens). */
  headerLine: number | null;
}

const TOKEN_ID = /^[a-z0-9]{6}$/;

function listOf(cell: string): string[] {
  return cell === '' || cell === '<none>' ? [] : cell.split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * The collector masks the secret after kubeadm aligned the table (`abcdef.<secret not collected>` is longer
 * than the 23-character token, `abcdef.<redacted>` shorter), which shifts every later cell of the row by
 * the difference. Putting the rest of the row back at the second column's offset undoes the shift.
 */
function realign(row: string, columns: readonly TableColumn[]): string {
  const second = columns[1]?.start;
  const token = /^([a-z0-9]{6}\.<[^>]*>|\S+)\s+/.exec(row);
  if (second === undefined || !token || token[0].length === second) return row;
  return token[1]!.padEnd(second - 1).slice(0, second - 1) + ' ' + row.slice(token[0].length);
}

/** Parses `kubeadm token list`; an empty output or a lone header means there are no tokens. */
export function parseKubeadmTokenList(text: string, ctx: ParseContext): KubeadmTokenList {
  const result: KubeadmTokenList = { tokens: [], headerLine: null };
  let columns: TableColumn[] | undefined;
  let names: string[] = [];
  splitLines(text).forEach((line, index) => {
    if (!columns) {
      if (/^TOKEN\s+TTL\s/.test(line)) {
        columns = tableColumns(line);
        names = columns.map((column) => column.name);
        result.headerLine = index + 1;
      }
      return;
    }
    if (line.trim() === '') return;
    const cells = tableCells(realign(line, columns), columns);
    const cell = (name: string): string => cells[names.indexOf(name)] ?? '';
    const id = cell('TOKEN').split('.')[0] ?? '';
    if (!TOKEN_ID.test(id)) return;
    const expires = parseIsoPrefix(cell('EXPIRES'));
    const description = cell('DESCRIPTION');
    result.tokens.push({
      id,
      ttl: cell('TTL'),
      expires: expires ? isoOrNull(expires.ms) : null,
      usages: listOf(cell('USAGES')),
      description: description === '' || description === '<none>' ? null : description,
      extraGroups: listOf(cell('EXTRA GROUPS')),
      line: index + 1,
    });
  });
  // Without tokens kubeadm prints nothing; anything else without a header is an error message, not a list.
  const meaningful = splitLines(text).filter((line) => line.trim() !== '' && !/^[IW]\d{4} /.test(line));
  if (result.headerLine === null && meaningful.length > 0) {
    throw new ParseError(`${ctx.path}: not kubeadm token list output (no TOKEN/TTL header)`, splitLines(text).indexOf(meaningful[0]!) + 1);
  }
  return result;
}
