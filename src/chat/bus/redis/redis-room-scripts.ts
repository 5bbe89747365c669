/**
 * The scripts that store messages and bound the rooms the Redis bus keeps. Like those of
 * redis-scripts.ts they are handed every key they touch in KEYS (redis-keys.ts), and each
 * touches either keys of one room or the room index, never both: on a Redis Cluster a room's
 * keys share a hash tag, so each script runs on one shard.
 *
 *   P stream:<room>    STREAM  the room's history (expires roomTtlMs after its last message)
 *   P sent:<room>      HASH    idempotency key (JSON [fromId, ref]) -> the id of the message
 *                              stored under it (expires with the stream)
 *   P sent-at:<room>   ZSET    idempotency key -> when it was stored (ms, Redis' clock): the
 *                              newest keysPerRoom keys younger than windowMs are kept
 *   P room-activity    ZSET    room -> when (ms, Redis' clock) the room was last admitted or
 *                              found in use: the rooms with history, at most maxRooms of them
 */

/** Milliseconds of Redis' clock. */
const NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

export const ROOM_SCRIPTS = {
  /**
   * Stores a message and publishes its envelope, unless its idempotency key is remembered.
   * KEYS: the room's stream, sent, sent-at. ARGV: maxlen, from, text, envelope without id, ttl
   * ms (0: never expires), channel, fromId ('' is not stored), idempotency key ('' none), ref as
   * JSON ('' none), window ms, keys per room, PUBLISH or SPUBLISH (Redis Cluster: the room's
   * sharded channel) -> {id} when stored, {id, fields of the message}
   * when the key was remembered (fields empty once trimmed from the stream): nothing written.
   * The expiry of every key of the room is refreshed in the same step as the XADD.
   */
  chatStore: {
    keys: 3,
    lua: `${NOW_MS}
local stream, sent, sent_at = KEYS[1], KEYS[2], KEYS[3]
local key = ARGV[8]
local now
if key ~= '' then
  now = now_ms()
  local prior = redis.call('HGET', sent, key)
  local at = redis.call('ZSCORE', sent_at, key)
  if prior and at and tonumber(at) > now - tonumber(ARGV[10]) then
    local entry = redis.call('XRANGE', stream, prior, prior)
    return { prior, entry[1] and entry[1][2] or {} }
  end
end
local fields = { 'from', ARGV[2], 'text', ARGV[3] }
if ARGV[7] ~= '' then fields[#fields + 1] = 'fromId'; fields[#fields + 1] = ARGV[7] end
if ARGV[9] ~= '' then fields[#fields + 1] = 'ref'; fields[#fields + 1] = ARGV[9] end
local fresh = redis.call('EXISTS', stream) == 0
local id = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
if fresh then
  -- Whatever the room held before (expired or evicted) is gone: count one entry as dropped, so
  -- a resume from before this first id says truncated.
  redis.call('XSETID', stream, id, 'ENTRIESADDED', 2)
end
if key ~= '' then
  redis.call('HSET', sent, key, id)
  redis.call('ZADD', sent_at, now, key)
  local forget = redis.call('ZRANGEBYSCORE', sent_at, '-inf', now - tonumber(ARGV[10]), 'LIMIT', 0, 100)
  local over = redis.call('ZCARD', sent_at) - #forget - tonumber(ARGV[11])
  if over > 0 then
    for _, oldest in ipairs(redis.call('ZRANGE', sent_at, #forget, #forget + over - 1)) do forget[#forget + 1] = oldest end
  end
  if #forget > 0 then
    redis.call('ZREM', sent_at, unpack(forget))
    redis.call('HDEL', sent, unpack(forget))
  end
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
redis.call(ARGV[12], ARGV[6], '{"id":"' .. id .. '",' .. string.sub(ARGV[4], 2))
return { id }
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
   * message after the given time. KEYS: its stream, its members, sent, sent-at. ARGV: idle
   * before (ms) -> 1 dropped, 0 in use.
   */
  chatEvictRoom: {
    keys: 4,
    lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if newest[1] and tonumber(string.match(newest[1][1], '^%d+')) > tonumber(ARGV[1]) then return 0 end
redis.call('UNLINK', KEYS[1], KEYS[3], KEYS[4])
return 1
`,
  },
} as const;

export type RoomScriptName = keyof typeof ROOM_SCRIPTS;
