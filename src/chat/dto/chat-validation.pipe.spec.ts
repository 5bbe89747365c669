import { BadRequestException, type ArgumentMetadata, type Type } from '@nestjs/common';
import { ChatError } from '../chat-error.js';
import { resolveChatOptions } from '../chat-options.js';
import { HttpPayloadPipe, WsPayloadPipe } from './chat-validation.pipe.js';
import { PayloadTooDeepError } from './payload-depth.js';
import { MessagesQuery, PostMessageBody, RoomParams } from './rest-payloads.js';
import { HistoryPayload, JoinPayload, MessagePayload, NickPayload } from './ws-payloads.js';

const ws = new WsPayloadPipe(resolveChatOptions({ maxTextLength: 10, maxNameLength: 8 }));
const http = new HttpPayloadPipe(resolveChatOptions({ maxTextLength: 10, maxNameLength: 8 }));

const body = (metatype: Type): ArgumentMetadata => ({ type: 'body', metatype });

async function wsError(metatype: Type, value: unknown): Promise<ChatError> {
  const error = await ws.transform(value, body(metatype)).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ChatError))
    throw new Error(`expected a ChatError for ${JSON.stringify(value)}, got ${String(error)}`);
  return error;
}

describe('chat payload validation', () => {
  it('turns a valid payload into its class, without unknown properties', async () => {
    const payload = await ws.transform({ room: 'lobby', text: ' hi <b>\n', ref: 3, admin: true }, body(MessagePayload));
    expect(payload).toBeInstanceOf(MessagePayload);
    expect({ ...payload }).toEqual({ room: 'lobby', text: ' hi <b>\n', ref: 3 });
  });

  it('refuses bad room names', async () => {
    for (const room of ['', 'a b', 'tab\there', 'x'.repeat(65), 'nul\u0000', 'rtl\u202e', 42, undefined]) {
      const error = await wsError(MessagePayload, { room, text: 'hi' });
      expect(error.code).toBe('invalid_payload');
      expect(error.message).toMatch(/^room must be 1 to 64 characters/);
    }
    await expect(ws.transform({ room: 'Café-#1.ü', text: 'hi' }, body(MessagePayload))).resolves.toBeDefined();
  });

  it('bounds the text by the configured length and keeps it verbatim', async () => {
    expect((await wsError(MessagePayload, { room: 'r', text: '12345678901' })).message).toBe(
      'text must be a string of 1 to 10 characters',
    );
    expect((await wsError(MessagePayload, { room: 'r', text: '' })).code).toBe('invalid_payload');
    expect((await wsError(MessagePayload, { room: 'r', text: ['a'] })).code).toBe('invalid_payload');
    const ok = await ws.transform({ room: 'r', text: '<script>' }, body(MessagePayload));
    expect(ok.text).toBe('<script>');
  });

  it('checks names by the configured length and printable characters', async () => {
    await expect(ws.transform({ name: 'Ann Lee' }, body(NickPayload))).resolves.toEqual({ name: 'Ann Lee' });
    for (const name of ['', ' ann', 'ann ', 'a\tb', 'a\nb', 'toolongname', 'zero\u200bwidth', null]) {
      expect((await wsError(NickPayload, { name })).message).toMatch(/^name must be 1 to 8 printable characters/);
    }
  });

  it('treats a blank join name as no name, and checks since', async () => {
    await expect(ws.transform({ room: 'r', name: '  ' }, body(JoinPayload))).resolves.toEqual({ room: 'r' });
    await expect(ws.transform({ room: 'r', since: '17-3' }, body(JoinPayload))).resolves.toEqual({
      room: 'r',
      since: '17-3',
    });
    expect((await wsError(JoinPayload, { room: 'r', since: 17 })).message).toMatch(/^since must be a message id/);
  });

  it('bounds history limits and refs', async () => {
    await expect(ws.transform({ room: 'r', limit: 500 }, body(HistoryPayload))).resolves.toEqual({
      room: 'r',
      limit: 500,
    });
    for (const limit of [0, 501, 1.5, '5'])
      expect((await wsError(HistoryPayload, { room: 'r', limit })).code).toBe('invalid_payload');
    expect((await wsError(MessagePayload, { room: 'r', text: 'x', ref: 'r'.repeat(65) })).message).toMatch(
      /^ref must be/,
    );
  });

  it('takes an optional field as absent only when it is undefined: null and other types are refused', async () => {
    const cases: Array<[Type, object, RegExp]> = [
      [JoinPayload, { room: 'r', name: null }, /^name must be 1 to 8 printable/],
      [JoinPayload, { room: 'r', name: 7 }, /^name must be 1 to 8 printable/],
      [JoinPayload, { room: 'r', name: { first: 'a' } }, /^name must be 1 to 8 printable/],
      [JoinPayload, { room: 'r', since: null }, /^since must be a message id/],
      [MessagePayload, { room: 'r', text: 'x', ref: null }, /^ref must be/],
      [MessagePayload, { room: 'r', text: 'x', ref: { id: 1 } }, /^ref must be/],
      [MessagePayload, { room: 'r', text: 'x', ref: Number.POSITIVE_INFINITY }, /^ref must be/],
      [HistoryPayload, { room: 'r', before: null }, /^before must be a message id/],
      [HistoryPayload, { room: 'r', limit: null }, /^limit must be a whole number from 1 to 500/],
      [MessagePayload, { room: null, text: 'x' }, /^room must be/],
      [MessagePayload, { room: 'r', text: null }, /^text must be/],
      [NickPayload, { name: null }, /^name must be/],
    ];
    for (const [metatype, value, message] of cases) {
      const error = await wsError(metatype, value);
      expect(error.code).toBe('invalid_payload');
      expect(error.message).toMatch(message);
    }
    // Absent is fine, and so is every optional field given a valid value.
    await expect(ws.transform({ room: 'r', name: undefined }, body(JoinPayload))).resolves.toEqual({ room: 'r' });
    await expect(ws.transform({ room: 'r', before: '5-0', limit: 1 }, body(HistoryPayload))).resolves.toEqual({
      room: 'r',
      before: '5-0',
      limit: 1,
    });
  });

  it('refuses message ids out of range and text that is not well-formed Unicode', async () => {
    for (const since of ['1-', '-1', '01-0', '1-0-0', '12345678901234567-0', ' 1-0', '1-0\n', '0x1-0']) {
      expect((await wsError(JoinPayload, { room: 'r', since })).message).toMatch(/^since must be a message id/);
    }
    expect((await wsError(MessagePayload, { room: 'r', text: 'half \ud800' })).message).toBe(
      'text must be well-formed Unicode (a lone surrogate cannot be stored)',
    );
    await expect(ws.transform({ room: 'r', text: 'pair 😀' }, body(MessagePayload))).resolves.toBeDefined();
  });

  it('reserves names shaped like a peer address for plain-text clients, naming the rule', async () => {
    for (const name of ['1.2.3.4', '1.2.3.4:', '[::1]:80', '::1', '10.0.0.1', '１.２.３.４']) {
      const error = await wsError(NickPayload, { name });
      expect(error.code).toBe('invalid_payload');
      expect(error.message).toMatch(/^name is reserved: names shaped like a peer address/);
    }
    expect((await wsError(JoinPayload, { room: 'r', name: '[::1]:80' })).message).toMatch(/^name is reserved/);
  });

  it('refuses a payload that is not an object', async () => {
    for (const value of [undefined, null, 'lobby', 7, []])
      expect((await wsError(JoinPayload, value)).code).toBe('invalid_payload');
  });

  it('lists every problem in one message', async () => {
    expect((await wsError(MessagePayload, {})).message).toBe(
      'room must be 1 to 64 characters without spaces or control characters; text must be a string of 1 to 10 characters',
    );
  });

  it('refuses a payload nested 500,000 deep before class-transformer sees it, without an answer of its own', async () => {
    const text = JSON.parse('['.repeat(500_000) + ']'.repeat(500_000)) as unknown;
    await expect(ws.transform({ room: 'r', text }, body(MessagePayload))).rejects.toBeInstanceOf(PayloadTooDeepError);
    const nine = JSON.parse('['.repeat(8) + ']'.repeat(8)) as unknown;
    await expect(ws.transform({ room: 'r', text: nine }, body(MessagePayload))).rejects.toBeInstanceOf(
      PayloadTooDeepError,
    );
    const eight = JSON.parse('['.repeat(7) + ']'.repeat(7)) as unknown;
    expect((await wsError(MessagePayload, { room: 'r', text: eight })).code).toBe('invalid_payload');
  });

  it('leaves the depth of parameters it does not validate alone (the connected socket)', async () => {
    const socket = JSON.parse('['.repeat(20) + ']'.repeat(20)) as unknown;
    await expect(ws.transform(socket, { type: 'custom', metatype: Object })).resolves.toBe(socket);
  });

  describe('over HTTP', () => {
    it('answers 400 to a body nested too deep', async () => {
      const text = JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)) as unknown;
      const error = await http.transform({ text }, body(PostMessageBody)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).getResponse()).toMatchObject({
        statusCode: 400,
        message: 'a payload may nest arrays and objects at most 8 deep',
      });
    });

    it('answers 400 with the problems', async () => {
      const error = await http.transform({ from: '', text: 'x' }, body(PostMessageBody)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).getResponse()).toMatchObject({
        statusCode: 400,
        message: ['from must be 1 to 8 printable characters, no spaces at either end'],
      });
    });

    it('refuses a null or non-string sender, and one shaped like a peer address', async () => {
      for (const [from, problem] of [
        [null, /^from must be 1 to 8 printable/],
        [42, /^from must be 1 to 8 printable/],
        ['[::1]:80', /^from is reserved: names shaped like a peer address/],
      ] as const) {
        const error = await http.transform({ from, text: 'x' }, body(PostMessageBody)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BadRequestException);
        expect(((error as BadRequestException).getResponse() as { message: string[] }).message[0]).toMatch(problem);
      }
      await expect(http.transform({ text: 'x' }, body(PostMessageBody))).resolves.toEqual({ text: 'x' });
    });

    it('converts and bounds the query limit', async () => {
      const query: ArgumentMetadata = { type: 'query', metatype: MessagesQuery };
      await expect(http.transform({ limit: '20', since: '1-0' }, query)).resolves.toEqual({ limit: 20, since: '1-0' });
      await expect(http.transform({ limit: '1' }, query)).resolves.toEqual({ limit: 1 });
      await expect(http.transform({ limit: '500' }, query)).resolves.toEqual({ limit: 500 });
      for (const limit of ['0', '501', 'ten', '2.5']) {
        await expect(http.transform({ limit }, query)).rejects.toBeInstanceOf(BadRequestException);
      }
    });

    it('takes the query limit in plain decimal only: no hex, exponent, sign, spaces, leading zero or repeats', async () => {
      const query: ArgumentMetadata = { type: 'query', metatype: MessagesQuery };
      for (const limit of [
        '0x10',
        '1e2',
        ' 5',
        '5 ',
        '+5',
        '-5',
        '05',
        '007',
        '5.0',
        '',
        '１０',
        '99999999999999999999',
        ['5', '6'],
      ]) {
        const error = await http.transform({ limit }, query).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BadRequestException);
        expect((error as BadRequestException).getResponse()).toMatchObject({
          message: ['limit must be a whole number from 1 to 500, in plain decimal digits'],
        });
      }
      for (const since of ['', ['1-0', '2-0']]) {
        await expect(http.transform({ since }, query)).rejects.toBeInstanceOf(BadRequestException);
      }
    });

    it('checks the room of the path', async () => {
      await expect(http.transform({ room: 'a b' }, { type: 'param', metatype: RoomParams })).rejects.toBeInstanceOf(
        BadRequestException,
      );
    });
  });
});
