import fc from 'fast-check';
import { isChatName, isMessageText, isRoomName } from '../../names.js';
import { undeliverableDraft } from '../deliverable.js';
import {
  decodeEnvelope,
  decodePublication,
  decodeRef,
  messageEnvelope,
  presenceEnvelope,
  timeOfId,
} from './redis-wire.js';

// What the publishing scripts do to an envelope (redis-scripts.ts), in JavaScript.
const withId = (envelope: string, id: string) => `{"id":"${id}",${envelope.slice(1)}`;
const withRoster = (envelope: string, count: number, names: string[]) =>
  `${envelope.slice(0, -1)},"count":${count},"members":[${names.map((name) => JSON.stringify(name)).join(',')}]}`;

describe('bus envelopes', () => {
  it('carry a message, with the id Redis gave it, and its time from that id', () => {
    const draft = { room: 'lobby', from: 'ann "a"', fromId: 'user-7 "x"', text: 'hi </script> \u2028 🚀' };
    const payload = withId(messageEnvelope('node-1', draft), '1700000000123-4');
    expect(decodeEnvelope(payload)).toEqual({
      node: 'node-1',
      event: {
        type: 'message',
        message: { id: '1700000000123-4', ...draft, at: '2023-11-14T22:13:20.123Z' },
      },
    });
  });

  it('come in one publication for several messages: their ids, then their envelopes one per line', () => {
    const drafts = ['one\ntwo', 'three\r\n', '\u2028 four'].map((text) => ({
      room: 'r',
      from: 'a',
      fromId: 'u',
      text,
    }));
    const tails = drafts.map((draft) => messageEnvelope('n', draft).slice(1));
    // The second was a resend: not stored, not published.
    const payload = `5-0,,5-1\n${tails.join('\n')}`;
    expect(decodePublication(payload)).toEqual(
      [
        ['5-0', drafts[0]],
        ['5-1', drafts[2]],
      ].map(([id, draft]) => ({
        node: 'n',
        event: { type: 'message', message: { id, ...(draft as object), at: timeOfId('5-0') } },
      })),
    );
    expect(decodePublication(`5-0\n${tails[0]}\n${tails[1]}`)).toEqual(['not a publication of several messages']);
    expect(decodePublication(`5-0,5-1\n${tails[0]}\n{`)).toEqual([expect.objectContaining({ node: 'n' }), 'not JSON']);
    expect(decodePublication(withId(messageEnvelope('n', drafts[1]), '7-0'))).toEqual([
      decodeEnvelope(withId(messageEnvelope('n', drafts[1]), '7-0')),
    ]);
  });

  it("carry a message's ref, a string or a number, and refuse one no client could have sent", () => {
    for (const ref of ['k-1', 42]) {
      const draft = { room: 'r', from: 'ann', fromId: 'u', text: 'hi', ref };
      const decoded = decodeEnvelope(withId(messageEnvelope('n', draft), '1-0'));
      expect(decoded).toMatchObject({ event: { message: { ...draft, id: '1-0' } } });
    }
    const tooLong = withId(
      messageEnvelope('n', { room: 'r', from: 'a', fromId: 'u', text: 't', ref: 'x'.repeat(65) }),
      '1-0',
    );
    expect(decodeEnvelope(tooLong)).toBe('malformed message');
    expect(decodeRef('"k"')).toBe('k');
    expect(decodeRef('7')).toBe(7);
    expect(decodeRef('{')).toBeUndefined();
    expect(decodeRef('null')).toBeUndefined();
  });

  it('decode a message from an instance that predates fromId with an empty fromId', () => {
    const old = '{"id":"1700000000123-4","v":1,"type":"message","node":"n","room":"r","from":"ann","text":"hi"}';
    expect(decodeEnvelope(old)).toEqual({
      node: 'n',
      event: {
        type: 'message',
        message: {
          id: '1700000000123-4',
          room: 'r',
          from: 'ann',
          fromId: '',
          text: 'hi',
          at: '2023-11-14T22:13:20.123Z',
        },
      },
    });
  });

  it('carry a presence notice with the roster Redis appended', () => {
    const payload = withRoster(presenceEnvelope('n', { room: 'r', name: 'bob', event: 'leave' }), 3, ['ann', 'é"x']);
    expect(decodeEnvelope(payload)).toEqual({
      node: 'n',
      event: {
        type: 'presence',
        presence: { room: 'r', name: 'bob', event: 'leave', members: ['ann', 'é"x'], count: 3 },
      },
    });
    expect(
      decodeEnvelope(withRoster(presenceEnvelope('n', { room: 'r', name: 'b', event: 'join' }), 0, [])),
    ).toMatchObject({
      event: { presence: { members: [], count: 0 } },
    });
  });

  it('carry the counts of a presence summary, and refuse counts that are not whole numbers', () => {
    const summary = presenceEnvelope('n', { room: 'r', name: 'b', event: 'join', joins: 40, leaves: 2 });
    expect(decodeEnvelope(withRoster(summary, 38, ['a']))).toMatchObject({
      event: { presence: { name: 'b', event: 'join', joins: 40, leaves: 2, count: 38 } },
    });
    expect(
      decodeEnvelope(
        '{"v":1,"type":"presence","node":"n","room":"r","name":"a","event":"join","joins":-1,"members":[],"count":0}',
      ),
    ).toBe('malformed presence');
  });

  it.each([
    ['not JSON', 'nope'],
    ['not an object', '42'],
    ['unknown version 2', '{"v":2,"type":"message"}'],
    ['no node or room', '{"v":1,"type":"message","room":"r"}'],
    ['malformed message', '{"v":1,"type":"message","node":"n","room":"r","id":"x","from":"a","text":"t"}'],
    ['malformed message', '{"v":1,"type":"message","node":"n","room":"r","id":"1-0","from":"a"}'],
    ['malformed message', '{"v":1,"type":"message","node":"n","room":"r","id":"1-0","from":"a","fromId":7,"text":"t"}'],
    [
      'malformed presence',
      '{"v":1,"type":"presence","node":"n","room":"r","name":"a","event":"wave","members":[],"count":0}',
    ],
    [
      'malformed presence',
      '{"v":1,"type":"presence","node":"n","room":"r","name":"a","event":"join","members":[1],"count":1}',
    ],
    ['unknown type "typing"', '{"v":1,"type":"typing","node":"n","room":"r"}'],
    ['malformed message', '{"v":1,"type":"message","node":"n","room":"r","id":"1-0","from":null,"text":"t"}'],
    ['malformed message', '{"v":1,"type":"message","node":"n","room":"r","id":"1-0","from":"a","text":"\\ud800"}'],
    [
      'malformed presence',
      '{"v":1,"type":"presence","node":"n","room":"r","name":null,"event":"join","members":[],"count":0}',
    ],
  ])('refuse what they do not understand: %s', (reason, payload) => {
    expect(decodeEnvelope(payload)).toBe(reason);
  });

  it('decode every message that validation lets through, unchanged', () => {
    const graphemes = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength });
    // Generated freely, then cut down to what validation allows (filtering alone rejects most).
    const room = graphemes(32)
      .map((value) => value.replace(/[\s\p{C}]/gu, '').slice(0, 64))
      .filter(isRoomName);
    const from = graphemes(16)
      .map((value) =>
        value
          .replace(/[\p{C}]|[^\S ]/gu, '')
          .trim()
          .slice(0, 32)
          .trim(),
      )
      .filter((name) => isChatName(name, 32));
    // Any code point at all (controls, separators, unassigned), or whole grapheme clusters.
    const codePoint = fc.integer({ min: 0, max: 0x10ffff }).filter((code) => code < 0xd800 || code > 0xdfff);
    const anyText = fc
      .array(codePoint, { minLength: 1, maxLength: 200 })
      .map((codes) => String.fromCodePoint(...codes));
    const text = fc.oneof(anyText, graphemes(100));
    fc.assert(
      fc.property(room, from, text, (room, from, text) => {
        expect(isMessageText(text, 400)).toBe(true);
        const draft = { room, from, fromId: 'user-1', text };
        expect(undeliverableDraft(draft)).toBeNull();
        const decoded = decodeEnvelope(withId(messageEnvelope('n', draft), '1-0'));
        expect(decoded).toEqual({
          node: 'n',
          event: { type: 'message', message: { id: '1-0', ...draft, at: timeOfId('1-0') } },
        });
      }),
      { numRuns: 200 },
    );
  });

  it('read the time of a stream id as ISO-8601', () => {
    expect(timeOfId('0-0')).toBe('1970-01-01T00:00:00.000Z');
    expect(timeOfId('1795314353826-17')).toBe('2026-11-22T02:25:53.826Z');
  });
});
