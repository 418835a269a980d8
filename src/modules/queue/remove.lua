-- Queue remove: an entry stops being live (leave, consumed by a purchase, or
-- expired by hand): out of the line and out of the admitted set, in one step.
-- keys: 4
-- KEYS[1] queue:{type:id}:waiting  zset token -> arrival score
-- KEYS[2] queue:{type:id}:entered  zset token -> expiry (ms)
-- KEYS[3] queue:{type:id}:users    hash userId -> the user's newest token
-- KEYS[4] queue:{type:id}:ver      counter bumped whenever positions in the line change
-- ARGV[1] entry token
-- ARGV[2] user id ('' = leave the users hash alone)
-- returns { wasWaiting, wasEntered } (1 or 0 each). The users hash entry goes only
-- when it still names this token (a newer entry of the same user keeps its own).
local w = redis.call('ZREM', KEYS[1], ARGV[1])
if w == 1 then
  redis.call('INCR', KEYS[4])
end
local e = redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] ~= '' and redis.call('HGET', KEYS[3], ARGV[2]) == ARGV[1] then
  redis.call('HDEL', KEYS[3], ARGV[2])
end
return { w, e }
