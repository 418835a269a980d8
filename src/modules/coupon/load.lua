-- Coupon load: replaces a coupon's keys with what MySQL (the truth) says, in
-- one step, so issue.lua never sees a half-written set. Used at start-up, by
-- the periodic reconciliation, and when issue.lua reported a missing stock key.
-- The stock key is written last: while it is missing issue.lua refuses.
--
-- keys: 2
-- KEYS[1]  coupon:{id}:stock   string int: units left to issue
-- KEYS[2]  coupon:{id}:issued  set of user ids holding the coupon
-- ARGV[1]  units left (total - issued rows), >= 0
-- ARGV[2…] the user ids of the issued rows (any number, also none)
--
-- returns the number of holders written
redis.call('DEL', KEYS[1], KEYS[2])
local n = #ARGV - 1
local chunk = 1000
for i = 2, #ARGV, chunk do
  redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + chunk - 1, #ARGV)))
end
redis.call('SET', KEYS[1], ARGV[1])
return n
