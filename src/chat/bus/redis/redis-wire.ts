import type { ChatEvent, ChatMessage, MessageDraft, MessageRef, PresenceNotice } from '../chat-events.js';
import { isWireRef, isWireString } from '../deliverable.js';
import { isMessageId } from '../message-id.js';

/**
 * The envelopes instances exchange on the events channel: one JSON object per publication,
 * with a version, a kind and the id of the instance that published it.
 *
 *   {"id":"<stream id>","v":1,"type":"message","node":"…","room":"…","from":"…","fromId":"…","text":"…","ref":"…"}
 *   {"v":1,"type":"presence","node":"…","room":"…","name":"…","event":"join","count":2,"members":["…"]}
 *   (a summary of several changes also has "joins" and "leaves")
 *
 * The parts only Redis knows are spliced in by the publishing scripts (redis-scripts.ts): the
 * stream id at the front of a message, the roster at the end of a presence notice. The store
 * script publishes the messages of a room it stored in one call as one publication: a lone
 * message as its envelope, as before; several as a line of their ids, comma-separated ('' for
 * one not stored: a resend), then their envelopes without ids, one per line (JSON never holds
 * a raw line break). An instance older than this reads the latter as not JSON (README
 * "Publish cost in Redis", on upgrading). Every
 * instance, the publisher included, delivers what arrives on the channel and nothing else, so
 * each event reaches each instance exactly once; `node` is there for diagnostics, never to
 * filter. `fromId` was added later within version 1: an envelope without it (from an older
 * instance during a rolling update) decodes with `fromId: ''`. So was `ref` (the sender's
 * idempotency key, a string or a number), present only when the sender gave one.
 */
export const WIRE_VERSION = 1;

/** The `fromId` of a message stored or sent before messages carried one. */
export const LEGACY_FROM_ID = '';

/** A message envelope without its id (the publish script puts `"id":"…",` first). */
export function messageEnvelope(node: string, draft: MessageDraft & { fromId: string }): string {
  const { room, from, fromId, text, ref } = draft;
  return JSON.stringify({ v: WIRE_VERSION, type: 'message', node, room, from, fromId, text, ref });
}

/** A `ref` as stored in a stream entry (JSON), or undefined when it is not one. */
export function decodeRef(stored: string): MessageRef | undefined {
  try {
    const ref: unknown = JSON.parse(stored);
    return isWireRef(ref) ? ref : undefined;
  } catch {
    return undefined;
  }
}

/** A presence envelope without count and members (the announce script appends them). */
export function presenceEnvelope(
  node: string,
  notice: Pick<PresenceNotice, 'room' | 'name' | 'event' | 'joins' | 'leaves'>,
): string {
  return JSON.stringify({
    v: WIRE_VERSION,
    type: 'presence',
    node,
    room: notice.room,
    name: notice.name,
    event: notice.event,
    joins: notice.joins,
    leaves: notice.leaves,
  });
}

export interface Envelope {
  node: string;
  event: ChatEvent;
}

/** The envelopes of one publication, each decoded or described as in decodeEnvelope. */
export function decodePublication(payload: string): Array<Envelope | string> {
  if (payload.startsWith('{')) return [decodeEnvelope(payload)];
  const lines = payload.split('\n');
  const ids = lines[0].split(',');
  if (ids.length !== lines.length - 1) return ['not a publication of several messages'];
  const decoded: Array<Envelope | string> = [];
  ids.forEach((id, i) => {
    if (id !== '') decoded.push(decodeEnvelope(`{"id":${JSON.stringify(id)},${lines[i + 1]}`));
  });
  return decoded;
}

/** What arrived on the channel, or a description of why it is not an envelope we understand. */
export function decodeEnvelope(payload: string): Envelope | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return 'not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'not an object';
  const raw = parsed as Record<string, unknown>;
  if (raw.v !== WIRE_VERSION) return `unknown version ${JSON.stringify(raw.v)}`;
  const { node, room } = raw;
  if (typeof node !== 'string' || !isWireString(room)) return 'no node or room';
  if (raw.type === 'message') {
    const { id, from, text, ref } = raw;
    const fromId = raw.fromId ?? LEGACY_FROM_ID;
    if (
      !isMessageId(id) ||
      !isWireString(from) ||
      !isWireString(text) ||
      !isWireString(fromId) ||
      (ref !== undefined && !isWireRef(ref))
    ) {
      return 'malformed message';
    }
    const message: ChatMessage = { id, room, from, fromId, text, at: timeOfId(id) };
    if (ref !== undefined) message.ref = ref;
    return { node, event: { type: 'message', message } };
  }
  if (raw.type === 'presence') {
    const { name, event, members, count, joins, leaves } = raw;
    if (
      !isWireString(name) ||
      (event !== 'join' && event !== 'leave') ||
      !Array.isArray(members) ||
      !members.every((member) => typeof member === 'string') ||
      !Number.isInteger(count) ||
      !isOptionalCount(joins) ||
      !isOptionalCount(leaves)
    ) {
      return 'malformed presence';
    }
    const presence: PresenceNotice = { room, name, event, members, count: count as number };
    // A summary of several changes (README, "Presence in busy rooms").
    if (joins !== undefined || leaves !== undefined) {
      presence.joins = joins ?? 0;
      presence.leaves = leaves ?? 0;
    }
    return { node, event: { type: 'presence', presence } };
  }
  return `unknown type ${JSON.stringify(raw.type)}`;
}

function isOptionalCount(value: unknown): value is number | undefined {
  return value === undefined || (Number.isInteger(value) && (value as number) >= 0);
}

/** A stream id's time part (Redis' clock when it stored the message), as ISO-8601. */
export function timeOfId(id: string): string {
  return new Date(Number(id.slice(0, id.indexOf('-')))).toISOString();
}
