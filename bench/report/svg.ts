/**
 * A tiny SVG writer: elements as strings, attribute values and text escaped. Enough for bar
 * charts; no layout engine.
 */
type AttributeValue = string | number | undefined;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function attributes(attrs: Record<string, AttributeValue>): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    const text = typeof value === 'number' ? String(Math.round(value * 100) / 100) : value;
    out += ` ${name}="${escapeXml(text)}"`;
  }
  return out;
}

/** An element; `children` are already-rendered elements (use text() for text content). */
export function element(
  name: string,
  attrs: Record<string, AttributeValue> = {},
  children: readonly string[] = [],
): string {
  return children.length === 0
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${children.join('')}</${name}>`;
}

export function text(content: string): string {
  return escapeXml(content);
}

/** A text element at (x, y). */
export function label(x: number, y: number, content: string, attrs: Record<string, AttributeValue> = {}): string {
  return element('text', { x, y, ...attrs }, [text(content)]);
}

export function svgDocument(width: number, height: number, children: readonly string[], title: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    element(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        width,
        height,
        viewBox: `0 0 ${width} ${height}`,
        'font-family': 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
        'font-size': 13,
      },
      [element('title', {}, [text(title)]), ...children],
    ) +
    '\n'
  );
}
