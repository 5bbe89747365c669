/**
 * The Lua scripts of the Redis bus. Each runs atomically in Redis, so a message is stored and
 * published in one step (publication order = id order, for every instance), and presence
 * changes never interleave.
 *
 * Key layout under the prefix P (default `chat:`):
 *   P stream:<room>    STREAM  the room's history; entry ids are the message ids (fields from,
 *                              text, fromId; entries written before fromId existed lack it)
 *   P events           channel every room event, one typed JSON envelope per publication
 *   P members:<room>   ZSET    `<node>/<connection id>` scored by the time it joined
 *   P names:<room>     HASH    `<node>/<connection id>` -> its name as a JSON string
 *   P holders:<room>   HASH    name as a JSON string -> `<members holding it>:<their identity>`
 *                              (one identity per name; README "One name per person in a room")
 *   P rooms            SET     rooms with at least one member
 *   P nodes            ZSET    instance id -> the time (ms) its presence expires unless refreshed
 *   P node:<id>:rooms  SET     rooms where that instance has members (to remove them when it dies)
 * Times are Redis' own clock (TIME), so the instances' clocks do not matter.
 *
 * The scripts build key names from the prefix instead of receiving them as KEYS: fine for a
 * standalone Redis (or Sentinel), not for Redis Cluster. Storing a message and bounding the
 * rooms kept are in redis-room-scripts.ts, which take their keys in KEYS.
 */

const COMMON = `
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function k_nodes() return P .. 'nodes' end
local function k_rooms() return P .. 'rooms' end
local function k_node_rooms(node) return P .. 'node:' .. node .. ':rooms' end
local function k_members(room) return P .. 'members:' .. room end
local function k_names(room) return P .. 'names:' .. room end
local function k_holders(room) return P .. 'holders:' .. room end
local function k_stream(room) return P .. 'stream:' .. room end
local function k_channel() return P .. 'events' end
-- Node ids never contain '/'.
local function member_of(node, id) return node .. '/' .. id end
local function belongs_to(member, node) return string.sub(member, 1, #node + 1) == node .. '/' end
-- Marks the node alive until now + ttl; 1 when it was not registered (new, expired and swept,
-- or Redis lost its data), 0 otherwise.
local function keep_alive(node, ttl)
  return redis.call('ZADD', k_nodes(), now_ms() + ttl, node)
end
local function forget_if_empty(room)
  if redis.call('ZCARD', k_members(room)) == 0 then
    redis.call('SREM', k_rooms(), room)
    redis.call('DEL', k_names(room), k_holders(room))
  end
end
-- The identity holding the name (JSON) in the room, and how many members hold it.
local function holder_of(room, name)
  local held = redis.call('HGET', k_holders(room), name)
  if not held then return nil, 0 end
  local count, identity = string.match(held, '^(%d+):(.*)$')
  return identity, tonumber(count)
end
local function is_taken(room, name, identity)
  local holder = holder_of(room, name)
  return holder ~= nil and holder ~= identity
end
-- One more member holds the name. Only a repair (chatSync) can add a second identity's member:
-- the first identity keeps the name then.
local function hold_name(room, name, identity)
  local holder, count = holder_of(room, name)
  redis.call('HSET', k_holders(room), name, (count + 1) .. ':' .. (holder or identity))
end
local function release_name(room, name)
  if not name then return end
  local holder, count = holder_of(room, name)
  if count <= 1 then
    redis.call('HDEL', k_holders(room), name)
  else
    redis.call('HSET', k_holders(room), name, (count - 1) .. ':' .. holder)
  end
end
-- Sets the member's name in the room, keeping the holders in step.
local function set_name(room, member, name, identity)
  local old = redis.call('HGET', k_names(room), member)
  if old == name then return end
  release_name(room, old)
  hold_name(room, name, identity)
  redis.call('HSET', k_names(room), member, name)
end
-- Appends the member count, then up to limit names (JSON strings) of the oldest members.
local function append_roster(out, room, limit)
  local count = redis.call('ZCARD', k_members(room))
  out[#out + 1] = count
  if limit > 0 and count > 0 then
    local members = redis.call('ZRANGE', k_members(room), 0, limit - 1)
    -- In slices: unpack() is bounded by Lua's stack.
    for first = 1, #members, 500 do
      local slice = {}
      for i = first, math.min(first + 499, #members) do slice[#slice + 1] = members[i] end
      local names = redis.call('HMGET', k_names(room), unpack(slice))
      for i = 1, #names do
        if names[i] then out[#out + 1] = names[i] end
      end
    end
  end
  return out
end
local function remove_member(room, member, out)
  local name = redis.call('HGET', k_names(room), member)
  release_name(room, name)
  redis.call('ZREM', k_members(room), member)
  redis.call('HDEL', k_names(room), member)
  out[#out + 1] = name or '""'
end
-- Removes every member of the node; appends room, name pairs of those removed.
local function remove_node(node, out)
  local node_rooms = k_node_rooms(node)
  for _, room in ipairs(redis.call('SMEMBERS', node_rooms)) do
    for _, member in ipairs(redis.call('ZRANGE', k_members(room), 0, -1)) do
      if belongs_to(member, node) then
        out[#out + 1] = room
        remove_member(room, member, out)
      end
    end
    forget_if_empty(room)
  end
  redis.call('DEL', node_rooms)
  redis.call('ZREM', k_nodes(), node)
end
`;

