import {
  defaultMessageParser,
  jsonMessageParser,
  JsonTooDeepError,
  selectFirstProtocol,
  serverOptionsFor,
} from './adapter-options.js';

describe('serverOptionsFor', () => {
  it('keeps the adapter options when the gateway overrides nothing', () => {
    const adapter = { maxPayload: 1024, allowedOrigins: ['https://a.example'] };
    expect(serverOptionsFor(adapter, { path: '/chat' })).toEqual({
      ...adapter,
      handleProtocols: selectFirstProtocol,
    });
  });

  it('selects the first offered protocol unless handleProtocols is given, as ws does', () => {
    expect(serverOptionsFor({}, {}).handleProtocols).toBe(selectFirstProtocol);
    const pick = (): string => 'b';
    expect(serverOptionsFor({ handleProtocols: pick }, {}).handleProtocols).toBe(pick);
    expect(serverOptionsFor({}, { handleProtocols: pick }).handleProtocols).toBe(pick);
    expect(selectFirstProtocol(['a', 'b'])).toBe('a');
    expect(selectFirstProtocol([])).toBe(false);
  });

  it('lets a gateway override any server option', () => {
    const authorize = (): boolean => true;
    const merged = serverOptionsFor(
      { maxPayload: 1024, maxConnections: 10 },
      { maxPayload: 64, authorize, closeTimeoutMs: 100 },
    );
    expect(merged).toMatchObject({ maxPayload: 64, maxConnections: 10, authorize, closeTimeoutMs: 100 });
  });

  it('ignores gateway options that are not server options', () => {
    const merged = serverOptionsFor({}, { path: '/x', cors: true, transports: ['websocket'] });
    expect(Object.keys(merged)).toEqual(['handleProtocols']);
  });

  it('treats an undefined override as absent', () => {
    expect(serverOptionsFor({ maxPayload: 10 }, { maxPayload: undefined }).maxPayload).toBe(10);
  });

  it('does not modify the adapter options', () => {
    const adapter = { maxPayload: 10 };
    serverOptionsFor(adapter, { maxPayload: 20 });
    expect(adapter).toEqual({ maxPayload: 10 });
  });
});

describe('defaultMessageParser', () => {
  it('parses text and binary frames as JSON', () => {
    expect(defaultMessageParser('{"event":"a","data":1}')).toEqual({ event: 'a', data: 1 });
    expect(defaultMessageParser(Buffer.from('{"event":"b"}'))).toEqual({ event: 'b' });
  });

  it('throws on anything that is not JSON', () => {
    expect(() => defaultMessageParser('nope')).toThrow(SyntaxError);
  });

  it('refuses a frame nested deeper than 64 before parsing it, like an unparsable one', () => {
    const ok = '{"event":"a","data":' + '['.repeat(63) + ']'.repeat(63) + '}';
    expect(defaultMessageParser(ok)).toMatchObject({ event: 'a' });
    const deep = '{"event":"a","data":' + '['.repeat(500_000) + ']'.repeat(500_000) + '}';
    expect(() => defaultMessageParser(deep)).toThrow(JsonTooDeepError);
    expect(() => defaultMessageParser(Buffer.from(deep))).toThrow(SyntaxError);
  });
});

describe('jsonMessageParser', () => {
  it('applies its own depth limit', () => {
    const parse = jsonMessageParser(2);
    expect(parse('{"event":"a","data":{"b":1}}')).toEqual({ event: 'a', data: { b: 1 } });
    expect(() => parse('{"event":"a","data":{"b":[1]}}')).toThrow('JSON nested deeper than 2 levels');
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const depth of [0, -1, 1.5, Number.NaN]) expect(() => jsonMessageParser(depth)).toThrow(RangeError);
  });
});
