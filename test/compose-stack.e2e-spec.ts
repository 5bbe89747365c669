import { isIP } from 'node:net';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { ChatPage } from './helpers/browser-chat-page.js';
import { launchChromium } from './helpers/browser-launch.js';
import { baseImages, ComposeProject, dockerEngine, until } from './helpers/compose-stack.js';
import { RecordingChatClient, type StoredMessage } from './helpers/recording-chat-client.js';

/**
 * `docker-compose up` for real: the images built from this repository, the stack of
 * docker-compose.yml (Redis, two gateways, nginx) started and used through nginx's published
 * port on 127.0.0.1 only, then taken down. Slow (minutes): the timeouts below are this file's.
 */

const MINUTE = 60_000;
/** Building the images on a cold cache (stand-in base images, npm ci, tsc) on a busy machine. */
const START_MS = 40 * MINUTE;
const STEP_MS = 4 * MINUTE;
const GATEWAYS = ['gateway-1', 'gateway-2'] as const;
type Gateway = (typeof GATEWAYS)[number];
const GATEWAY_IMAGE = 'nest-chat-gateway:latest';

const engine = dockerEngine();

function describeWithDocker(name: string, body: () => void): void {
  if (typeof engine !== 'string') {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs a Docker engine', () => {
        throw new Error(`no Docker engine: ${engine}`);
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": no Docker engine (${engine}).`);
    describe.skip(name, body);
  }
}

