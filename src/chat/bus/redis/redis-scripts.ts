/**
 * The Lua scripts of the Redis bus's presence and history. Each runs atomically in Redis, and
 * each is handed every key it touches in KEYS (redis-keys.ts names them): the keys of one room,
 * or the instance registry, never both, so that every script runs on one shard of a Redis
 * Cluster. What spans rooms (an instance's death, the list of rooms) is a sequence of such
 * scripts, driven by RedisChatStore and RedisPresence.
 *
 * Room scripts take KEYS = members, names (then the name holders, and the stream, where said);
 * instance scripts take KEYS = nodes, and that instance's rooms set where said. The holders
 * map each name in use to the one identity holding it (README "One name per person in a room"). Members are `<node>/<connection id>`;
 * times are Redis' own clock (TIME), so the instances' clocks do not matter.
 */

const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Node ids never contain '/'.
local function member_of(node, id) return node .. '/' .. id end
local function belongs_to(member, node) return string.sub(member, 1, #node + 1) == node .. '/' end
-- Appends the member count, then up to limit names (JSON strings) of the oldest members.
local function append_roster(out, members, names, limit)
  local count = redis.call('ZCARD', members)
  out[#out + 1] = count
  if limit > 0 and count > 0 then
    local ids = redis.call('ZRANGE', members, 0, limit - 1)
    -- In slices: unpack() is bounded by Lua's stack.
    for first = 1, #ids, 500 do
      local slice = {}
      for i = first, math.min(first + 499, #ids) do slice[#slice + 1] = ids[i] end
      local found = redis.call('HMGET', names, unpack(slice))
      for i = 1, #found do
        if found[i] then out[#out + 1] = found[i] end
      end
    end
  end
  return out
end
local function forget_if_empty(members, names, holders)
  if redis.call('ZCARD', members) == 0 then redis.call('DEL', names, holders) end
end
-- The identity holding the name (JSON) in the room, and how many members hold it.
local function holder_of(holders, name)
  local held = redis.call('HGET', holders, name)
  if not held then return nil, 0 end
  local count, identity = string.match(held, '^(%d+):(.*)$')
  return identity, tonumber(count)
end
local function is_taken(holders, name, identity)
  local holder = holder_of(holders, name)
  return holder ~= nil and holder ~= identity
end
-- One more member holds the name. Only a repair (chatSync) can add a second identity's member:
-- the first identity keeps the name then.
local function hold_name(holders, name, identity)
  local holder, count = holder_of(holders, name)
  redis.call('HSET', holders, name, (count + 1) .. ':' .. (holder or identity))
end
local function release_name(holders, name)
  if not name then return end
  local holder, count = holder_of(holders, name)
  if count <= 1 then
    redis.call('HDEL', holders, name)
  else
    redis.call('HSET', holders, name, (count - 1) .. ':' .. holder)
  end
end
-- Sets the member's name in the room, keeping the holders in step.
local function set_name(names, holders, member, name, identity)
  local old = redis.call('HGET', names, member)
  if old == name then return end
  release_name(holders, old)
  hold_name(holders, name, identity)
  redis.call('HSET', names, member, name)
end
local function remove_member(members, names, holders, member, out)
  local name = redis.call('HGET', names, member)
  release_name(holders, name)
  redis.call('ZREM', members, member)
  redis.call('HDEL', names, member)
  out[#out + 1] = name or '""'
end
-- Marks the node alive until now + ttl; 1 when it was not registered (new, expired and swept,
-- or Redis lost its data), 0 otherwise.
local function keep_alive(nodes, node, ttl)
  return redis.call('ZADD', nodes, now_ms() + ttl, node)
end
`;

/** What chatEnter answers in place of the newest id when the name is taken. */
export const NAME_TAKEN = 'name_taken';

export const SCRIPTS = {
  /**
   * KEYS: stream. ARGV: since or '', before or '', limit -> {entries, dropped, first id kept}.
   * Entries are oldest first with since, newest first without. dropped: entries trimmed from
   * the stream so far (-1 unknown, -2 no stream), reported only with since.
   */
  chatHistory: {
    keys: 1,
    lua: `
local key = KEYS[1]
local since, before, limit = ARGV[1], ARGV[2], ARGV[3]
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
  },

  /**
   * KEYS: members, names, holders, stream. ARGV: member, name, limit, identity -> {newest id,
   * count, names...}, or {NAME_TAKEN} (nothing written) when another identity holds the name.
   */
  chatEnter: {
    keys: 4,
    lua: `
local member, name, identity = ARGV[1], ARGV[2], ARGV[4]
if redis.call('HGET', KEYS[2], member) ~= name and is_taken(KEYS[3], name, identity) then
  return { '${NAME_TAKEN}' }
end
redis.call('ZADD', KEYS[1], 'NX', now_ms(), member)
set_name(KEYS[2], KEYS[3], member, name, identity)
local newest = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
return append_roster({ newest[1] and newest[1][1] or '0-0' }, KEYS[1], KEYS[2], tonumber(ARGV[3]))
`,
  },

  /** KEYS: members, names, holders. ARGV: member, limit -> {count, names...}. */
  chatExit: {
    keys: 3,
    lua: `
release_name(KEYS[3], redis.call('HGET', KEYS[2], ARGV[1]))
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
forget_if_empty(KEYS[1], KEYS[2], KEYS[3])
return append_roster({}, KEYS[1], KEYS[2], tonumber(ARGV[2]))
`,
  },

  /**
   * KEYS: members, names, holders. ARGV: member, name, identity, '1' to write or '0' only to
   * check -> 0 when another identity holds the name there (nothing written), 1 otherwise. Only
   * where the member still is.
   */
  chatRename: {
    keys: 3,
    lua: `
local member, name, identity = ARGV[1], ARGV[2], ARGV[3]
if not redis.call('ZSCORE', KEYS[1], member) then return 1 end
if redis.call('HGET', KEYS[2], member) == name then return 1 end
if is_taken(KEYS[3], name, identity) then return 0 end
if ARGV[4] == '1' then set_name(KEYS[2], KEYS[3], member, name, identity) end
return 1
`,
  },

  /**
   * Makes the node's members of a room exactly the given ones. KEYS: members, names, holders.
   * ARGV: node, id1, name1, identity1, id2, name2, identity2... -> {#joined, joined names...,
   * left id, left name...}. Restores what this node's members had, so it does not refuse a
   * taken name.
   */
  chatSync: {
    keys: 3,
    lua: `
local node = ARGV[1]
local wanted = {}
for i = 2, #ARGV, 3 do wanted[member_of(node, ARGV[i])] = true end
local left = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if belongs_to(member, node) and not wanted[member] then
    left[#left + 1] = string.sub(member, #node + 2)
    remove_member(KEYS[1], KEYS[2], KEYS[3], member, left)
  end
end
local result = { 0 }
local now = now_ms()
for i = 2, #ARGV, 3 do
  local member = member_of(node, ARGV[i])
  if redis.call('ZADD', KEYS[1], 'NX', now, member) == 1 then result[#result + 1] = ARGV[i + 1] end
  set_name(KEYS[2], KEYS[3], member, ARGV[i + 1], ARGV[i + 2])
end
result[1] = #result - 1
for _, name in ipairs(left) do result[#result + 1] = name end
forget_if_empty(KEYS[1], KEYS[2], KEYS[3])
return result
`,
  },

  /**
   * Removes the node's members that joined at or before the given time (ms; its sweep began
   * then). KEYS: members, names, holders. ARGV: node, time -> {name, name...} of those removed.
   */
  chatRemoveNode: {
    keys: 3,
    lua: `
local node, before = ARGV[1], tonumber(ARGV[2])
local out = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', before)) do
  if belongs_to(member, node) then remove_member(KEYS[1], KEYS[2], KEYS[3], member, out) end
end
forget_if_empty(KEYS[1], KEYS[2], KEYS[3])
return out
`,
  },

  /**
   * Publishes a presence notice with the room's roster as it is now, so that the last notice
   * of a room always describes its current state. KEYS: members, names. ARGV: limit, envelope
   * without count and members, channel, PUBLISH or SPUBLISH -> count.
   */
  chatAnnounce: {
    keys: 2,
    lua: `
local roster = append_roster({}, KEYS[1], KEYS[2], tonumber(ARGV[1]))
local names = {}
for i = 2, #roster do names[#names + 1] = roster[i] end
redis.call(ARGV[4], ARGV[3],
  string.sub(ARGV[2], 1, -2) .. ',"count":' .. roster[1] .. ',"members":[' .. table.concat(names, ',') .. ']}')
return roster[1]
`,
  },

  /** KEYS: members, names. ARGV: limit -> {count, names...}. */
  chatRoster: {
    keys: 2,
    lua: `
return append_roster({}, KEYS[1], KEYS[2], tonumber(ARGV[1]))
`,
  },

  /** The node has members in the room. KEYS: nodes, its rooms. ARGV: node, ttl, room -> registered. */
  chatNodeEnter: {
    keys: 2,
    lua: `
local registered = keep_alive(KEYS[1], ARGV[1], tonumber(ARGV[2]))
redis.call('SADD', KEYS[2], ARGV[3])
return registered
`,
  },

  /**
   * The node has no member left in the room. KEYS: nodes, its rooms. ARGV: node, ttl, room ->
   * registered. Never registers a node that is not (a late leave after it deregistered).
   */
  chatNodeLeave: {
    keys: 2,
    lua: `
local registered = 1
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then registered = keep_alive(KEYS[1], ARGV[1], tonumber(ARGV[2])) end
redis.call('SREM', KEYS[2], ARGV[3])
return registered
`,
  },

  /**
   * Keeps the node alive and lists instances whose presence expired. KEYS: nodes. ARGV: node,
   * ttl, most expired -> {registered, expired node...}.
   */
  chatHeartbeat: {
    keys: 1,
    lua: `
local out = { keep_alive(KEYS[1], ARGV[1], tonumber(ARGV[2])) }
for _, other in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now_ms(), 'LIMIT', 0, tonumber(ARGV[3]))) do
  if other ~= ARGV[1] then out[#out + 1] = other end
end
return out
`,
  },

  /**
   * Takes an expired node (or, with ARGV[2] '0', this node itself) off the registry, so that
   * it registers anew if it comes back. KEYS: nodes, its rooms. ARGV: node, '1' only if
   * expired -> {now, its rooms...}, or {} when it is alive after all.
   */
  chatClaimNode: {
    keys: 2,
    lua: `
local now = now_ms()
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if ARGV[2] == '1' and (not expires or tonumber(expires) >= now) then return {} end
redis.call('ZREM', KEYS[1], ARGV[1])
local out = { now }
for _, room in ipairs(redis.call('SMEMBERS', KEYS[2])) do out[#out + 1] = room end
return out
`,
  },

  /**
   * Ends the sweep of a node whose members were removed: drops its rooms set, or, when it came
   * back meanwhile (and may have written members the sweep then removed), takes it off the
   * registry again so that it registers anew and writes them again. KEYS: nodes, its rooms.
   * ARGV: node.
   */
  chatForgetNode: {
    keys: 2,
    lua: `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('DEL', KEYS[2])
end
return 1
`,
  },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** The full source of a script: the shared helpers, then its body. */
export function scriptSource(name: ScriptName): string {
  return COMMON + SCRIPTS[name].lua;
}
