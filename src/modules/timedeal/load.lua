-- load.lua: (re)writes one deal product's keys from MySQL, the truth (contract §0.3,
--   seed TimeDealRedisInitializer). Run while the deal row is locked in MySQL, so no
--   purchase can commit in between; the new epoch makes purchases whose script ran
--   on the old keys ask again, and makes late unpurchases of the old keys no-ops.
--
-- keys: 3
--   KEYS[1]  timedeal:{dealId}:{productId}:stock   set to ARGV[1]
--   KEYS[2]  timedeal:{dealId}:{productId}:bought  replaced by the ARGV pairs
--   KEYS[3]  timedeal:{dealId}:{productId}:epoch   set to ARGV[2]
-- ARGV
--   ARGV[1]        stock = dealQuantity − sold (PURCHASED rows)
--   ARGV[2]        new epoch (unique per load)
--   ARGV[3], [4]…  userId, units bought (PURCHASED rows), repeated
-- returns
--   the number of users in the bought hash

redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('SET', KEYS[1], ARGV[1])
local users = 0
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  users = users + 1
end
redis.call('SET', KEYS[3], ARGV[2])
return users