/** Message ids `<ms>-<seq>` in order. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : Number(am - bm);
}

const idsOf = (messages: StoredMessage[]) => messages.map((message) => message.id);

describeWithDocker('docker-compose.yml run for real, used through nginx', () => {
  const started = Date.now();
  const phases: string[] = [];
  let project: ComposeProject;
  let base = '';
  let wsBase = '';
  let browser: Browser | undefined;
  const clients: RecordingChatClient[] = [];
  const pages: ChatPage[] = [];

  function phase(name: string, since: number): void {
    phases.push(`${name} ${((Date.now() - since) / 1000).toFixed(1)} s`);
  }

  async function connect(): Promise<RecordingChatClient> {
    const client = await RecordingChatClient.connect(`${wsBase}/chat`);
    clients.push(client);
    return client;
  }

  /**
   * Closes every client and waits for the closes: nginx sends each new connection and request
   * to the gateway with the fewest open connections, so a test starts from none on either.
   */
  async function closeClients(): Promise<void> {
    const open = clients.splice(0);
    for (const client of open) client.close();
    await Promise.all(open.map((client) => client.closed()));
  }

  /**
   * Connects until `wanted` clients are on each gateway. nginx sends a new connection to the
   * gateway with the fewest, so the extra ones stay open until the end of the test.
   */
  async function clientsOnEach(wanted: number): Promise<Record<Gateway, RecordingChatClient[]>> {
    const on: Record<Gateway, RecordingChatClient[]> = { 'gateway-1': [], 'gateway-2': [] };
    for (let attempt = 0; attempt < 4 * wanted + 20 && GATEWAYS.some((g) => on[g].length < wanted); attempt++) {
      const client = await connect();
      const list = on[client.welcome.instance as Gateway];
      if (list === undefined) throw new Error(`welcome names no gateway: ${JSON.stringify(client.welcome)}`);
      if (list.length < wanted) list.push(client);
    }
    for (const gateway of GATEWAYS) expect(on[gateway]).toHaveLength(wanted);
    return on;
  }

  /** A client that nginx sent to `gateway` (new connections go to the one with the fewest). */
  async function clientOn(gateway: Gateway, ms = MINUTE): Promise<RecordingChatClient> {
    return until(
      async () => {
        const client = await connect();
        if (client.welcome.instance === gateway) return client;
        client.close();
        return undefined;
      },
      `a connection served by ${gateway}`,
      ms,
    );
  }

  /** GET through nginx until every gateway answered; the bodies by instance. */
  async function fromEachGateway(path: string, accept: (status: number) => boolean): Promise<Map<string, unknown>> {
    const answers = new Map<string, unknown>();
    await until(
      async () => {
        const response = await fetch(`${base}${path}`);
        const instance = response.headers.get('x-instance-id') ?? '';
        const body: unknown = await response.json();
        if (accept(response.status)) answers.set(instance, body);
        return GATEWAYS.every((gateway) => answers.has(gateway)) ? answers : undefined;
      },
      `GET ${path} answered by both gateways`,
      2 * MINUTE,
      100,
    );
    return answers;
  }

  async function waitHealthy(services: readonly string[], ms = 3 * MINUTE): Promise<void> {
    for (const service of services) {
      const container = await project.container(service);
      await until(
        async () => ((await project.inspect(container)).State.Health?.Status === 'healthy' ? true : undefined),
        `${service} healthy`,
        ms,
        500,
      );
    }
  }

  beforeAll(async () => {
    if (typeof engine === 'string') return;
    let since = Date.now();
    const images = await baseImages(engine.env);
    phase(`base images (${Object.values(images).join(', ')})`, since);
    project = new ComposeProject(engine.env, images);
    since = Date.now();
    // Untagged first, so that `up --build` shows gateway-2 waiting for gateway-1's build rather
    // than pulling (the layers stay: they are the build cache).
    await project.docker(['rmi', '--no-prune', GATEWAY_IMAGE]).catch(() => undefined);
    const up = await project.composeRun(['up', '-d', '--build'], START_MS);
    if (up.status !== 0) {
      const logs = await project.composeRun(['logs', '--no-color', '--tail', '30']);
      const health = await project.docker([
        'inspect',
        '--format',
        '{{.Name}} {{json .State.Health}}',
        ...(await project.containers()),
      ]);
      throw new Error(`docker-compose up failed (${up.status}):\n${up.stderr}\n${logs.stdout}\n${health}`);
    }
    expect(up.stderr.match(/^Building /gm)).toEqual(['Building ']);
    expect(up.stderr).toMatch(/^Building gateway-1$/m);
    expect(up.stderr).not.toMatch(/Pulling/);
    phase('build and up', since);
    since = Date.now();
    await waitHealthy(['redis', ...GATEWAYS, 'nginx']);
    phase('until every health check passed', since);
    const published = (await project.compose(['port', 'nginx', '8080'])).trim();
    expect(published).toMatch(/^127\.0\.0\.1:\d+$/);
    base = `http://${published}`;
    wsBase = `ws://${published}`;
  }, START_MS);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(pages.map((page) => page.close().catch(() => undefined)));
    await browser?.close();
    if (project !== undefined && (await project.containers()).length > 0) {
      await project.compose(['down', '-v', '--remove-orphans'], 2 * MINUTE).catch((error) => console.error(error));
    }
    if (typeof engine !== 'string') await engine.stop();
    console.log(`compose stack test: ${((Date.now() - started) / 1000).toFixed(1)} s in all (${phases.join('; ')})`);
  }, 3 * MINUTE);

  it(
    'serves the page, and two people in their own browser contexts chat',
    async () => {
      const since = Date.now();
      browser = await launchChromium();
      const alice = await ChatPage.open(browser, base, { name: 'Alice', room: 'compose-page' });
      pages.push(alice);
      const bob = await ChatPage.open(browser, base, { name: 'Bob', room: 'compose-page' });
      pages.push(bob);
      await alice.send('hello from Alice');
      await bob.waitForMessage('hello from Alice', 'Alice');
      await bob.send('hi Alice');
      await alice.waitForMessage('hi Alice', 'Bob');
      expect([...alice.pageErrors, ...bob.pageErrors]).toEqual([]);
      expect([...alice.cspViolations, ...bob.cspViolations]).toEqual([]);
      // Their connections would count in nginx's least_conn choices of the next tests.
      await Promise.all(pages.splice(0).map((page) => page.close()));
      phase('page', since);
    },
    STEP_MS,
  );

  it(
    'names the client by the address nginx saw, whatever X-Forwarded-For the client sent',
    async () => {
      const socket = new WebSocket(`${wsBase}/`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
      const lines: string[] = [];
      const line = await new Promise<string>((resolve, reject) => {
        const probe = `probe-${Date.now()}`;
        socket.on('message', (data: Buffer) => {
          const text = data.toString();
          lines.push(text);
          // In the room once welcomed: then a line is everyone's, the sender's included.
          if (/^Welcome, .* !$/.test(text) && lines.filter((seen) => seen.startsWith('Welcome, ')).length === 1) {
            socket.send(probe);
          }
          if (text.endsWith(` say: ${probe}`)) resolve(text);
        });
        socket.once('error', reject);
        setTimeout(() => reject(new Error(`no echo of the probe line; got ${JSON.stringify(lines)}`)), 30_000);
      });
      socket.close();
      const name = /^\d\d:\d\d:\d\d (.+) say: /.exec(line)![1];
      const nginx = await project.inspect(await project.container('nginx'));
      const nginxAddresses = Object.values(nginx.NetworkSettings.Networks).map((network) => network.IPAddress);
      // The gateways believe the one entry nginx appended, never nginx's own address nor the client's.
      expect(isIP(name)).toBe(4);
      expect(name).not.toBe('203.0.113.7');
      expect(nginxAddresses).not.toContain(name);
    },
    STEP_MS,
  );

  describe('clients on both gateways, one room', () => {
    const room = 'compose-fanout';
    let on: Record<Gateway, RecordingChatClient[]>;
    const acked: string[] = [];

    it(
      'delivers every message once to every client, in the same order; REST history is the same from both',
      async () => {
        on = await clientsOnEach(2);
        const everyone = [...on['gateway-1'], ...on['gateway-2']];
        for (const [index, client] of everyone.entries()) await client.join(room, { name: `fan${index}` });
        const posts = everyone.flatMap((client, index) => [0, 1, 2].map((n) => client.post(room, `m${index}.${n}`)));
        acked.push(...(await Promise.all(posts)));
        const seen = await Promise.all(everyone.map((client) => client.waitForMessages(room, acked.length)));
        const order = idsOf(seen[0]);
        expect([...order].sort(compareIds)).toEqual(order);
        expect([...order].sort()).toEqual([...acked].sort());
        for (const messages of seen) expect(idsOf(messages)).toEqual(order);
        const histories = await fromEachGateway(`/api/rooms/${room}/messages?limit=100`, (status) => status === 200);
        for (const history of histories.values()) expect(idsOf(history as StoredMessage[])).toEqual(order);
      },
      STEP_MS,
    );

    it(
      'a gateway killed: its clients resume on the other with `since`, nothing acked lost; it restarts and serves again',
      async () => {
        const since = Date.now();
        const victim = await project.container('gateway-1');
        const restartsBefore = (await project.inspect(victim)).RestartCount;
        const dropped = on['gateway-1'];
        const survivors = on['gateway-2'];
        const lastSeen = dropped.map((client) => idsOf(client.messages(room)).at(-1)!);
        // A crash: the process is killed from outside Docker's API. (`docker kill` is a manual
        // stop for Docker: the restart policy leaves the container down until it is started.)
        process.kill((await project.inspect(victim)).State.Pid, 'SIGKILL');
        for (const client of dropped) expect((await client.closed()).code).not.toBe(1000);
        // Posted while gateway-1 is down.
        const during = await Promise.all(survivors.map((client, index) => client.post(room, `during-kill-${index}`)));
        acked.push(...during);
        for (const [index, client] of dropped.entries()) {
          const resumed = await connect();
          expect(resumed.welcome.instance).toBe('gateway-2');
          const joined = await resumed.join(room, { name: `resumed${index}`, since: lastSeen[index] });
          const all = [...client.messages(room), ...joined.history];
          expect(idsOf(all)).toEqual(idsOf(all).sort(compareIds));
          expect(new Set(idsOf(all)).size).toBe(all.length);
          for (const id of acked) expect(idsOf(all)).toContain(id);
        }
        // The restart policy brings gateway-1 back, and nginx sends clients to it again.
        await until(
          async () => ((await project.inspect(victim)).RestartCount > restartsBefore ? true : undefined),
          'gateway-1 restarted by its restart policy',
          2 * MINUTE,
          500,
        );
        await waitHealthy(['gateway-1']);
        const back = await clientOn('gateway-1');
        await back.join(room, { name: 'back' });
        const id = await back.post(room, 'gateway-1 is back');
        acked.push(id);
        await survivors[0].waitFor(
          (frame) => frame.event === 'message' && frame.data.id === id,
          'the message from gateway-1',
        );
        await closeClients();
        phase('kill and restart', since);
      },
      STEP_MS,
    );
  });

  it(
    'docker-compose stop of a gateway: its clients get 1001 and its members leave presence',
    async () => {
      const since = Date.now();
      const room = 'compose-stop';
      const on = await clientsOnEach(2);
      const observer = on['gateway-1'][0];
      await observer.join(room, { name: 'observer' });
      const leaving = on['gateway-2'];
      for (const [index, client] of leaving.entries()) await client.join(room, { name: `leaving${index}` });
      await project.compose(['stop', 'gateway-2'], 2 * MINUTE);
      try {
        for (const client of leaving) expect((await client.closed()).code).toBe(1001);
        // Presence lists the observer alone once gateway-2 has removed its members.
        await until(
          async () => {
            const rooms = (await (await fetch(`${base}/api/rooms`)).json()) as Array<{ room: string; members: number }>;
            return rooms.find((entry) => entry.room === room)?.members === 1 ? true : undefined;
          },
          `${room} listing the observer alone`,
          MINUTE,
        );
        // And the observer on the other gateway was told: gateway-2 announces its members' leaves
        // before it lets go of the bus. The latest presence event is the room's state.
        await until(
          async () => {
            const notices = observer.frames.filter(
              (frame) => frame.event === 'presence' && (frame.data as { room?: string }).room === room,
            );
            const latest = notices[notices.length - 1]?.data as { members?: string[]; count?: number } | undefined;
            return latest?.count === 1 && latest.members?.join() === 'observer' ? true : undefined;
          },
          `the observer told that ${room} holds it alone`,
          MINUTE,
        );
      } finally {
        await project.compose(['start', 'gateway-2'], 2 * MINUTE);
      }
      await waitHealthy(['gateway-2']);
      await clientOn('gateway-2');
      await closeClients();
      phase('stop and start', since);
    },
    STEP_MS,
  );

  it(
    'Redis restarted: both gateways answer 503 on /health while it is down, and recover',
    async () => {
      const since = Date.now();
      const room = 'compose-redis';
      // One client on each gateway: with as many connections on both, nginx alternates requests.
      const client = (await clientsOnEach(1))['gateway-1'][0];
      await client.join(room, { name: 'persistent' });
      const before = await client.post(room, 'before the Redis restart');
      await project.compose(['stop', 'redis'], 2 * MINUTE);
      const down = await fromEachGateway('/health', (status) => status === 503);
      for (const body of down.values()) expect(JSON.stringify(body)).toMatch(/redis/i);
      await expect(client.post(room, 'while Redis is down')).rejects.toThrow(/unavailable/);
      await project.compose(['start', 'redis'], 2 * MINUTE);
      await fromEachGateway('/health', (status) => status === 200);
      const after = await client.post(room, 'after the Redis restart');
      // The append-only file kept the history across the restart.
      const histories = await fromEachGateway(`/api/rooms/${room}/messages`, (status) => status === 200);
      for (const history of histories.values()) expect(idsOf(history as StoredMessage[])).toEqual([before, after]);
      await closeClients();
      phase('Redis restart', since);
    },
    STEP_MS,
  );

  it(
    'docker-compose down leaves no container',
    async () => {
      await closeClients();
      await project.compose(['down', '-v', '--remove-orphans'], 2 * MINUTE);
      expect(await project.containers()).toEqual([]);
    },
    STEP_MS,
  );
});
