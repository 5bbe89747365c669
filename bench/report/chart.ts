import { machineLine } from '../machine.js';
import { ratio } from '../stats.js';
import { TARGET_NAMES, type TargetName } from '../targets.js';
import { formatCompact, formatMicros, formatRatio } from './format.js';
import type { BenchResults, ByTarget } from './results.js';
import { element, label, svgDocument } from './svg.js';

/** The README chart: one panel per headline measurement, one bar per target. */

interface Panel {
  title: string;
  better: 'higher' | 'lower';
  format: (value: number) => string;
  values: Partial<Record<TargetName, number>>;
}

const COLORS: Record<TargetName, string> = {
  ours: '#2563eb',
  service: '#7c3aed',
  'platform-ws': '#e07b00',
  ws: '#16a34a',
  raw: '#9ca3af',
};

const WIDTH = 860;
const LABEL_WIDTH = 170;
const VALUE_WIDTH = 170;
const BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 40;
const BAR_HEIGHT = 16;
const BAR_GAP = 5;
const PANEL_TITLE = 38;
/** The raw echo calibration can be 10x the WebSocket stacks: it may run off the scale. */
const OFF_SCALE = 1.3;
const PANEL_GAP = 18;
const HEADER = 64;
const FOOTER = 34;

function medians<R>(byTarget: ByTarget<R> | undefined, key: keyof R): Partial<Record<TargetName, number>> {
  const values: Partial<Record<TargetName, number>> = {};
  for (const name of TARGET_NAMES) {
    const entry = byTarget?.[name];
    if (entry !== undefined && entry.runs.length > 0) values[name] = entry.median[key] as number;
  }
  return values;
}

const rate = (unit: string) => (value: number) => `${formatCompact(value)} ${unit}`;

function panels(results: BenchResults): Panel[] {
  const list: Panel[] = [];
  const echo = (path: string, connections: number, size: number) =>
    results.echo.find(
      ({ cell }) =>
        cell.path === path && cell.connections === connections && cell.size === size && cell.inFlight === 16,
    );
  const nest = echo('/nest-echo', 64, 32);
  if (nest)
    list.push({
      title: 'Echo via @SubscribeMessage (/nest-echo, 64 conn x 16 in flight, 32 B)',
      better: 'higher',
      format: rate('msg/s'),
      values: medians(nest.targets, 'messagesPerSec'),
    });
  const raw = echo('/echo', 64, 32);
  if (raw)
    list.push({
      title: 'Raw echo (/echo, 64 x 16, 32 B)',
      better: 'higher',
      format: rate('msg/s'),
      values: medians(raw.targets, 'messagesPerSec'),
    });
  const large = echo('/echo', 16, 65_536);
  if (large)
    list.push({
      title: 'Raw echo, 64 KiB messages (/echo, 16 x 16)',
      better: 'higher',
      format: rate('MB/s'),
      values: medians(large.targets, 'megabytesPerSec'),
    });
  for (const { receivers, targets } of results.broadcast) {
    const n = receivers.toLocaleString('en-US');
    list.push({
      title: `Broadcast to ${n}: server CPU per delivery at max rate`,
      better: 'lower',
      format: (v) => formatMicros(v),
      values: medians(targets, 'serverCpuMicrosPerDelivery'),
    });
    list.push({
      title: `Broadcast to ${n}: p99 latency at a fixed rate`,
      better: 'lower',
      format: (v) => formatMicros(v),
      values: medians(targets, 'p99'),
    });
  }
  const idle = [...results.idle].sort((a, b) => b.connections - a.connections)[0];
  if (idle) {
    list.push({
      title: `Memory per idle connection at ${idle.connections.toLocaleString('en-US')}`,
      better: 'lower',
      format: (v) => `${v.toFixed(1)} KiB`,
      values: medians(idle.targets, 'rssPerConnectionKiB'),
    });
  }
  if (results.handshake) {
    list.push({
      title: 'Handshakes per second (connect, upgrade, close)',
      better: 'higher',
      format: rate('handshakes/s'),
      values: medians(results.handshake.targets, 'handshakesPerSec'),
    });
  }
  return list.filter((panel) => Object.keys(panel.values).length > 0);
}

