// Bundle path patterns as rules and importers write them: `*` within one segment, `**` across segments.

const compiled = new Map<string, RegExp>();

export function pathPatternRegex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    compiled.set(pattern, re);
  }
  return re;
}
