import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Summarises profiles written by `npm run bench -- --profile DIR`:
 *   .cpuprofile  (node --cpu-prof): top functions by self and by inclusive time, time per file;
 *   .heapprofile (allocation sampling, collected objects included): top allocation sites.
 *
 *   node bench/.build/bench/profile/summarize.js FILE... [--top N]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface HeapNode {
  id: number;
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

interface HeapProfile {
  head: HeapNode;
  samples?: Array<{ size: number; nodeId: number }>;
}

export interface Row {
  name: string;
  value: number;
  share: number;
}

const PROJECT = pathToFileURL(process.cwd()).href;

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  let short = url.startsWith(PROJECT) ? url.slice(PROJECT.length + 1) : url.replace(/^file:\/\//, '');
  short = short.replace(/^.*node_modules\//, 'node_modules/');
  return short;
}

function frameName(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  return frame.url ? `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : name;
}

function top(map: Map<string, number>, total: number, count: number): Row[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, value]) => ({ name, value, share: total > 0 ? value / total : 0 }));
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** Self time per function, inclusive time per function (recursion counted once), self time per file; in ms. */
export function summarizeCpu(
  profile: CpuProfile,
  count: number,
): { self: Row[]; inclusive: Row[]; files: Row[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    // Each delta is the time until the sample; attribute it to the sample's node.
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i + 1] ?? 0;
      selfMs.set(profile.samples[i], (selfMs.get(profile.samples[i]) ?? 0) + delta / 1000);
    }
  } else {
    const interval =
      (profile.endTime - profile.startTime) /
      1000 /
      Math.max(
        1,
        profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0),
      );
    for (const node of profile.nodes) selfMs.set(node.id, (node.hitCount ?? 0) * interval);
  }
  const idle = new Set(['(idle)', '(program)', '(garbage collector)']);
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const root = profile.nodes[0];
  const walk = (node: CpuNode, stack: Set<string>): number => {
    const name = frameName(node.callFrame);
    let sum = selfMs.get(node.id) ?? 0;
    const fresh = !stack.has(name);
    if (fresh) stack.add(name);
    for (const childId of node.children ?? []) {
      const child = byId.get(childId);
      if (child) sum += walk(child, stack);
    }
    if (fresh) {
      stack.delete(name);
      add(inclusive, name, sum);
    }
    return sum;
  };
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    total += ms;
    add(self, frameName(node.callFrame), ms);
    add(files, idle.has(name) ? name : shortUrl(node.callFrame.url), ms);
  }
  walk(root, new Set());
  inclusive.delete('(root)');
  return {
    self: top(self, total, count),
    inclusive: top(inclusive, total, count),
    files: top(files, total, count),
    totalMs: total,
  };
}

/** Sampled allocation bytes per allocation site and per file. */
export function summarizeHeap(profile: HeapProfile, count: number): { sites: Row[]; files: Row[]; totalBytes: number } {
  const sizeById = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) {
    for (const sample of profile.samples) sizeById.set(sample.nodeId, (sizeById.get(sample.nodeId) ?? 0) + sample.size);
  }
  const sites = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode, parent: string): void => {
    const bytes = sizeById.size > 0 ? (sizeById.get(node.id) ?? 0) : node.selfSize;
    // Native allocations (Buffer, string) are attributed to the JS function that asked for them.
    const own = node.callFrame.url
      ? frameName(node.callFrame)
      : `${node.callFrame.functionName || '(native)'} <- ${parent}`;
    if (bytes > 0) {
      total += bytes;
      add(sites, own, bytes);
      add(
        files,
        node.callFrame.url ? shortUrl(node.callFrame.url) : `(native) <- ${parent.split(' ').slice(1).join(' ')}`,
        bytes,
      );
    }
    for (const child of node.children) walk(child, node.callFrame.url ? frameName(node.callFrame) : parent);
  };
  walk(profile.head, '(root)');
  return { sites: top(sites, total, count), files: top(files, total, count), totalBytes: total };
}

function print(title: string, rows: readonly Row[], unit: (value: number) => string): void {
  console.log(`\n${title}`);
  for (const row of rows)
    console.log(`${(row.share * 100).toFixed(1).padStart(6)}%  ${unit(row.value).padStart(10)}  ${row.name}`);
}

function main(): void {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const count = topIndex === -1 ? 25 : Number(args[topIndex + 1]);
  const files = args.filter((arg, i) => !arg.startsWith('--') && (topIndex === -1 || i !== topIndex + 1));
  if (files.length === 0) {
    console.error('usage: summarize.js FILE.cpuprofile|FILE.heapprofile ... [--top N]');
    process.exit(2);
  }
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const data = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | HeapProfile;
    if ('nodes' in data) {
      const summary = summarizeCpu(data, count);
      const ms = (value: number): string => `${value.toFixed(0)} ms`;
      console.log(`busy ${summary.totalMs.toFixed(0)} ms (idle excluded)`);
      print('self time by function', summary.self, ms);
      print('inclusive time by function', summary.inclusive, ms);
      print('self time by file', summary.files, ms);
    } else {
      const summary = summarizeHeap(data, count);
      const mb = (value: number): string => `${(value / 1e6).toFixed(1)} MB`;
      console.log(`sampled allocations ${(summary.totalBytes / 1e6).toFixed(1)} MB`);
      print('allocation sites', summary.sites, mb);
      print('allocations by file', summary.files, mb);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
