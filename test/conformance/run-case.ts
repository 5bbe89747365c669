import { close as closeFrame } from './frame.js';
import { describeEvent, describeEvents, type ServerEvent } from './events.js';
import { RawClient } from './raw-client.js';
import type { ConformanceCase, ExpectedEvent } from './cases/types.js';

export interface Target {
  readonly port: number;
  readonly path: string;
}

/** How long the server has to answer, and to close TCP once the close frames are exchanged. */
export const REPLY_TIMEOUT_MS = 2000;
export const TCP_CLOSE_TIMEOUT_MS = 2000;

const isTerminal = (e: ServerEvent) => e.type === 'close' || e.type === 'tcp-close' || e.type === 'violation';
const isReply = (e: ServerEvent): e is ServerEvent & ExpectedEvent => e.type === 'message' || e.type === 'pong';

/** Runs one case on a fresh connection; throws an Error describing the first mismatch. */
export async function runCase(target: Target, testCase: ConformanceCase): Promise<void> {
  const client = await RawClient.connect({ port: target.port, path: target.path, extensions: testCase.offer });
  try {
    if (testCase.negotiated !== undefined && (client.extensions ?? null) !== testCase.negotiated) {
      throw new Error(
        `offered ${JSON.stringify(testCase.offer)}, expected the 101 to answer ${JSON.stringify(testCase.negotiated)}; ` +
          `it answered ${JSON.stringify(client.extensions ?? null)}`,
      );
    }
    await client.send(testCase.send, testCase.chunking);
    if (testCase.expect.kind === 'open') await expectOpen(client, testCase);
    else await expectClosed(client, testCase);
  } finally {
    client.destroy();
  }
}

async function expectOpen(client: RawClient, testCase: ConformanceCase): Promise<void> {
  const { events: expected, ordered } = testCase.expect;
  await client.waitFor(
    `${describeExpected(expected)} on an open connection`,
    (events) => events.some(isTerminal) || events.filter(isReply).length >= expected.length,
    testCase.timeoutMs ?? REPLY_TIMEOUT_MS,
  );
  const early = client.events.find(isTerminal);
  if (early) {
    throw new Error(
      `expected the connection to stay open with ${describeExpected(expected)}; ` +
        `received ${describeEvents(client.events)}`,
    );
  }

  // Our own close ends the case; anything the server still sends before its reply is counted.
  await client.send(closeFrame(1000));
  const close = await waitForCloseFrame(client, 'a close frame answering our close 1000');
  assertReplies(client, expected, ordered);
  if (close.code !== 1000) {
    throw new Error(`expected our close code 1000 to be echoed; received ${describeEvents(client.events)}`);
  }
  await waitForTcpClose(client);
}

async function expectClosed(client: RawClient, testCase: ConformanceCase): Promise<void> {
  const outcome = testCase.expect;
  if (outcome.kind !== 'closed') throw new Error('unreachable');
  const wanted = `a close frame with ${outcome.codes.map((c) => (c === null ? 'no code' : c)).join(' or ')}`;
  const close = await waitForCloseFrame(
    client,
    `${describeExpected(outcome.events)} then ${wanted}`,
    testCase.timeoutMs,
  );
  if (!outcome.codes.includes(close.code)) {
    throw new Error(`expected ${wanted}; received ${describeEvents(client.events)}`);
  }
  if (outcome.reason && !close.reason.equals(outcome.reason)) {
    throw new Error(
      `expected close reason ${JSON.stringify(outcome.reason.toString())}; received ${describeEvent(close)}`,
    );
  }
  assertReplies(client, outcome.events, outcome.ordered);
  await waitForTcpClose(client);
}

async function waitForCloseFrame(
  client: RawClient,
  what: string,
  timeoutMs = REPLY_TIMEOUT_MS,
): Promise<Extract<ServerEvent, { type: 'close' }>> {
  await client.waitFor(what, (events) => events.some(isTerminal), timeoutMs);
  const first = client.events.find(isTerminal)!;
  if (first.type !== 'close') {
    throw new Error(`expected ${what}; received ${describeEvents(client.events)}`);
  }
  return first;
}

async function waitForTcpClose(client: RawClient): Promise<void> {
  await client.waitFor(
    `the server to close TCP after the close frames (within ${TCP_CLOSE_TIMEOUT_MS} ms)`,
    (events) => events.some((e) => e.type === 'tcp-close' || e.type === 'violation'),
    TCP_CLOSE_TIMEOUT_MS,
  );
  const violation = client.events.find((e) => e.type === 'violation');
  if (violation) throw new Error(`${describeEvent(violation)}; received ${describeEvents(client.events)}`);
}

/** Compares the messages and pongs that came before the close frame with the expected ones. */
function assertReplies(client: RawClient, expected: readonly ExpectedEvent[], ordered: boolean): void {
  const closeAt = client.events.findIndex(isTerminal);
  const actual = client.events.slice(0, closeAt < 0 ? undefined : closeAt).filter(isReply);
  const matches = ordered
    ? sameSequence(expected, actual)
    : sameSequence(
        expected.filter((e) => e.type === 'message'),
        actual.filter((e) => e.type === 'message'),
      ) &&
      sameSequence(
        expected.filter((e) => e.type === 'pong'),
        actual.filter((e) => e.type === 'pong'),
      );
  if (!matches) {
    throw new Error(
      `expected ${describeExpected(expected)}${ordered ? ' in this order' : ''} before the close frame; ` +
        `received ${describeEvents(client.events)}`,
    );
  }
}

function sameSequence(expected: readonly ExpectedEvent[], actual: readonly ExpectedEvent[]): boolean {
  return expected.length === actual.length && expected.every((e, i) => sameEvent(e, actual[i]));
}

/** `a` is the expectation, `b` what arrived. */
function sameEvent(a: ExpectedEvent, b: ExpectedEvent): boolean {
  if (a.type !== b.type || !a.data.equals(b.data)) return false;
  if (a.type !== 'message' || b.type !== 'message') return true;
  return a.binary === b.binary && (a.compressed === undefined || a.compressed === (b.compressed === true));
}

function describeExpected(events: readonly ExpectedEvent[]): string {
  if (events.length === 0) return 'no message or pong';
  const describe = (e: ExpectedEvent): string => {
    if (e.type !== 'message') return describeEvent(e);
    const plain = describeEvent({ type: 'message', binary: e.binary, data: e.data });
    return e.compressed === undefined ? plain : `${e.compressed ? 'compressed' : 'uncompressed'} ${plain}`;
  };
  return `[${events.map(describe).join(', ')}]`;
}
