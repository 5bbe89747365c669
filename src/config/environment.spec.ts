import { environmentOf, InvalidConfigurationError, loadEnvironment, parseOriginList } from './environment.js';

describe('loadEnvironment', () => {
  it('applies the documented defaults when nothing is set', () => {
    const env = loadEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      WS_MAX_PAYLOAD: 1_048_576,
      WS_PERMESSAGE_DEFLATE: true,
      WS_HEARTBEAT_MS: 30_000,
      WS_MAX_CONNECTIONS: 0,
      WS_HANDSHAKE_TIMEOUT_MS: 10_000,
      WS_CLOSE_TIMEOUT_MS: 5_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
      WS_MAX_HEADER_BYTES: 16_384,
      WS_ALLOWED_ORIGINS: '',
      WS_SEND_BUFFER_LIMIT: 4_194_304,
      ECHO_ENABLED: true,
      CHAT_HISTORY_SIZE: 100,
      CHAT_MAX_ROOMS_PER_CONNECTION: 50,
      CHAT_RATE_LIMIT_BURST: 20,
      CHAT_RATE_LIMIT_PER_SECOND: 10,
      CHAT_REST_RATE_LIMIT_BURST: 20,
      CHAT_REST_RATE_LIMIT_PER_SECOND: 10,
      CHAT_MAX_ROOMS: 1000,
      CHAT_ROOM_MIN_IDLE: 600,
      CHAT_ROOM_TTL: 604_800,
      CHAT_IDEMPOTENCY_WINDOW: 600,
      CHAT_IDEMPOTENCY_KEYS: 500,
      CHAT_ROOM_CREATE_PER_MINUTE: 10,
      BUS: 'memory',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'chat:',
      LOG_FORMAT: 'text',
      LOG_LEVEL: 'info',
    });
  });

  it('converts numbers and booleans from their string form', () => {
    const env = loadEnvironment({ PORT: '8080', ECHO_ENABLED: 'false', WS_PERMESSAGE_DEFLATE: '0' });
    expect(env.PORT).toBe(8080);
    expect(env.ECHO_ENABLED).toBe(false);
    expect(env.WS_PERMESSAGE_DEFLATE).toBe(false);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['WS_MAX_PAYLOAD', '0'],
    ['WS_MAX_PAYLOAD', '1.5'],
    ['WS_PERMESSAGE_DEFLATE', 'maybe'],
    ['BUS', 'kafka'],
    ['REDIS_URL', 'http://example'],
    ['CHAT_HISTORY_SIZE', '-1'],
    ['CHAT_MAX_ROOMS_PER_CONNECTION', '0'],
    ['CHAT_RATE_LIMIT_BURST', '2.5'],
    ['CHAT_RATE_LIMIT_PER_SECOND', '-1'],
    ['CHAT_REST_RATE_LIMIT_BURST', '0'],
    ['CHAT_REST_RATE_LIMIT_PER_SECOND', 'fast'],
    ['CHAT_MAX_ROOMS', '0'],
    ['CHAT_ROOM_MIN_IDLE', '-5'],
    ['CHAT_ROOM_TTL', '1.5'],
    ['CHAT_IDEMPOTENCY_WINDOW', '0'],
    ['CHAT_IDEMPOTENCY_KEYS', '0'],
    ['CHAT_ROOM_CREATE_PER_MINUTE', '-1'],
    ['LOG_FORMAT', 'xml'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_PREFIX', 'has space'],
    ['REDIS_CLUSTER_NODES', '10.0.0.1'],
    ['REDIS_CLUSTER_NODES', 'a:1,,b:2'],
    ['CHAT_PRESENCE_INTERVAL_MS', '-1'],
    ['CHAT_PRESENCE_BURST', '0'],
    ['CHAT_MAX_FRAME_BYTES', '100'],
    ['CHAT_MAX_FRAME_BYTES', '4096.5'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    let caught: unknown;
    try {
      loadEnvironment({ [name]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigurationError);
    expect((caught as Error).message).toContain(`${name}=${JSON.stringify(value)}`);
  });

  it('turns /echo off by default with NODE_ENV=production; ECHO_ENABLED overrides either way', () => {
    expect(loadEnvironment({ NODE_ENV: 'production' }).ECHO_ENABLED).toBe(false);
    expect(loadEnvironment({ NODE_ENV: 'production', ECHO_ENABLED: 'true' }).ECHO_ENABLED).toBe(true);
    expect(loadEnvironment({ NODE_ENV: 'development' }).ECHO_ENABLED).toBe(true);
    expect(loadEnvironment({ ECHO_ENABLED: 'false' }).ECHO_ENABLED).toBe(false);
  });

  it('takes CHAT_MAX_FRAME_BYTES when set, leaves it to the chat otherwise', () => {
    expect(loadEnvironment({}).CHAT_MAX_FRAME_BYTES).toBeUndefined();
    expect(loadEnvironment({ CHAT_MAX_FRAME_BYTES: '4096' }).CHAT_MAX_FRAME_BYTES).toBe(4096);
  });

  it('takes an INSTANCE_ID of name characters, none by default', () => {
    expect(loadEnvironment({}).INSTANCE_ID).toBe('');
    expect(loadEnvironment({ INSTANCE_ID: 'gateway-1' }).INSTANCE_ID).toBe('gateway-1');
    expect(() => loadEnvironment({ INSTANCE_ID: 'a b' })).toThrow(/INSTANCE_ID="a b"/);
    expect(() => loadEnvironment({ INSTANCE_ID: 'x'.repeat(65) })).toThrow(/INSTANCE_ID=/);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadEnvironment({ PORT: 'x', BUS: 'y' })).toThrow(/PORT=.*\n.*BUS=/s);
  });

  it('ignores unrelated variables', () => {
    expect(() => loadEnvironment({ PATH: '/bin', HOME: '/root' })).not.toThrow();
  });
});

describe('parseOriginList', () => {
  it('splits a comma list and drops blanks', () => {
    expect(parseOriginList(' https://a.example , ,https://b.example')).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('reads an empty list as "any origin"', () => {
    expect(parseOriginList('')).toEqual([]);
  });
});

describe('loadEnvironment: paths', () => {
  it('serves the chat at its usual paths by default', () => {
    expect(loadEnvironment({})).toMatchObject({
      CHAT_JSON_PATHS: '/chat',
      CHAT_TEXT_PATHS: '/',
      CHAT_TORNADO_PATHS: '/tornado',
      ECHO_PATHS: '/echo',
      CHAT_REST_PREFIX: '/api',
      CHAT_PAGE_PATH: '/',
    });
  });

  it('stops the start on a Tornado path shared with any other protocol, the echo included', () => {
    expect(() => loadEnvironment({ CHAT_TORNADO_PATHS: '/chat' })).toThrow(
      'path "/chat" is given to both CHAT_JSON_PATHS and CHAT_TORNADO_PATHS',
    );
    expect(() => loadEnvironment({ CHAT_TORNADO_PATHS: '/tornado', ECHO_PATHS: '/tornado/' })).toThrow(
      'path "/tornado" is given to both CHAT_TORNADO_PATHS and ECHO_PATHS',
    );
  });

  it("takes the Tornado page's /chat once the JSON protocol has moved", () => {
    expect(loadEnvironment({ CHAT_TORNADO_PATHS: '/chat', CHAT_JSON_PATHS: '/json' })).toMatchObject({
      CHAT_TORNADO_PATHS: '/chat',
      CHAT_JSON_PATHS: '/json',
    });
  });

  it('leaves /echo free with NODE_ENV=production, where the echo is off by default', () => {
    expect(loadEnvironment({ NODE_ENV: 'production', CHAT_TORNADO_PATHS: '/echo' }).CHAT_TORNADO_PATHS).toBe('/echo');
    expect(() =>
      loadEnvironment({ NODE_ENV: 'production', ECHO_ENABLED: 'true', CHAT_TORNADO_PATHS: '/echo' }),
    ).toThrow('path "/echo" is given to both CHAT_TORNADO_PATHS and ECHO_PATHS');
  });

  it('escapes HTML on the plain-text protocol unless CHAT_TEXT_ESCAPE_HTML is false', () => {
    expect(loadEnvironment({}).CHAT_TEXT_ESCAPE_HTML).toBe(true);
    expect(loadEnvironment({ CHAT_TEXT_ESCAPE_HTML: 'false' }).CHAT_TEXT_ESCAPE_HTML).toBe(false);
    expect(() => loadEnvironment({ CHAT_TEXT_ESCAPE_HTML: 'sometimes' })).toThrow('CHAT_TEXT_ESCAPE_HTML');
  });

  it('stops the start on a path given to two protocols, naming both variables', () => {
    expect(() => loadEnvironment({ CHAT_JSON_PATHS: '/chat,/live', ECHO_PATHS: 'live/' })).toThrow(
      'path "/live" is given to both CHAT_JSON_PATHS and ECHO_PATHS',
    );
    expect(() => loadEnvironment({ CHAT_TEXT_PATHS: '/chat' })).toThrow(
      'path "/chat" is given to both CHAT_JSON_PATHS and CHAT_TEXT_PATHS',
    );
  });

  it('lets the chat take /echo when the echo is off', () => {
    expect(loadEnvironment({ CHAT_JSON_PATHS: '/echo', ECHO_ENABLED: 'false' }).CHAT_JSON_PATHS).toBe('/echo');
  });

  it.each([
    ['CHAT_JSON_PATHS', '/rooms/:id'],
    ['CHAT_TEXT_PATHS', ','],
    ['CHAT_TORNADO_PATHS', '/chat room'],
    ['CHAT_REST_PREFIX', '/api,/v2'],
    ['CHAT_PAGE_PATH', '/a b'],
  ])('refuses %s=%p, naming the variable', (name, value) => {
    expect(() => loadEnvironment({ [name]: value })).toThrow(InvalidConfigurationError);
    expect(() => loadEnvironment({ [name]: value })).toThrow(name);
  });
});

describe('environmentOf', () => {
  it('parses a map and hands an Environment on as it is, so a start parses once', () => {
    const parsed = environmentOf({ PORT: '4000' });
    expect(parsed.PORT).toBe(4000);
    expect(environmentOf(parsed)).toBe(parsed);
    expect(() => environmentOf({ PORT: 'x' })).toThrow(InvalidConfigurationError);
  });
});
