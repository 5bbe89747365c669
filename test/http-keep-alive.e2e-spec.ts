import http from 'node:http';
import net from 'node:net';
import { startService, type ServiceApp } from './helpers/service-app.js';
import { within } from './helpers/waiting.js';

/** The server's idle timeout in these tests: announced as `timeout=2`, so Node's agent keeps a socket 1 s. */
const KEEP_ALIVE_MS = 2000;

interface Answer {
  status: number;
  reused: boolean;
  headers: http.IncomingHttpHeaders;
}

/** A POST of a message whose body is still to be written: the request, its body, and its answer. */
function openPost(app: ServiceApp, agent: http.Agent, text: string) {
  const body = JSON.stringify({ from: 'backend', text });
  const url = new URL('/api/rooms/lobby/messages', app.httpUrl);
  let req!: http.ClientRequest;
  const answer = new Promise<Answer>((resolve, reject) => {
    req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, headers: res.headers }));
      },
    );
    req.on('error', reject);
  });
  return { req, body, answer };
}

function post(app: ServiceApp, agent: http.Agent, text: string): Promise<Answer> {
  const { req, body, answer } = openPost(app, agent, text);
  req.end(body);
  return within(answer, `the answer to POST ${text}`);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HTTP keep-alive', () => {
  let app: ServiceApp;
  const agents: http.Agent[] = [];

  /** A keep-alive agent as a backend would make one: its own idle timeout far above the server's. */
  function keepAliveAgent(): http.Agent {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8, timeout: 60_000 });
    agents.push(agent);
    return agent;
  }

  beforeEach(async () => {
    app = await startService({
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
      CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
    });
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy();
    await app.close();
  });

  it('announces its idle timeout in whole seconds on every keep-alive response', async () => {
    const answer = await post(app, keepAliveAgent(), 'hello');
    expect(answer.status).toBe(201);
    expect(answer.headers.connection).toBe('keep-alive');
    expect(answer.headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_MS / 1000}`);
  });

  it('answers every POST over reused sockets, across idle gaps past its timeout, without a reset', async () => {
    const agent = keepAliveAgent();
    const answers: Answer[] = [];
    const sequential: Answer[] = [];
    let sent = 0;
    // Bursts over all eight sockets, then gaps just under and just past the server's timeout
    // (the agent dropped its idle sockets before the server did, and opens new ones).
    for (const gapMs of [0, 700, KEEP_ALIVE_MS + 200, 700, KEEP_ALIVE_MS + 200]) {
      await pause(gapMs);
      answers.push(...(await Promise.all(Array.from({ length: 16 }, () => post(app, agent, `m${sent++}`)))));
      for (let i = 0; i < 4; i++) sequential.push(await post(app, agent, `m${sent++}`));
    }
    answers.push(...sequential);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    // Sockets were reused: after each burst, and across the gaps under the announced timeout.
    expect(sequential.every((answer) => answer.reused)).toBe(true);
    expect(answers.filter((answer) => answer.reused).length).toBeGreaterThanOrEqual(36);
  }, 20_000);

  it('closes idle keep-alive connections cleanly when it shuts down', async () => {
    const socket = net.connect(Number(new URL(app.httpUrl).port), '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    const reset = new Promise<string>((resolve) => socket.once('error', (error) => resolve(error.message)));
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await within(
      (async () => {
        while (!Buffer.concat(received).toString().includes('\r\n\r\n')) await pause(5);
      })(),
      'the health answer',
    );
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 200[^]*Connection: keep-alive/i);
    const closing = app.close();
    // A FIN, not a reset: the idle connection is ended by the server, not dropped.
    await within(Promise.race([ended, reset.then((message) => Promise.reject(new Error(message)))]), 'the FIN');
    socket.destroy();
    await closing;
    app = await startService({ HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS) });
  });

  it('answers a request in flight during the shutdown with Connection: close', async () => {
    const { req, body, answer } = openPost(app, keepAliveAgent(), 'last words');
    // Half the body now: the request is in flight when the shutdown starts.
    req.write(body.slice(0, 10));
    setTimeout(() => {
      const closing = app.close();
      setTimeout(() => req.end(body.slice(10)), 50);
      void closing.then(() => undefined);
    }, 100);
    const { status, headers } = await within(answer, 'the answer to the request in flight');
    // Its message arrived once the shutdown had begun: refused (README, graceful shutdown).
    expect(status).toBe(503);
    expect(headers.connection).toBe('close');
    app = await startService({ HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS) });
  });
});
