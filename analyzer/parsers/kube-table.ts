// Tables printed through Go's tabwriter (kubectl, kubeadm, crictl): left-aligned columns whose cells may
// contain single spaces ("About a minute ago", "Nov 27, 2026 10:00 UTC"), so cells are cut at the column
// offsets of the header, and header names are separated by two or more spaces ("POD ID" is one name).

export interface TableColumn {
  name: string;
  start: number;
}

/** Column names and offsets of a header line, or an empty list when the line has no header shape. */
export function tableColumns(header: string): TableColumn[] {
  const columns: TableColumn[] = [];
  let i = 0;
  const n = header.length;
  while (i < n) {
    while (i < n && header[i] === ' ') i++;
    if (i >= n) break;
    const start = i;
    // A name ends at two spaces in a row, or a tab, or the end of the line.
    while (i < n && header[i] !== '\t' && !(header[i] === ' ' && (header[i + 1] === ' ' || i + 1 === n))) i++;
    columns.push({ name: header.slice(start, i), start });
    while (i < n && header[i] === '\t') i++;
  }
  return columns;
}

/** Cells of a row cut at the header's offsets; the last column takes the rest of the line. */
export function tableCells(row: string, columns: readonly TableColumn[]): string[] {
  const cells: string[] = [];
  for (let c = 0; c < columns.length; c++) {
    const start = columns[c]!.start;
    const next = columns[c + 1];
    const end = next ? next.start : row.length;
    cells.push(row.slice(start, end).trim());
  }
  return cells;
}

/** Whether a line is tabwriter's underline row (`----   ------   ----`). */
export function isRuleLine(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed.length === 0) return false;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i];
    if (ch !== '-' && ch !== ' ') return false;
  }
  return true;
}
