-- Coupon un-issue: the compensating twin of issue.lua. Undoes one issuance
-- whose MySQL transaction failed, so Redis again agrees with MySQL before the
-- error is returned (ARCHITECTURE rule 2).
--
-- keys: 2
-- KEYS[1]  coupon:{id}:stock   string int: units left to issue
-- KEYS[2]  coupon:{id}:issued  set of user ids holding the coupon
-- ARGV[1]  user id
--
-- returns:
--   1  the user was in the set: SREM done, and INCR of the stock when that key
--      exists (a missing stock key is left missing: load.lua rebuilds it from
--      MySQL, which already leaves this user out)
--   0  the user was not in the set (keys wiped or rebuilt since): nothing changed
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then
  return 0
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
end
return 1
