-- purchase.lua: one time-deal purchase, atomically (contract §0.3, seed flow 8).
--   max per user → stock → DECRBY stock → HINCRBY bought, all or nothing.
--
-- keys: 3
--   KEYS[1]  timedeal:{dealId}:{productId}:stock   string int: deal units left
--   KEYS[2]  timedeal:{dealId}:{productId}:bought  hash userId → units bought
--   KEYS[3]  timedeal:{dealId}:{productId}:epoch   string: id of the load that wrote these keys
-- ARGV
--   ARGV[1]  userId
--   ARGV[2]  quantity (integer ≥ 1)
--   ARGV[3]  maxPerUser (integer ≥ 1)
-- returns {result, epoch}
--   result = remaining + 1  success; remaining ≥ 0 units are left AFTER this purchase,
--                           so the buyer of the last unit gets 1 (never 0)
--   result = 0              sold out: fewer than `quantity` units left (nothing changed)
--   result = -1             limit: bought + quantity > maxPerUser (nothing changed)
--   result = -2             not loaded: the stock or epoch key is missing (nothing changed);
--                           the caller rebuilds the keys from MySQL and asks again. A missing
--                           key is never read as "0 bought" or "some stock": no over-selling.
--   epoch                   the epoch key's value (false when result = -2). The MySQL step
--                           checks it is still current; unpurchase.lua takes it back.

local stock = redis.call('GET', KEYS[1])
local epoch = redis.call('GET', KEYS[3])
if not stock or not epoch then
  return {-2, false}
end
stock = tonumber(stock)
local qty = tonumber(ARGV[2])
local max = tonumber(ARGV[3])

local bought = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if bought + qty > max then
  return {-1, epoch}
end
if stock < qty then
  return {0, epoch}
end

local remaining = redis.call('DECRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[2], ARGV[1], qty)
return {remaining + 1, epoch}
