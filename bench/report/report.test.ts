import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MachineInfo } from '../machine.js';
import { parseOptions } from '../options.js';
import { renderChart } from './chart.js';
import { evaluateGoals } from './goals.js';
import { type BenchResults, type ByTarget, type EchoRun, recordRun } from './results.js';
import { escapeXml } from './svg.js';
import { renderMarkdown } from './table.js';

const machine: MachineInfo = {
  cpuModel: 'Test CPU <x>',
  cpus: 2,
  memoryGiB: 8,
  platform: 'linux x64',
  kernel: '6.1',
  node: 'v20.0.0',
  pinning: { server: '0', load: '1' },
  sourceAddresses: ['127.0.0.2'],
};

function echoRun(messagesPerSec: number): EchoRun {
  return {
    messagesPerSec,
    megabytesPerSec: messagesPerSec / 1000,
    p50: 100,
    p99: 200,
    serverCpu: 99,
    serverSystemCpu: 40,
    loadCpu: 30,
    serverCpuMicrosPerMessage: 1e6 / messagesPerSec,
    errors: 0,
  };
}

function results(): BenchResults {
  const cells = parseOptions([])!.echoCells;
  const echo = cells.map((cell) => {
    const targets: ByTarget<EchoRun> = {};
    recordRun(targets, 'ours', echoRun(300));
    recordRun(targets, 'ours', echoRun(260));
    recordRun(targets, 'ours', echoRun(280));
    recordRun(targets, 'platform-ws', echoRun(100));
    recordRun(targets, 'ws', echoRun(200));
    recordRun(targets, 'ws', 'target crashed');
    recordRun(targets, 'raw', echoRun(2000));
    return { cell, targets };
  });
  return {
    version: 1,
    date: '2026-01-02T03:04:05.000Z',
    mode: 'full',
    repeats: 3,
    warmupSeconds: 2,
    measureSeconds: 5,
    machine,
    echo,
    broadcast: [],
    idle: [
      {
        connections: 19_000,
        targets: {
          ours: { runs: [], median: { rssPerConnectionKiB: 5, rssMiB: 150, baselineRssMiB: 60 }, failures: [] },
          'platform-ws': {
            runs: [{ rssPerConnectionKiB: 12, rssMiB: 280, baselineRssMiB: 60 }],
            median: { rssPerConnectionKiB: 12, rssMiB: 280, baselineRssMiB: 60 },
            failures: [],
          },
        },
      },
    ],
    handshake: undefined,
    micro: [],
    goals: [],
  };
}

describe('reports', () => {
  it('keeps per-field medians of the runs and counts failures apart', () => {
    const { targets } = results().echo[1];
    assert.equal(targets.ours!.median.messagesPerSec, 280);
    assert.equal(targets.ws!.runs.length, 1);
    assert.deepEqual(targets.ws!.failures, ['target crashed']);
  });

  it('checks the issue goals against the medians', () => {
    const data = results();
    const goals = evaluateGoals(data);
    const nest = goals.find((g) => g.goal.startsWith('echo via @SubscribeMessage /nest-echo 64x16 32 B'))!;
    assert.equal(nest.ratio, 2.8);
    assert.equal(nest.pass, true);
    const raw = goals.find((g) => g.goal.startsWith('raw echo /echo 64x16 32 B'))!;
    assert.equal(raw.ratio, 1.4);
    assert.equal(raw.pass, false);
    // A target without a successful run cannot be judged.
    const idle = goals.find((g) => g.goal.startsWith('idle memory'))!;
    assert.equal(idle.pass, null);
  });

  it('holds one message in flight and the chat round trip to the references, rate and latencies', () => {
    const data = results();
    const service: ByTarget<EchoRun> = {};
    recordRun(service, 'service', { ...echoRun(90), p50: 90, p99: 150 });
    recordRun(service, 'platform-ws', echoRun(100));
    data.chatRoundTrip = [{ measure: 'ack', targets: service }];
    const goals = evaluateGoals(data);
    const rate = goals.find((g) => g.goal === 'ours: /echo 1x1 32 B: msg/s vs ws')!;
    assert.equal(rate.ratio, 1.4);
    assert.equal(rate.pass, true);
    assert.ok(goals.some((g) => g.goal === 'ours: /nest-echo 1x1 1 KiB: p99 vs platform-ws' && g.pass === true));
    const chat = goals.filter((g) => g.goal.startsWith('service: chat message -> ack'));
    assert.deepEqual(
      chat.map((g) => [g.goal.slice('service: chat message -> ack: '.length), g.pass]),
      [
        ['msg/s vs platform-ws', false],
        ['p50 vs platform-ws', true],
        ['p99 vs platform-ws', true],
      ],
    );
    assert.match(renderMarkdown(data), /\| \/chat message -> ack \| service \| 90 \|/);
  });

  it('judges the 1x1 cells with permessage-deflate on their own, and labels their rows', () => {
    const data = results();
    const cell = data.echo.find(({ cell: c }) => c.path === '/echo' && c.size === 32 && c.deflate === true)!;
    cell.targets = {};
    recordRun(cell.targets, 'ours', echoRun(150));
    recordRun(cell.targets, 'platform-ws', echoRun(100));
    recordRun(cell.targets, 'ws', echoRun(200));
    const goals = evaluateGoals(data);
    const deflated = goals.find((g) => g.goal === 'ours: /echo 1x1 32 B deflate: msg/s vs ws')!;
    assert.equal(deflated.ratio, 0.75);
    assert.equal(deflated.pass, false);
    assert.equal(goals.find((g) => g.goal === 'ours: /echo 1x1 32 B: msg/s vs ws')!.ratio, 1.4);
    assert.ok(goals.some((g) => g.goal === 'ours: /nest-echo 1x1 1 KiB deflate: p99 vs ws'));
    assert.match(renderMarkdown(data), /\| \/echo 1x1 32 B deflate \| ours \| 150 \|/);
  });

  it('renders tables with ratios against platform-ws and ws', () => {
    const data = results();
    data.goals = evaluateGoals(data);
    const markdown = renderMarkdown(data);
    assert.match(markdown, /\| \/nest-echo 64x16 32 B \| ours \| 280 \|.*\| 2\.80x \| 1\.40x \|/);
    assert.match(markdown, /\| \/nest-echo 64x16 32 B \| ws \(1 failed run\) \|/);
    assert.match(markdown, /99% \(40% sys\)/);
    assert.match(markdown, /Load generator/);
  });

  it('draws an SVG chart with the date, the machine and one bar per target', () => {
    const svg = renderChart(results());
    assert.ok(svg.startsWith('<?xml'));
    assert.match(svg, /2026-01-02/);
    assert.match(svg, /Test CPU &lt;x&gt;/);
    const panel = svg.slice(svg.indexOf('Echo via @SubscribeMessage'), svg.indexOf('Raw echo ('));
    assert.equal(panel.match(/<rect /g)?.length, 4);
    assert.match(panel, /ours = 2\.80x platform-ws, 1\.40x ws/);
    assert.equal(escapeXml(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});
