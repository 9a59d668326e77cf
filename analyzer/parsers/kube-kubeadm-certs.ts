// `kubeadm certs check-expiration` (and `kubeadm alpha certs check-expiration` before 1.20): a table of leaf
// certificates and kubeconfig files, then a table of certificate authorities.
import { ParseError, splitLines, type ParseContext } from './common.js';
import { isRuleLine, tableCells, tableColumns, type TableColumn } from './kube-table.js';
import { parseWordyDate } from './log-time.js';

export interface KubeadmCertExpiration {
  /** `apiserver`, `admin.conf`, `etcd-server`, or an authority: `ca`, `etcd-ca`, `front-proxy-ca`. */
  name: string;
  table: 'certificates' | 'authorities';
  /** ISO UTC; null when missing or unreadable. */
  expires: string | null;
  /** As printed: `364d`, `9y`, `<invalid>` once expired. */
  residual: string;
  /** Signing authority (certificates table only). */
  ca: string | null;
  externallyManaged: boolean;
  /** kubeadm marks certificates it expected but did not find with `!MISSING!`. */
  missing: boolean;
  line: number;
}

export interface KubeadmCertsCheck {
  certs: KubeadmCertExpiration[];
}

/** Parses `kubeadm certs check-expiration` output. */
export function parseKubeadmCertsCheck(text: string, ctx: ParseContext): KubeadmCertsCheck {
  const certs: KubeadmCertExpiration[] = [];
  let columns: TableColumn[] | undefined;
  let names: string[] = [];
  let table: KubeadmCertExpiration['table'] = 'certificates';
  let headers = 0;
  splitLines(text).forEach((line, index) => {
    if (/^CERTIFICATE(?: AUTHORITY)?\s+EXPIRES\s/.test(line)) {
      columns = tableColumns(line);
      names = columns.map((column) => column.name);
      table = names[0] === 'CERTIFICATE AUTHORITY' ? 'authorities' : 'certificates';
      headers++;
      return;
    }
    if (!columns || line.trim() === '' || isRuleLine(line) || line.startsWith('[')) {
      if (line.trim() === '') columns = undefined;
      return;
    }
    const cells = tableCells(line, columns);
    const cell = (name: string): string => cells[names.indexOf(name)] ?? '';
    const missing = line.startsWith('!MISSING!');
    const name = (cells[0] ?? '').replace(/^!MISSING!\s*/, '');
    if (name === '') return;
    const expires = cell('EXPIRES');
    certs.push({
      name,
      table,
      expires: expires ? parseWordyDate(expires) : null,
      residual: cell('RESIDUAL TIME'),
      ca: table === 'certificates' ? cell('CERTIFICATE AUTHORITY') || null : null,
      externallyManaged: cell('EXTERNALLY MANAGED') === 'yes',
      missing,
      line: index + 1,
    });
  });
  if (headers === 0 && text.trim().length > 0) {
    throw new ParseError(`${ctx.path}: not kubeadm certs check-expiration output (no CERTIFICATE/EXPIRES header)`);
  }
  return { certs };
}
