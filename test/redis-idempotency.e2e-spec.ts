import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';
import { describeWithRedisServer, RedisServerProcess } from './helpers/redis-server.js';
import { startService, type ServiceApp } from './helpers/service-app.js';
import { eventually, within } from './helpers/waiting.js';

const TEST_MS = 40_000;

/** What became of each send of one client, by its ref: the id acked, or the last error code. */
class SendLedger {
  readonly acked = new Map<string, string>();
  readonly failed = new Map<string, string>();
  /** Message events the client received: id -> ref (own messages carry theirs). */
  readonly delivered = new Map<string, string | undefined>();

  constructor(readonly client: JsonChatClient) {
    client.socket.on('message', (raw: Buffer) => {
      const { event, data } = JSON.parse(raw.toString()) as { event: string; data: any };
      if (event === 'ack') {
        this.acked.set(data.ref, data.id);
        this.failed.delete(data.ref);
      } else if (event === 'error' && typeof data.ref === 'string') {
        this.failed.set(data.ref, data.code);
      } else if (event === 'message') {
        this.delivered.set(data.id, data.ref);
      }
    });
  }

  /** Sends (or resends) the message of `ref`: the text is the ref, so a copy is easy to count. */
  send(room: string, ref: string): void {
    this.failed.delete(ref);
    this.client.send('message', { room, text: `text of ${ref}`, ref });
  }

  /** Resolves once every ref has an answer (an ack or an error). */
  answered(refs: string[], ms = 10_000): Promise<void> {
    return eventually(() => refs.every((ref) => this.acked.has(ref) || this.failed.has(ref)), `answers to ${refs}`, ms);
  }

  codes(refs: string[]): string[] {
    return refs.map((ref) => this.acked.get(ref) ?? this.failed.get(ref) ?? 'no answer');
  }
}

