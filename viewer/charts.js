// Small inline-SVG charts for the reports page: horizontal bars, grouped columns over time, and one
// stacked bar. No library, nothing from outside. Each chart is an <svg role="img"> with a <title>
// and an aria-label that reads out every value; colours come from CSS classes (so CSS variables,
// dark mode and print apply: no inline styles, which the CSP forbids anyway). Layouts are computed
// left to right and mirrored when `rtl` is set, so bars grow from the right and time runs right to
// left in Persian.

const NS = 'http://www.w3.org/2000/svg';
// Bar rows are drawn 560 units wide (a half-width card); charts over the full width 1000.
const NARROW = 560;
const WIDE = 1000;

/** An SVG element: `s('rect', { x, y, class })`, children as for dom.js's h(). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false || c === '') continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Mirrors x positions and anchors for right-to-left. */
function mirror(rtl, W) {
  return {
    x: (x) => (rtl ? W - x : x),
    rect: (x, w) => (rtl ? W - x - w : x),
    anchor: (a) => (rtl ? { start: 'end', end: 'start' }[a] || a : a),
  };
}

function frame(W, height, label, cls) {
  // direction="ltr": positions and anchors are absolute; each label still shapes its own script.
  return s('svg', {
    class: ['chart', cls].filter(Boolean).join(' '),
    role: 'img',
    'aria-label': label,
    viewBox: `0 0 ${W} ${height}`,
    width: '100%',
    preserveAspectRatio: 'xMidYMin meet',
    direction: 'ltr',
  }, s('title', {}, label));
}

function clip(text, max) {
  const str = String(text);
  return str.length > max ? `${str.slice(0, max - 1)}…` : str;
}

/**
 * Horizontal bars, one row each: `rows` = [{ label, value, cls, title }]. `fmt` formats numbers.
 * `label` is the chart's accessible name.
 */
export function barChart({ label, rows, rtl = false, fmt = String }) {
  const W = NARROW;
  const rowH = 28;
  const labelW = 120;
  const valueW = 44;
  const top = 6;
  const height = top * 2 + Math.max(rows.length, 1) * rowH;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const span = W - labelW - valueW - 16;
  const m = mirror(rtl, W);
  const svg = frame(W, height, `${label}: ${rows.map((r) => `${r.label} ${fmt(r.value)}`).join(', ')}`, 'bars');
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = r.value > 0 ? Math.max(2, (r.value / max) * span) : 0;
    const x0 = labelW + 8;
    svg.append(s('g', { class: ['row', r.cls].filter(Boolean).join(' ') },
      s('title', {}, r.title || `${r.label}: ${fmt(r.value)}`),
      s('text', { class: 'label', x: m.x(labelW), y: y + rowH / 2, 'text-anchor': m.anchor('end'), 'dominant-baseline': 'central' }, clip(r.label, 22)),
      s('rect', { class: 'track', x: m.rect(x0, span), y: y + 5, width: span, height: rowH - 10, rx: 3 }),
      s('rect', { class: 'bar', x: m.rect(x0, w), y: y + 5, width: w, height: rowH - 10, rx: 3 }),
      s('text', { class: 'value', x: m.x(x0 + w + 6), y: y + rowH / 2, 'text-anchor': m.anchor('start'), 'dominant-baseline': 'central' }, fmt(r.value))));
  });
  return svg;
}

/**
 * Grouped columns over time: `points` = [{ label, title, values: [n, …] }], `series` =
 * [{ label, cls }] naming each value. The first point is the oldest; in RTL it is drawn rightmost.
 */
export function columnChart({ label, points, series, rtl = false, fmt = String }) {
  const W = WIDE;
  const height = 220;
  const axisW = 40;
  const top = 12;
  const bottom = 34;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...points.flatMap((p) => p.values));
  const step = niceStep(max);
  const ceil = Math.ceil(max / step) * step;
  const m = mirror(rtl, W);
  const n = Math.max(points.length, 1);
  const slot = (W - axisW - 8) / n;
  const groupW = Math.min(slot * 0.75, 64);
  const barW = groupW / series.length;
  const summary = points.map((p) => `${p.label}: ${series.map((se, i) => `${se.label} ${fmt(p.values[i])}`).join(', ')}`).join('; ');
  const svg = frame(W, height, `${label}. ${summary}`, 'columns');
  const yOf = (v) => top + plotH - (v / ceil) * plotH;
  for (let v = 0; v <= ceil; v += step) {
    svg.append(
      s('line', { class: v ? 'grid' : 'axis', x1: m.x(axisW), x2: m.x(W - 4), y1: yOf(v), y2: yOf(v) }),
      s('text', { class: 'tick', x: m.x(axisW - 6), y: yOf(v), 'text-anchor': m.anchor('end'), 'dominant-baseline': 'central' }, fmt(v)));
  }
  // Thin the month labels so they never overlap (about 70 units each).
  const every = Math.max(1, Math.ceil(70 / slot));
  points.forEach((p, i) => {
    const cx = axisW + 4 + slot * i + slot / 2;
    const g = s('g', { class: 'point' }, s('title', {}, p.title || `${p.label}: ${series.map((se, j) => `${se.label} ${fmt(p.values[j])}`).join(', ')}`));
    series.forEach((se, j) => {
      const v = p.values[j] || 0;
      const h = v > 0 ? Math.max(1.5, (v / ceil) * plotH) : 0;
      // Series order reads from the start side in both directions.
      const x = cx - groupW / 2 + barW * j;
      g.append(s('rect', { class: `bar ${se.cls}`, x: m.rect(x + 1, barW - 2), y: top + plotH - h, width: Math.max(barW - 2, 1), height: h, rx: 2 }));
    });
    if ((points.length - 1 - i) % every === 0) {
      g.append(s('text', { class: 'label month', x: m.x(cx), y: height - bottom + 18, 'text-anchor': 'middle' }, p.label));
    }
    svg.append(g);
  });
  return svg;
}

function niceStep(max) {
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((u) => u * pow >= raw) || 10;
  return Math.max(1, unit * pow);
}

/**
 * One stacked bar: `parts` = [{ label, value, cls }], from the start side. Values too narrow to
 * hold their number are left to the legend drawn beside the chart.
 */
export function stackedBar({ label, parts, rtl = false, fmt = String }) {
  const W = WIDE;
  const height = 44;
  const total = parts.reduce((a, p) => a + p.value, 0);
  const m = mirror(rtl, W);
  const svg = frame(W, height, `${label}: ${parts.map((p) => `${p.label} ${fmt(p.value)}`).join(', ')}`, 'stacked');
  svg.append(s('rect', { class: 'track', x: 0, y: 4, width: W, height: height - 8, rx: 6 }));
  let x = 0;
  for (const p of parts) {
    if (!p.value || !total) continue;
    const w = (p.value / total) * W;
    svg.append(s('g', { class: ['part', p.cls].filter(Boolean).join(' ') },
      s('title', {}, `${p.label}: ${fmt(p.value)}`),
      s('rect', { class: 'bar', x: m.rect(x, w), y: 4, width: w, height: height - 8 }),
      w > 28 ? s('text', { class: 'inside', x: m.x(x + w / 2), y: height / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, fmt(p.value)) : null));
    x += w;
  }
  return svg;
}