/** What chatEnter answers in place of the newest id when the name is taken. */
export const NAME_TAKEN = 'name_taken';

/** Every script takes the key prefix as ARGV[1]. */
export const SCRIPTS = {
  /**
   * ARGV: P, room, since or '', before or '', limit -> {entries, dropped, first id kept}.
   * Entries are oldest first with since, newest first without. dropped: entries trimmed from
   * the stream so far (-1 unknown, -2 no stream), reported only with since.
   */
  chatHistory: `
local key = k_stream(ARGV[2])
local since, before, limit = ARGV[3], ARGV[4], ARGV[5]
local entries
if since ~= '' then
  entries = redis.call('XRANGE', key, '(' .. since, before ~= '' and ('(' .. before) or '+', 'COUNT', limit)
else
  entries = redis.call('XREVRANGE', key, before ~= '' and ('(' .. before) or '+', '-', 'COUNT', limit)
end
local dropped, first = 0, ''
if since ~= '' then
  if redis.call('EXISTS', key) == 0 then
    dropped = -2
  else
    local info = redis.call('XINFO', 'STREAM', key)
    local length, added = 0, nil
    for i = 1, #info, 2 do
      if info[i] == 'length' then length = info[i + 1]
      elseif info[i] == 'entries-added' then added = info[i + 1]
      elseif info[i] == 'first-entry' and info[i + 1] then first = info[i + 1][1] end
    end
    if added == nil then dropped = -1 else dropped = added - length end
  end
end
return { entries, dropped, first }
`,

  /**
   * ARGV: P, node, ttl, room, id, name, limit, identity -> {registered, newest id, count,
   * names...}, or {registered, NAME_TAKEN} (nothing written) when another identity holds the name.
   */
  chatEnter: `
local node, room = ARGV[2], ARGV[4]
local registered = keep_alive(node, tonumber(ARGV[3]))
local member = member_of(node, ARGV[5])
local name, identity = ARGV[6], ARGV[8]
if redis.call('HGET', k_names(room), member) ~= name and is_taken(room, name, identity) then
  return { registered, '${NAME_TAKEN}' }
end
redis.call('ZADD', k_members(room), 'NX', now_ms(), member)
set_name(room, member, name, identity)
redis.call('SADD', k_node_rooms(node), room)
redis.call('SADD', k_rooms(), room)
local newest = redis.call('XREVRANGE', k_stream(room), '+', '-', 'COUNT', 1)
return append_roster({ registered, newest[1] and newest[1][1] or '0-0' }, room, tonumber(ARGV[7]))
`,

  /**
   * ARGV: P, node, ttl, room, id, '1' when the node's last member there, limit -> {registered, count, names...}.
   * Never registers a node that is not (a late leave after the node deregistered).
   */
  chatExit: `
local node, room = ARGV[2], ARGV[4]
local registered = 1
if redis.call('ZSCORE', k_nodes(), node) then registered = keep_alive(node, tonumber(ARGV[3])) end
local member = member_of(node, ARGV[5])
release_name(room, redis.call('HGET', k_names(room), member))
redis.call('ZREM', k_members(room), member)
redis.call('HDEL', k_names(room), member)
if ARGV[6] == '1' then redis.call('SREM', k_node_rooms(node), room) end
forget_if_empty(room)
return append_roster({ registered }, room, tonumber(ARGV[7]))
`,

  /**
   * ARGV: P, node, ttl, id, name, identity, room... -> {registered, ''}, applied only where the
   * member still is; or {registered, a room where another identity holds the name} and applied
   * nowhere.
   */
  chatRename: `
local node = ARGV[2]
local registered = keep_alive(node, tonumber(ARGV[3]))
local member = member_of(node, ARGV[4])
local name, identity = ARGV[5], ARGV[6]
for i = 7, #ARGV do
  local room = ARGV[i]
  if redis.call('ZSCORE', k_members(room), member) and redis.call('HGET', k_names(room), member) ~= name
    and is_taken(room, name, identity) then
    return { registered, room }
  end
end
for i = 7, #ARGV do
  if redis.call('ZSCORE', k_members(ARGV[i]), member) then set_name(ARGV[i], member, name, identity) end
end
return { registered, '' }
`,

  /**
   * Makes the node's members of a room exactly the given ones. ARGV: P, node, ttl, room, id1,
   * name1, identity1, id2, name2, identity2... -> {registered, #joined, joined names..., left id,
   * left name...}. Restores what this node's members had, so it does not refuse a taken name.
   */
  chatSync: `
local node, room = ARGV[2], ARGV[4]
local registered = keep_alive(node, tonumber(ARGV[3]))
local wanted = {}
for i = 5, #ARGV, 3 do wanted[member_of(node, ARGV[i])] = true end
local left = {}
for _, member in ipairs(redis.call('ZRANGE', k_members(room), 0, -1)) do
  if belongs_to(member, node) and not wanted[member] then
    left[#left + 1] = string.sub(member, #node + 2)
    remove_member(room, member, left)
  end
end
local result = { registered, 0 }
local now = now_ms()
for i = 5, #ARGV, 3 do
  local member = member_of(node, ARGV[i])
  if redis.call('ZADD', k_members(room), 'NX', now, member) == 1 then result[#result + 1] = ARGV[i + 1] end
  set_name(room, member, ARGV[i + 1], ARGV[i + 2])
end
result[2] = #result - 2
for _, name in ipairs(left) do result[#result + 1] = name end
if #ARGV >= 5 then
  redis.call('SADD', k_node_rooms(node), room)
  redis.call('SADD', k_rooms(), room)
else
  redis.call('SREM', k_node_rooms(node), room)
end
forget_if_empty(room)
return result
`,

  /**
   * Keeps the node alive and removes the members of instances whose presence expired.
   * ARGV: P, node, ttl, most expired instances to sweep -> {registered, room, name, room, name...}.
   */
  chatHeartbeat: `
local node = ARGV[2]
local out = { keep_alive(node, tonumber(ARGV[3])) }
local expired = redis.call('ZRANGEBYSCORE', k_nodes(), '-inf', '(' .. now_ms(), 'LIMIT', 0, tonumber(ARGV[4]))
for _, other in ipairs(expired) do
  if other ~= node then remove_node(other, out) end
end
return out
`,

  /** ARGV: P, node -> {room, name, room, name...} of the members removed. */
  chatDeregister: `
local out = {}
remove_node(ARGV[2], out)
return out
`,

  /**
   * Publishes a presence notice with the room's roster as it is now, so that the last notice
   * of a room always describes its current state. ARGV: P, room, limit, envelope without
   * count and members -> count.
   */
  chatAnnounce: `
local roster = append_roster({}, ARGV[2], tonumber(ARGV[3]))
local names = {}
for i = 2, #roster do names[#names + 1] = roster[i] end
redis.call('PUBLISH', k_channel(),
  string.sub(ARGV[4], 1, -2) .. ',"count":' .. roster[1] .. ',"members":[' .. table.concat(names, ',') .. ']}')
return roster[1]
`,

  /** ARGV: P, room, limit -> {count, names...}. */
  chatRoster: `
return append_roster({}, ARGV[2], tonumber(ARGV[3]))
`,

  /** ARGV: P -> {room, count, room, count...}. */
  chatRooms: `
local out = {}
for _, room in ipairs(redis.call('SMEMBERS', k_rooms())) do
  local count = redis.call('ZCARD', k_members(room))
  if count > 0 then
    out[#out + 1] = room
    out[#out + 1] = count
  else
    redis.call('SREM', k_rooms(), room)
  end
end
return out
`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** The full source of a script: the shared helpers, then its body. */
export function scriptSource(name: ScriptName): string {
  return COMMON + SCRIPTS[name];
}

/** The channel the scripts publish on (k_channel above). */
export function eventsChannel(prefix: string): string {
  return `${prefix}events`;
}
