-- Coupon issue: one first-come admission, atomically. Checks the keys are
-- loaded and whether the user is already counted; then takes a unit number —
-- one given back earlier, else the next never-issued one — and records the
-- user as pending with the unit and the moment (Redis TIME, ms). The MySQL row
-- that follows holds that unit number; MySQL's unique keys are the arbiter.
--
-- keys: 4
-- KEYS[1]  coupon:{id}:units    hash: total, next (lowest never-issued unit), epoch (set by each load)
-- KEYS[2]  coupon:{id}:free     set of unit numbers below next that were given back
-- KEYS[3]  coupon:{id}:issued   set of user ids: holders and pending admissions
-- KEYS[4]  coupon:{id}:pending  hash user id -> "<unit>:<admitted at, ms>" (no MySQL row seen yet)
-- ARGV[1]  user id
--
-- returns:
--   { 1, unit, remaining, epoch, entry}  admitted: a new unit taken; remaining = units
--                                        left after it; entry = the pending value written
--   { 2, unit, remaining, epoch, entry}  resumed: the user was pending (an earlier request
--                                        in flight or dead); the same unit, admitted-at renewed
--   { 0}  exhausted: no unit left, nothing changed
--   {-1}  the user holds the coupon (counted, not pending), nothing changed
--   {-2}  not loaded (never, or wiped): nothing changed. Never guess: the
--         caller rebuilds the keys from MySQL (load.lua) and tries again.
local meta = redis.call('HMGET', KEYS[1], 'total', 'next', 'epoch')
if not meta[1] then
  return {-2}
end
local total = tonumber(meta[1])
local nxt = tonumber(meta[2])
local t = redis.call('TIME')
local now = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))

local function remaining()
  return redis.call('SCARD', KEYS[2]) + math.max(0, total - nxt + 1)
end

if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then
  local entry = redis.call('HGET', KEYS[4], ARGV[1])
  if not entry then
    return {-1}
  end
  local unit = string.match(entry, '^(%d+):')
  if unit then
    entry = unit .. ':' .. now
    redis.call('HSET', KEYS[4], ARGV[1], entry)
    return {2, tonumber(unit), remaining(), meta[3], entry}
  end
  -- An unreadable entry names no unit: admitted afresh below.
end

local unit = redis.call('SPOP', KEYS[2])
if not unit then
  if nxt > total then
    return {0}
  end
  unit = nxt
  nxt = nxt + 1
  redis.call('HSET', KEYS[1], 'next', nxt)
end
local entry = tostring(unit) .. ':' .. now
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], entry)
return {1, tonumber(unit), remaining(), meta[3], entry}
