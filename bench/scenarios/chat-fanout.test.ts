import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from '../options.js';
import { chatFanoutSteps, chatFanoutTargets, fanoutJobs } from './chat-fanout.js';

describe('chat fan-out cell', () => {
  const setup = {
    port: 4000,
    shares: [600, 400],
    broadcastSize: 64,
    connectTimeoutMs: 1000,
    sourceAddress: (() => {
      let n = 0;
      return () => `127.0.0.${++n}`;
    })(),
  };

  it('drives the service through a chat room on /chat, the sender after every receiver', () => {
    const { receivers, sender } = fanoutJobs('service', setup);
    assert.deepEqual(
      receivers.map((job) => [job.kind, job.endpoint.path, 'connections' in job ? job.connections : 0]),
      [
        ['chat-receivers', '/chat', 600],
        ['chat-receivers', '/chat', 400],
      ],
    );
    assert.equal(sender.kind, 'chat-sender');
    assert.equal(sender.endpoint.path, '/chat');
    assert.ok(receivers.every((job) => 'room' in job && sender.kind === 'chat-sender' && job.room === sender.room));
    assert.deepEqual(
      [...receivers, sender].map((job) => job.localAddress),
      ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
    );
  });

  it("drives the other targets through the bench app's /broadcast", () => {
    for (const name of ['ours', 'platform-ws', 'ws'] as const) {
      const { receivers, sender } = fanoutJobs(name, setup);
      assert.ok(receivers.every((job) => job.kind === 'receivers' && job.endpoint.path === '/broadcast'));
      assert.deepEqual([sender.kind, sender.endpoint.path], ['sender', '/broadcast']);
    }
  });

  it('runs every target but the raw echo server, 1,000 receivers at 100 msg/s unless told', () => {
    const options = parseOptions(['--repeat', '2'])!;
    assert.deepEqual(chatFanoutTargets(options), ['ours', 'service', 'platform-ws', 'ws']);
    assert.equal(chatFanoutSteps(options), 8);
    assert.deepEqual([options.chatFanoutReceivers, options.chatFanoutRate], [1000, 100]);
    const asked = parseOptions(['--fanout-receivers', '300', '--fanout-rate', '20'])!;
    assert.deepEqual([asked.chatFanoutReceivers, asked.chatFanoutRate], [300, 20]);
  });
});
