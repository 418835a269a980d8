-- unpurchase.lua: the compensating twin of purchase.lua (contract §0.3).
--   Gives `quantity` units back to the deal and takes them off the user's count:
--   when the MySQL step after a purchase failed, or when a deal order was
--   cancelled or expired unpaid while the deal runs.
--
-- keys: 3
--   KEYS[1]  timedeal:{dealId}:{productId}:stock   string int: deal units left
--   KEYS[2]  timedeal:{dealId}:{productId}:bought  hash userId → units bought
--   KEYS[3]  timedeal:{dealId}:{productId}:epoch   string: id of the load that wrote these keys
-- ARGV
--   ARGV[1]  userId
--   ARGV[2]  quantity (integer ≥ 1)
--   ARGV[3]  epoch the purchase (or the return) saw
-- returns
--   stock ≥ 0  applied: the units left after giving these back
--   -1         not applied: the keys are gone or were rebuilt from MySQL since
--              (another epoch); a rebuild counts rows, so the units are already right
--              there and adding them again would over-sell

local epoch = redis.call('GET', KEYS[3])
if not epoch or epoch ~= ARGV[3] or redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local qty = tonumber(ARGV[2])
local left = redis.call('HINCRBY', KEYS[2], ARGV[1], -qty)
if left <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return redis.call('INCRBY', KEYS[1], qty)
