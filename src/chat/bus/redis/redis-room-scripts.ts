/**
 * The scripts that store messages and bound the rooms the Redis bus keeps. Like those of
 * redis-scripts.ts they are handed every key they touch in KEYS (redis-keys.ts), and each
 * touches either keys of one room or the room index, never both: on a Redis Cluster a room's
 * keys share a hash tag, so each script runs on one shard.
 *
 *   P stream:<room>    STREAM  the room's history (expires roomTtlMs after its last message)
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
   * Stores a message and publishes its envelope. KEYS: the room's keys, its stream first.
   * ARGV: maxlen, from, text, envelope without id, ttl ms (0: never expires), channel, fromId
   * ('' is not stored), PUBLISH or SPUBLISH (Redis Cluster: the room's sharded channel) -> id. The expiry of every key of the room is refreshed in the same step
   * as the XADD.
   */
  chatStore: {
    keys: 1,
    lua: `
local stream = KEYS[1]
local fresh = redis.call('EXISTS', stream) == 0
local id
if ARGV[7] == '' then
  id = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[1], '*', 'from', ARGV[2], 'text', ARGV[3])
else
  id = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[1], '*', 'from', ARGV[2], 'text', ARGV[3], 'fromId', ARGV[7])
end
if fresh then
  -- Whatever the room held before (expired or evicted) is gone: count one entry as dropped, so
  -- a resume from before this first id says truncated.
  redis.call('XSETID', stream, id, 'ENTRIESADDED', 2)
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
redis.call(ARGV[8], ARGV[6], '{"id":"' .. id .. '",' .. string.sub(ARGV[4], 2))
return id
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
   * Drops the room's history if the room is idle: no members and no message after the given
   * time. KEYS: its stream, its members. ARGV: idle before (ms) -> 1 dropped, 0 in use.
   */
  chatEvictRoom: {
    keys: 2,
    lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if newest[1] and tonumber(string.match(newest[1][1], '^%d+')) > tonumber(ARGV[1]) then return 0 end
redis.call('UNLINK', KEYS[1])
return 1
`,
  },
} as const;

export type RoomScriptName = keyof typeof ROOM_SCRIPTS;
