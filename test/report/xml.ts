// A strict little XML reader for the JUnit tests: enough of XML 1.0 to reject what CI parsers reject
// (characters XML cannot carry, bare `&` or `<`, unbalanced or mismatched tags, more than one root).
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const FORBIDDEN_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`bare & in ${JSON.stringify(raw)}`);
  return raw.replace(ENTITY, (_whole, name: string | undefined, decimal: string | undefined, hex: string | undefined) =>
    name !== undefined ? (NAMED[name] ?? '') : String.fromCodePoint(decimal !== undefined ? Number(decimal) : parseInt(hex ?? '0', 16)),
  );
}

export function parseXml(xml: string): XmlElement {
  const bad = FORBIDDEN_CHAR.exec(xml);
  if (bad) throw new Error(`character U+${(bad[0].codePointAt(0) ?? 0).toString(16)} is not allowed in XML`);
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: XmlElement[] = [];
  const roots: XmlElement[] = [];
  for (const token of body.match(/<[^>]*>|[^<]+/g) ?? []) {
    const current = stack[stack.length - 1];
    if (!token.startsWith('<')) {
      if (current) current.text += decode(token);
      else if (token.trim() !== '') throw new Error(`text outside the root element: ${JSON.stringify(token)}`);
      continue;
    }
    const close = /^<\/([A-Za-z_][\w.-]*)>$/.exec(token);
    if (close) {
      if (current?.name !== close[1]) throw new Error(`</${close[1]}> closes <${current?.name ?? 'nothing'}>`);
      stack.pop();
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (!open) throw new Error(`malformed tag ${JSON.stringify(token)}`);
    const element: XmlElement = { name: open[1] ?? '', attributes: {}, children: [], text: '' };
    for (const [, name, value] of (open[2] ?? '').matchAll(/([\w.-]+)="([^"]*)"/g)) {
      if (name === undefined || value === undefined) continue;
      if (name in element.attributes) throw new Error(`duplicate attribute ${name} on <${element.name}>`);
      element.attributes[name] = decode(value);
    }
    if (current) current.children.push(element);
    else roots.push(element);
    if (open[3] !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]?.name ?? ''}>`);
  if (roots.length !== 1 || !roots[0]) throw new Error(`expected one root element, found ${roots.length}`);
  return roots[0];
}

export function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}
