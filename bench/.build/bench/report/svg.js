const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeXml(text) {
    return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
function attributes(attrs) {
    let out = '';
    for (const [name, value] of Object.entries(attrs)) {
        if (value === undefined)
            continue;
        const text = typeof value === 'number' ? String(Math.round(value * 100) / 100) : value;
        out += ` ${name}="${escapeXml(text)}"`;
    }
    return out;
}
/** An element; `children` are already-rendered elements (use text() for text content). */
export function element(name, attrs = {}, children = []) {
    return children.length === 0 ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${children.join('')}</${name}>`;
}
export function text(content) {
    return escapeXml(content);
}
/** A text element at (x, y). */
export function label(x, y, content, attrs = {}) {
    return element('text', { x, y, ...attrs }, [text(content)]);
}
export function svgDocument(width, height, children, title) {
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' +
        element('svg', {
            xmlns: 'http://www.w3.org/2000/svg',
            width,
            height,
            viewBox: `0 0 ${width} ${height}`,
            'font-family': 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
            'font-size': 13,
        }, [element('title', {}, [text(title)]), ...children]) +
        '\n');
}
//# sourceMappingURL=svg.js.map