function comparison(panel: Panel): string {
  const ours = panel.values.ours;
  const parts: string[] = [];
  for (const reference of ['platform-ws', 'ws'] as const) {
    const r = ratio(ours, panel.values[reference]);
    if (Number.isFinite(r)) parts.push(`${formatRatio(r)} ${reference}`);
  }
  return parts.length > 0 ? `ours = ${parts.join(', ')}` : '';
}

function renderPanel(panel: Panel, top: number): { svg: string[]; height: number } {
  const names = TARGET_NAMES.filter((name) => panel.values[name] !== undefined && Number.isFinite(panel.values[name]));
  const stacks = names.filter((name) => name !== 'raw').map((name) => panel.values[name]!);
  const all = Math.max(...names.map((name) => panel.values[name]!), Number.MIN_VALUE);
  const stackMax = Math.max(...stacks, Number.MIN_VALUE);
  const scale = all > stackMax * OFF_SCALE ? stackMax * OFF_SCALE : all;
  const subtitle = [`${panel.better} is better`, comparison(panel)].filter(Boolean).join(' · ');
  const svg: string[] = [
    label(20, top + 14, panel.title, { 'font-weight': 600 }),
    label(20, top + 30, subtitle, { fill: '#555', 'font-size': 12 }),
  ];
  names.forEach((name, i) => {
    const y = top + PANEL_TITLE + i * (BAR_HEIGHT + BAR_GAP);
    const value = panel.values[name]!;
    const offScale = value > scale;
    const width = Math.max(1, (Math.min(value, scale) / scale) * BAR_AREA);
    const x = LABEL_WIDTH + 10;
    svg.push(
      label(LABEL_WIDTH, y + BAR_HEIGHT - 4, name, {
        'text-anchor': 'end',
        fill: '#333',
        'font-weight': name === 'ours' ? 700 : undefined,
      }),
      element('rect', { x, y, width, height: BAR_HEIGHT, rx: 2, fill: COLORS[name] }),
    );
    // A white gap near the end of a bar marks it as cut off.
    if (offScale) {
      const gap = x + width - 24;
      const points = `${gap + 4},${y - 1} ${gap + 9},${y - 1} ${gap + 5},${y + BAR_HEIGHT + 1} ${gap},${y + BAR_HEIGHT + 1}`;
      svg.push(element('polygon', { points, fill: '#ffffff' }));
    }
    svg.push(
      label(x + width + 6, y + BAR_HEIGHT - 4, `${panel.format(value)}${offScale ? ' (off scale)' : ''}`, {
        fill: '#333',
        'font-size': 12,
      }),
    );
  });
  return { svg, height: PANEL_TITLE + names.length * (BAR_HEIGHT + BAR_GAP) + PANEL_GAP };
}

export function renderChart(results: BenchResults): string {
  const body: string[] = [];
  let y = HEADER;
  for (const panel of panels(results)) {
    const rendered = renderPanel(panel, y);
    body.push(...rendered.svg);
    y += rendered.height;
  }
  const height = y + FOOTER;
  const quick = results.mode === 'quick' ? ' · quick run, indicative only' : '';
  const title = `WebSocket benchmark · ${results.date.slice(0, 10)}${quick}`;
  const header = [
    element('rect', { x: 0, y: 0, width: WIDTH, height, fill: '#ffffff' }),
    label(20, 28, title, { 'font-size': 18, 'font-weight': 700 }),
    label(20, 48, machineLine(results.machine), { fill: '#555', 'font-size': 12 }),
  ];
  const footer = label(
    20,
    height - 14,
    `${results.mode} mode · median of ${results.repeats} run(s) · ${results.measureSeconds} s per run · raw = raw net echo, the load generator's ceiling · npm run bench`,
    { fill: '#777', 'font-size': 11 },
  );
  return svgDocument(WIDTH, height, [...header, ...body, footer], title);
}
