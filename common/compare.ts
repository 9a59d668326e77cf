// Ordering by UTF-16 code units: unlike localeCompare it is the same on every machine and locale, which
// byte-identical reports depend on.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
