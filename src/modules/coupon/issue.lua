-- Coupon issue: one first-come issuance, atomically (contract §0.3; seed flow 7).
-- Checks the stock key is loaded, the user doesn't hold the coupon and a unit
-- is left; then takes the unit and records the holder. Nothing else touches
-- these keys between the checks and the writes.
--
-- keys: 2
-- KEYS[1]  coupon:{id}:stock   string int: units left to issue
-- KEYS[2]  coupon:{id}:issued  set of user ids holding the coupon
-- ARGV[1]  user id
--
-- returns {code, remaining}:
--   { 1, n}  issued: DECR + SADD done; n = units left after this one
--            (n = 0: this issuance took the last unit)
--   { 0, 0}  exhausted: no unit left, nothing changed
--   {-1, n}  already issued to this user, nothing changed (n = units left)
--   {-2, 0}  the stock key is missing (never loaded, or wiped): nothing changed.
--            Never guess a stock: the caller rebuilds both keys from MySQL
--            (load.lua) and tries again.
local stock = redis.call('GET', KEYS[1])
if not stock then
  return {-2, 0}
end
stock = tonumber(stock)
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return {-1, stock}
end
if stock <= 0 then
  return {0, 0}
end
local remaining = redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
return {1, remaining}
