/**
 * The scripts that store messages and bound the rooms the Redis bus keeps. Like those of
 * redis-scripts.ts they are handed every key they touch in KEYS (redis-keys.ts), and each
 * touches either keys of one room or the room index, never both: on a Redis Cluster a room's
 * keys share a hash tag, so each script runs on one shard.
 *
 *   P stream:<room>    STREAM  the room's history
 *   P sent:<room>      HASH    idempotency key (JSON [fromId, ref]) -> the id of the message
 *                              stored under it, and KEY_COUNT -> how many keys were added to it
 *   P sent-prev:<room> HASH    the same, the generation before: once `sent` has had keysPerRoom
 *                              keys it becomes `sent-prev` (dropping the one before) and a new
 *                              `sent` starts, so a room remembers at least its newest
 *                              keysPerRoom keys and at most about twice that
 *   P sent-at:<room>   ZSET    written by versions before `sent-prev`; only deleted now
 *   P room-activity    ZSET    room -> when (ms, Redis' clock) the room was last admitted or
 *                              found in use: the rooms with history, at most maxRooms of them
 *
 * Expiry (roomTtlMs > 0): a message that finds its room's stream with less than
 * roomTtlMs - roomTtlMs/100 to live sets the expiry of all three room keys to roomTtlMs (so
 * does the message that creates the stream; a `sent` created later gets its own). A room's
 * keys thus expire between 99% and 100% of roomTtlMs after its last message, without a
 * PEXPIRE per message.
 */

/** Milliseconds of Redis' clock. */
const NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * The field of a generation hash that counts its keys. Longer than Redis' default
 * hash-max-listpack-value (64), it keeps the hash a hash table: lookups stay O(1) where a
 * listpack of hundreds of keys is searched one by one.
 */
const KEY_COUNT = '#count: idempotency keys added to this generation, a name long enough for a hash table#';

/** Arguments of chatStore per message. */
export const STORE_MESSAGE_ARGS = 4;

