-- purchase.lua: one time-deal admission, atomically: max per user → free units →
--   SPOP the units → count them to the user → record the admission with its time.
--   The units are the buyer's only once the purchase transaction in MySQL claims them;
--   settle.lua then drops the record, unpurchase.lua gives them back if it fails, and
--   the reconcile (load.lua) releases a record older than the grace period whose
--   purchase never reached MySQL.
--
-- keys: 4
--   KEYS[1]  timedeal:{dealId}:{productId}:free    set of free unit numbers
--   KEYS[2]  timedeal:{dealId}:{productId}:bought  hash userId → units counted to the user
--                                                  (held in MySQL or admitted and in flight)
--   KEYS[3]  timedeal:{dealId}:{productId}:adm     hash userId → JSON list of the user's
--                                                  admissions in flight: {id, at, u = units}
--   KEYS[4]  timedeal:{dealId}:{productId}:epoch   string: id of the load that wrote these keys;
--                                                  its presence means "loaded"
-- ARGV
--   ARGV[1]  userId
--   ARGV[2]  quantity (integer ≥ 1)
--   ARGV[3]  maxPerUser (integer ≥ 1)
--   ARGV[4]  admission id (unique per request)
-- A user over the limit whose own admissions are still in flight is a retry (their
-- earlier request may have died): those admissions are given back first and the
-- request admitted on its own. If the earlier request is alive after all, MySQL
-- lets only as many units through as the user may hold.
-- returns
--   {1, at, takenOver, unit, unit…}  admitted: admission time (ms, Redis clock), how many
--                                    earlier admissions of this user were given back, the units
--   {0}                              sold out: fewer than `quantity` free units (nothing changed
--                                    but given-back admissions)
--   {-1}                             limit: counted units + quantity > maxPerUser (nothing changed)
--   {-2}                             not loaded: no epoch key (nothing changed); the caller
--                                    rebuilds the keys from MySQL and asks again

if redis.call('EXISTS', KEYS[4]) == 0 then
  return {-2}
end
local user = ARGV[1]
local qty = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local bought = tonumber(redis.call('HGET', KEYS[2], user) or '0')
local raw = redis.call('HGET', KEYS[3], user)
local pending = raw and cjson.decode(raw) or {}

local takenOver = 0
while bought + qty > max and #pending > 0 do
  local oldest = table.remove(pending, 1)
  for i = 1, #oldest.u, 1000 do
    redis.call('SADD', KEYS[1], unpack(oldest.u, i, math.min(i + 999, #oldest.u)))
  end
  bought = bought - #oldest.u
  takenOver = takenOver + 1
end
if takenOver > 0 then
  if bought > 0 then redis.call('HSET', KEYS[2], user, bought) else redis.call('HDEL', KEYS[2], user) end
  if #pending > 0 then redis.call('HSET', KEYS[3], user, cjson.encode(pending)) else redis.call('HDEL', KEYS[3], user) end
end

if bought + qty > max then
  return {-1}
end
if redis.call('SCARD', KEYS[1]) < qty then
  return {0}
end

local units = redis.call('SPOP', KEYS[1], qty)
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HINCRBY', KEYS[2], user, qty)
for i = 1, #units do units[i] = tonumber(units[i]) end
pending[#pending + 1] = {id = ARGV[4], at = at, u = units}
redis.call('HSET', KEYS[3], user, cjson.encode(pending))

local reply = {1, at, takenOver}
for i = 1, #units do reply[#reply + 1] = units[i] end
return reply
