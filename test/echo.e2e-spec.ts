import { Rfc6455Adapter } from '../src/adapter/index.js';
import { EchoModule } from '../src/echo/echo.module.js';
import { startApp, type RunningApp } from './helpers/adapter-app.js';
import { TestClient } from './helpers/adapter-client.js';

const MAX_PAYLOAD = 1024 * 1024;
/** Payload sizes on both sides of each length encoding (7-bit, 16-bit, 64-bit) and the limit. */
const SIZES = [0, 125, 126, 65_535, 65_536, MAX_PAYLOAD];

function textOf(size: number): string {
  let text = '';
  const pattern = 'echo-0123456789-';
  while (text.length < size) text += pattern;
  return text.slice(0, size);
}

function bytesOf(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 31 + 7) & 0xff;
  return bytes;
}

describe('/echo', () => {
  let running: RunningApp;
  let client: TestClient;

  beforeAll(async () => {
    running = await startApp({ imports: [EchoModule] }, (app) => new Rfc6455Adapter(app, { maxPayload: MAX_PAYLOAD }));
  });

  beforeEach(async () => {
    client = await TestClient.connect(`${running.baseUrl}/echo`);
  });

  afterEach(async () => {
    await client.close();
  });

  afterAll(async () => {
    await running?.close();
  });

  it.each(SIZES)('echoes %i bytes of text as text', async (size) => {
    const text = textOf(size);
    client.socket.send(text);
    const echoed = await client.nextMessage();
    expect(echoed.isBinary).toBe(false);
    expect(echoed.data.length).toBe(size);
    expect(echoed.data.toString()).toBe(text);
  });

  it.each(SIZES)('echoes %i bytes of binary as binary', async (size) => {
    const bytes = bytesOf(size);
    client.socket.send(bytes);
    const echoed = await client.nextMessage();
    expect(echoed.isBinary).toBe(true);
    expect(echoed.data.equals(bytes)).toBe(true);
  });

  it('echoes multi-byte UTF-8 verbatim, without parsing it as JSON', async () => {
    const texts = ['héllo wörld 👋', '{"event":"ping","data":1}', 'not json {'];
    for (const text of texts) client.socket.send(text);
    for (const text of texts) {
      const echoed = await client.nextMessage();
      expect(echoed).toEqual({ data: Buffer.from(text), isBinary: false });
    }
  });

  it('echoes a fragmented message as one message', async () => {
    client.socket.send('frag', { fin: false });
    client.socket.send('men', { fin: false });
    client.socket.send('ted', { fin: true });
    expect(await client.nextMessage()).toEqual({ data: Buffer.from('fragmented'), isBinary: false });
  });

  it('keeps the order of pipelined messages', async () => {
    const count = 200;
    for (let index = 0; index < count; index++) {
      client.socket.send(index % 2 === 0 ? `text ${index}` : Buffer.from(`binary ${index}`));
    }
    for (let index = 0; index < count; index++) {
      const echoed = await client.nextMessage();
      expect(echoed.isBinary).toBe(index % 2 === 1);
      expect(echoed.data.toString()).toBe(index % 2 === 0 ? `text ${index}` : `binary ${index}`);
    }
  });

  it('closes with 1009 on a message over the limit, and keeps serving others', async () => {
    client.socket.send(bytesOf(MAX_PAYLOAD + 1));
    expect((await client.closed()).code).toBe(1009);
    const other = await TestClient.connect(`${running.baseUrl}/echo`);
    other.socket.send('still here');
    expect((await other.nextMessage()).data.toString()).toBe('still here');
    await other.close();
  });
});
