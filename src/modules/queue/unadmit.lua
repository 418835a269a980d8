-- Queue un-admission: the compensating twin of admit.lua, used when the MySQL
-- write that follows an admission fails. Each token still in entered goes back
-- to the line at its old arrival score (so to the head, where it was).
-- keys: 3
-- KEYS[1] queue:{type:id}:waiting  zset token -> arrival score
-- KEYS[2] queue:{type:id}:entered  zset token -> expiry (ms)
-- KEYS[3] queue:{type:id}:ver      counter bumped whenever positions in the line change
-- ARGV    token, arrivalScore, token, arrivalScore, ... (admit.lua's `moved`)
-- returns the number of tokens put back (a token no longer in entered, e.g. one
-- that left meanwhile, is not put back).
local back = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    back = back + 1
  end
end
if back > 0 then
  redis.call('INCR', KEYS[3])
end
return back
