import fc from 'fast-check';
import { checkConnection, checkParser, FrameFuzzCounts, fuzzedStream } from './helpers/hardening-fuzz-frames.js';
import {
  checkRawHandshake,
  checkValidateHandshake,
  HandshakeFuzzCounts,
  handshakeRequest,
  HandshakeTarget,
  rawRequest,
} from './helpers/hardening-fuzz-handshake.js';

// Small runs here; `npm run fuzz` runs the same properties over a million frames and more.

describe('fuzzing the frame parser with mutated client streams in random chunks', () => {
  it('never throws, outcomes are messages, control frames, valid closes or mapped errors, and chunking does not matter', () => {
    const counts = new FrameFuzzCounts();
    fc.assert(
      fc.property(fuzzedStream, (stream) => checkParser(stream, counts)),
      { numRuns: 1500 },
    );
    // The generator reaches every kind of outcome, not only errors.
    expect(counts.frames).toBeGreaterThan(5000);
    expect(counts.messages).toBeGreaterThan(0);
    expect(counts.controlFrames).toBeGreaterThan(0);
    expect(counts.closes).toBeGreaterThan(0);
    for (const code of [1002, 1007, 1009]) expect(counts.errors.get(code) ?? 0).toBeGreaterThan(0);
  });

  it('a connection fed the same streams never throws and only ever sends a valid close code, last', async () => {
    const counts = new FrameFuzzCounts();
    await fc.assert(
      fc.asyncProperty(fuzzedStream, (stream) => checkConnection(stream, counts)),
      { numRuns: 400 },
    );
    expect(counts.closes).toBeGreaterThan(0);
  });
});

const VALID_HEADERS = {
  host: 'example.com',
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};
const HANDSHAKE_EXAMPLES: Array<[Parameters<typeof checkValidateHandshake>[0]]> = [
  [{ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: { ...VALID_HEADERS } }],
  [
    {
      method: 'GET',
      httpVersionMajor: 1,
      httpVersionMinor: 1,
      headers: { ...VALID_HEADERS, 'sec-websocket-key': 'short' },
    },
  ],
  [
    {
      method: 'GET',
      httpVersionMajor: 1,
      httpVersionMinor: 1,
      headers: { ...VALID_HEADERS, 'sec-websocket-version': '8' },
    },
  ],
];

describe('fuzzing the handshake', () => {
  it('validateHandshake never throws: it accepts with a valid key or refuses with 400 or 426', () => {
    const counts = new HandshakeFuzzCounts();
    fc.assert(
      fc.property(handshakeRequest, (request) => checkValidateHandshake(request, counts)),
      // One example of each outcome class, so the coverage check below does not depend on
      // the random draw (426 needs a version other than 13 with everything else valid).
      { numRuns: 3000, examples: HANDSHAKE_EXAMPLES },
    );
    for (const status of [101, 400, 426]) expect(counts.outcomes.get(status) ?? 0).toBeGreaterThan(0);
  });

  describe('raw mutated requests in random chunks against a live server', () => {
    let target: HandshakeTarget;
    beforeAll(async () => {
      target = await HandshakeTarget.start();
    });
    afterAll(() => target.stop());

    it('always get 101 or an HTTP error, never a hang', async () => {
      const counts = new HandshakeFuzzCounts();
      await fc.assert(
        fc.asyncProperty(rawRequest, (request) => checkRawHandshake(target, request, counts)),
        { numRuns: 150 },
      );
      expect(counts.outcomes.get(101) ?? 0).toBeGreaterThan(0);
      expect(counts.outcomes.get(400) ?? 0).toBeGreaterThan(0);
    }, 60_000);
  });
});