const refsOf = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describeWithRedisServer('sending exactly once through Redis faults (BUS=redis, a redis-server of the test)', () => {
  let redis: RedisServerProcess;
  const services: ServiceApp[] = [];
  const clients: JsonChatClient[] = [];

  async function service(): Promise<ServiceApp> {
    const started = await startService({ BUS: 'redis', REDIS_URL: redis.url, ECHO_ENABLED: 'false' });
    services.push(started);
    return started;
  }

  async function sender(on: ServiceApp, session: string, room: string, since?: string) {
    const client = await JsonChatClient.connect(on.wsUrl, `/chat?session=${session}`);
    clients.push(client);
    const ledger = new SendLedger(client);
    await client.welcome();
    const joined = await client.join(room, since === undefined ? {} : { since });
    return { client, ledger, joined };
  }

  /** The room's stored messages, oldest first, as `text` -> how many copies. */
  async function copies(on: ServiceApp, room: string): Promise<Map<string, number>> {
    const response = await request(on.httpUrl).get(`/api/rooms/${room}/messages?limit=500`).expect(200);
    const counts = new Map<string, number>();
    for (const { text } of response.body as Array<{ text: string }>) counts.set(text, (counts.get(text) ?? 0) + 1);
    return counts;
  }

  async function healthBecomes(on: ServiceApp, status: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await request(on.httpUrl).get('/health')).status !== status) {
      if (Date.now() > deadline) throw new Error(`/health did not answer ${status} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Resends every ref not acked yet until all are, as a client told `maybe_stored`/`unavailable` does. */
  async function resendUntilAcked(ledger: SendLedger, room: string, refs: string[]): Promise<void> {
    for (let round = 0; round < 10 && refs.some((ref) => !ledger.acked.has(ref)); round++) {
      const pending = refs.filter((ref) => !ledger.acked.has(ref));
      for (const ref of pending) ledger.send(room, ref);
      await ledger.answered(pending);
    }
    expect(ledger.codes(refs).filter((outcome) => !outcome.includes('-'))).toEqual([]);
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await Promise.all(services.splice(0).map((started) => started.close()));
    await redis?.kill();
  });

  it(
    'answers maybe_stored while Redis is frozen (SIGSTOP); Redis stores those once it resumes, and resends are acked with their ids, stored no more',
    async () => {
      redis = await RedisServerProcess.create();
      const a = await service();
      const { ledger } = await sender(a, `frozen-${randomBytes(8).toString('hex')}`, 'frozen');
      // The room is admitted while Redis answers: the sends below reach the store script itself.
      ledger.send('frozen', 'warm-up');
      await ledger.answered(['warm-up']);
      // A plain-text client has no ref to resend with: it is told its line may still appear.
      const liner = await LineChatClient.connect(a.wsUrl);
      liner.sendText('a line before the freeze');
      await liner.waitForLine((line) => line.endsWith('a line before the freeze'), 'the line');
      const refs = refsOf('f', 3);
      redis.freeze();
      try {
        for (const ref of refs) ledger.send('frozen', ref);
        liner.sendText('a line into the freeze');
        await ledger.answered(refs);
        expect(refs.map((ref) => ledger.failed.get(ref))).toEqual(['maybe_stored', 'maybe_stored', 'maybe_stored']);
        const error = await liner.waitForLine((line) => line.startsWith('Error:'), 'the error line');
        expect(error).toBe('Error: the chat did not answer in time; your line may still appear');
      } finally {
        redis.thaw();
      }
      // Redis runs what it had received: the three messages are stored and delivered after all.
      await eventually(() => ledger.delivered.size === 4, 'the sends in doubt to be delivered', 10_000);
      const storedIds = new Map([...ledger.delivered].map(([id, ref]) => [ref, id]));
      await resendUntilAcked(ledger, 'frozen', refs);
      for (const ref of refs) expect(ledger.acked.get(ref)).toBe(storedIds.get(ref));
      const counts = await copies(a, 'frozen');
      expect([...counts.values()]).toEqual([1, 1, 1, 1]);
      expect(ledger.delivered.size).toBe(4);
      await liner.waitForLine((line) => line.endsWith('a line into the freeze'), 'the line stored after all');
      await liner.close();
    },
    TEST_MS,
  );

  it(
    'answers unavailable while Redis is stopped and stores none of those sends; after a restart each resend is stored once',
    async () => {
      redis = await RedisServerProcess.create();
      const a = await service();
      const { ledger } = await sender(a, `stopped-${randomBytes(8).toString('hex')}`, 'stopped');
      await redis.kill();
      await healthBecomes(a, 503);
      const refs = refsOf('s', 3);
      for (const ref of refs) ledger.send('stopped', ref);
      await ledger.answered(refs);
      expect(ledger.codes(refs)).toEqual(['unavailable', 'unavailable', 'unavailable']);
      await redis.start();
      await healthBecomes(a, 200);
      expect(await copies(a, 'stopped')).toEqual(new Map());
      await resendUntilAcked(ledger, 'stopped', refs);
      const first = ledger.codes(refs);
      // Once more: the same ids, nothing stored twice.
      ledger.acked.clear();
      await resendUntilAcked(ledger, 'stopped', refs);
      expect(ledger.codes(refs)).toEqual(first);
      expect([...(await copies(a, 'stopped')).values()]).toEqual([1, 1, 1]);
    },
    TEST_MS,
  );

  it(
    'answers a REST batch 503 unavailable while Redis is stopped and maybe_stored while it is frozen; a resend of the whole batch stores each message once, in order',
    async () => {
      redis = await RedisServerProcess.create();
      const a = await service();
      const post = (refs: string[]) =>
        request(a.httpUrl)
          .post('/api/rooms/batched/messages/batch')
          .send({ from: 'bot', messages: refs.map((ref) => ({ text: `text of ${ref}`, ref })) });
      // The room is admitted while Redis answers, and has a member (no room creation check
      // reads Redis first): the batches below reach the store scripts.
      await post(['warm-up']).expect(201);
      await sender(a, `batched-${randomBytes(8).toString('hex')}`, 'batched');
      const refs = refsOf('b', 5);
      await redis.kill();
      await healthBecomes(a, 503);
      expect((await post(refs).expect(503)).body).toMatchObject({ code: 'unavailable' });
      await redis.start();
      await healthBecomes(a, 200);
      await post(['warm-up again']).expect(201);
      redis.freeze();
      try {
        const frozen = await post(refs).expect(503);
        expect(frozen.headers['retry-after']).toBe('1');
        expect(frozen.body).toMatchObject({ code: 'maybe_stored' });
      } finally {
        redis.thaw();
      }
      const resent = await post(refs).expect(201);
      const stored = resent.body as Array<{ id: string; text: string; ref: string }>;
      expect(stored.map((message) => message.ref)).toEqual(refs);
      const again = await post(refs).expect(201);
      expect(again.body).toEqual(stored);
      const counts = await copies(a, 'batched');
      expect([...counts.keys()]).toEqual(['text of warm-up again', ...refs.map((ref) => `text of ${ref}`)]);
      expect([...counts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    },
    TEST_MS,
  );

  it(
    'leaves every send of a client whose instance stops mid-send stored exactly once once it resends on another instance',
    async () => {
      redis = await RedisServerProcess.create();
      const [a, b] = [await service(), await service()];
      const session = `moving-${randomBytes(8).toString('hex')}`;
      const first = await sender(a, session, 'moving');
      const refs = refsOf('m', 12);
      for (const ref of refs.slice(0, 6)) first.ledger.send('moving', ref);
      // Stopped with sends in flight, and more sent while it stops: stored without an ack, or
      // never stored, or (as it happens) acked.
      const stopping = a.close();
      for (const ref of refs.slice(6)) first.ledger.send('moving', ref);
      await stopping;
      services.splice(services.indexOf(a), 1);
      await within(first.client.closed, 'the 1001 close of the stopped instance', 10_000);
      const ackedBefore = new Map(first.ledger.acked);

      const { ledger, joined } = await sender(b, session, 'moving', '0-0');
      // The sender's own refs come back in the history: what it finds there need not be resent.
      const found = new Map<string, string>(joined.history.map((message: any) => [message.ref, message.id]));
      for (const [ref, id] of ackedBefore) expect(found.get(ref)).toBe(id);
      await resendUntilAcked(ledger, 'moving', refs);
      for (const [ref, id] of found) expect(ledger.acked.get(ref)).toBe(id);
      const counts = await copies(b, 'moving');
      expect(counts).toEqual(new Map(refs.map((ref) => [`text of ${ref}`, 1])));
    },
    TEST_MS,
  );
});
