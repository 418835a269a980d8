-- Coupon settle: ends one pending admission, only if its entry is still the one
-- the caller saw (a retry that resumed it, another settle or a load since then
-- leave it alone). Used after the MySQL row committed (the user stays counted),
-- to undo a failed MySQL step or release a unit a dead process stranded (the
-- user uncounted, the unit given back), and when MySQL refused the unit.
--
-- keys: 4
-- KEYS[1]  coupon:{id}:units    hash: total, next, epoch
-- KEYS[2]  coupon:{id}:free     set of unit numbers below next that were given back
-- KEYS[3]  coupon:{id}:issued   set of user ids: holders and pending admissions
-- KEYS[4]  coupon:{id}:pending  hash user id -> "<unit>:<admitted at, ms>"
-- ARGV[1]  user id
-- ARGV[2]  the pending entry as the caller saw it
-- ARGV[3]  1: the user holds the coupon (stays in the issued set); 0: removed from it
-- ARGV[4]  1: the entry's unit is free (back into the free set); 0: it is taken
--
-- returns:
--   1  applied
--   0  the entry is gone or different: nothing changed
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[3] == '0' then
  redis.call('SREM', KEYS[3], ARGV[1])
end
if ARGV[4] == '1' then
  local nxt = tonumber(redis.call('HGET', KEYS[1], 'next'))
  local unit = tonumber(string.match(ARGV[2], '^(%d+):'))
  -- A unit at or above next is free already (next counts it); none without the hash.
  if nxt and unit < nxt then
    redis.call('SADD', KEYS[2], unit)
  end
end
return 1
