-- Queue admission: one batch, atomically, so capacity is never exceeded however
-- many instances (or manual /process calls) admit at the same moment.
--   1. admitted entries whose time ran out (score <= now) stop holding capacity;
--   2. free = maxCapacity - admitted still holding capacity;
--   3. the head of the line, up to min(free, entryBatchSize), moves to entered
--      with score now + ttl.
-- keys: 3
-- KEYS[1] queue:{type:id}:waiting  zset token -> arrival score
-- KEYS[2] queue:{type:id}:entered  zset token -> expiry (ms since the epoch)
-- KEYS[3] queue:{type:id}:ver      counter bumped whenever positions in the line change
-- ARGV[1] now (ms since the epoch, the caller's clock: the same instant is written to MySQL)
-- ARGV[2] entry ttl (ms)
-- ARGV[3] maxCapacity
-- ARGV[4] entryBatchSize
-- returns { expired, moved }:
--   expired = { token, ... }                      removed from entered because score <= now
--   moved   = { token, arrivalScore, token, ... }  moved from waiting to entered, head of the line first
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
end
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[2])
local n = math.min(free, tonumber(ARGV[4]))
local moved = {}
if n > 0 then
  moved = redis.call('ZPOPMIN', KEYS[1], n)
  if #moved > 0 then
    local expiry = now + tonumber(ARGV[2])
    -- ZADD in chunks: unpack() of a very large batch would overflow Lua's C stack.
    local args = {}
    for i = 1, #moved, 2 do
      args[#args + 1] = expiry
      args[#args + 1] = moved[i]
      if #args >= 1000 then
        redis.call('ZADD', KEYS[2], unpack(args))
        args = {}
      end
    end
    if #args > 0 then
      redis.call('ZADD', KEYS[2], unpack(args))
    end
    redis.call('INCR', KEYS[3])
  end
end
return { expired, moved }