export const ROOM_SCRIPTS = {
  /**
   * Stores messages of one room in order and publishes each envelope, skipping those whose
   * idempotency key is remembered (within windowMs of their message; the batch must not repeat
   * a key). KEYS: the room's stream, sent, sent-prev. ARGV: channel, PUBLISH or SPUBLISH (Redis
   * Cluster: the room's sharded channel), maxlen, ttl ms (0: never expires), window ms, keys
   * per room, k, then the idempotency keys of the k messages that have one (in order), the
   * envelopes of the messages without their opening brace, one per line, then per message:
   * from, text, fromId ('' is not stored), ref as JSON ('' none: the message has no key). -> per message its id when stored, or {id,
   * fields of the message} when its key was remembered (fields empty once trimmed from the
   * stream): nothing written for it.
   *
   * The stored messages are published together, in id order (redis-wire.ts). What a
   * message costs Redis (README "Publish cost in Redis"): per batch one call, one HMGET per
   * generation, one HSET, one XTRIM, one PTTL, one PUBLISH; per message an XADD.
   */
  chatStore: {
    keys: 3,
    lua: `${NOW_MS}
local stream, sent, prev = KEYS[1], KEYS[2], KEYS[3]
local channel, publish, maxlen = ARGV[1], ARGV[2], ARGV[3]
local ttl, window, cap, k = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local COUNT = '${KEY_COUNT}'
local count, current, previous = 0, nil, nil
if k > 0 then
  current = redis.call('HMGET', sent, COUNT, unpack(ARGV, 8, 7 + k))
  previous = redis.call('HMGET', prev, COUNT, unpack(ARGV, 8, 7 + k))
  count = tonumber(current[1]) or 0
end
local out, remember, ids, now, fresh, j, stored = {}, {}, {}, nil, false, 1, 0
for b = 8 + k, #ARGV - 1, ${STORE_MESSAGE_ARGS} do
  local from, text, fromId, ref = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local prior = false
  if ref ~= '' then
    j = j + 1
    prior = current[j] or previous[j]
    if prior then
      now = now or now_ms()
      if tonumber(string.match(prior, '^%d+')) <= now - window then prior = false end
    end
  end
  if prior then
    local entry = redis.call('XRANGE', stream, prior, prior)
    out[#out + 1] = { prior, entry[1] and entry[1][2] or {} }
    ids[#ids + 1] = ''
  else
    local id
    if fromId ~= '' and ref ~= '' then
      id = redis.call('XADD', stream, 'NOMKSTREAM', '*', 'from', from, 'text', text, 'fromId', fromId, 'ref', ref)
    elseif fromId ~= '' then
      id = redis.call('XADD', stream, 'NOMKSTREAM', '*', 'from', from, 'text', text, 'fromId', fromId)
    else
      local fields = { 'from', from, 'text', text }
      if ref ~= '' then fields[5] = 'ref'; fields[6] = ref end
      id = redis.call('XADD', stream, 'NOMKSTREAM', '*', unpack(fields))
    end
    if not id then
      -- No stream: whatever the room held before (expired or evicted) is gone. Count one entry
      -- as dropped, so a resume from before this first id says truncated.
      local fields = { 'from', from, 'text', text }
      if fromId ~= '' then fields[#fields + 1] = 'fromId'; fields[#fields + 1] = fromId end
      if ref ~= '' then fields[#fields + 1] = 'ref'; fields[#fields + 1] = ref end
      id = redis.call('XADD', stream, '*', unpack(fields))
      redis.call('XSETID', stream, id, 'ENTRIESADDED', 2)
      fresh = true
    end
    if ref ~= '' then
      remember[#remember + 1] = ARGV[7 + j - 1]
      remember[#remember + 1] = id
    end
    ids[#ids + 1] = id
    stored = stored + 1
    out[#out + 1] = id
  end
end
if stored == 0 then return out end
-- One publication for the batch (redis-wire.ts): a lone message as its envelope, several as the
-- line of their ids ('' for those not stored) and the envelopes without their ids.
if #ids == 1 then
  redis.call(publish, channel, '{"id":"' .. ids[1] .. '",' .. ARGV[8 + k])
else
  redis.call(publish, channel, table.concat(ids, ',') .. '\\n' .. ARGV[8 + k])
end
-- Trimmed once for the batch: whole stream nodes, keeping at least maxlen entries.
redis.call('XTRIM', stream, 'MAXLEN', '~', maxlen)
local created = false
if #remember > 0 then
  if count >= cap then
    redis.call('RENAME', sent, prev)
    count = 0
  end
  created = count == 0
  local keys_added = #remember / 2
  remember[#remember + 1] = COUNT
  remember[#remember + 1] = count + keys_added
  redis.call('HSET', sent, unpack(remember))
end
if ttl > 0 then
  if fresh or redis.call('PTTL', stream) < ttl - math.floor(ttl / 100) then
    redis.call('PEXPIRE', stream, ttl)
    redis.call('PEXPIRE', sent, ttl)
    redis.call('PEXPIRE', prev, ttl)
  elseif created then
    redis.call('PEXPIRE', sent, ttl)
  end
end
return out
`,
  },

  /**
   * Lets a room keep history. KEYS: the room index. ARGV: room, max rooms, ttl ms, min idle
   * ms, most candidates, n, then n pairs (room, score) to forget if their score is unchanged
   * (their history was dropped), then rooms found in use (their score becomes now).
   * -> {1} admitted, or {0, now, oldest score, candidate, score, candidate, score...}: the
   * rooms idle the longest, at least min idle ms.
   */
  chatAdmitRoom: {
    keys: 1,
    lua: `${NOW_MS}
local index, room = KEYS[1], ARGV[1]
local max, ttl, idle, most, n = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = now_ms()
-- Their streams have expired.
if ttl > 0 then redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. (now - ttl)) end
local i = 7
for _ = 1, n do
  if redis.call('ZSCORE', index, ARGV[i]) == ARGV[i + 1] then redis.call('ZREM', index, ARGV[i]) end
  i = i + 2
end
for j = i, #ARGV do redis.call('ZADD', index, 'XX', now, ARGV[j]) end
if redis.call('ZSCORE', index, room) or redis.call('ZCARD', index) < max then
  redis.call('ZADD', index, now, room)
  return { 1 }
end
local oldest = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')
local out = { 0, now, oldest[2] or now }
local idle_rooms = redis.call('ZRANGEBYSCORE', index, '-inf', now - idle, 'WITHSCORES', 'LIMIT', 0, most)
for k = 1, #idle_rooms do out[#out + 1] = idle_rooms[k] end
return out
`,
  },

  /**
   * Drops the room's history (and idempotency keys) if the room is idle: no members and no
   * message after the given time. KEYS: its stream, its members, sent, sent-prev, sent-at.
   * ARGV: idle before (ms) -> 1 dropped, 0 in use.
   */
  chatEvictRoom: {
    keys: 5,
    lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if newest[1] and tonumber(string.match(newest[1][1], '^%d+')) > tonumber(ARGV[1]) then return 0 end
redis.call('UNLINK', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
return 1
`,
  },
} as const;

export type RoomScriptName = keyof typeof ROOM_SCRIPTS;
