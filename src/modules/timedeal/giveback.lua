-- giveback.lua: a deal order was cancelled or expired unpaid while the deal runs; its
--   purchase is RETURNED in MySQL and its units freed there. Puts the units back on sale
--   and uncounts them from the buyer — only if the keys are still those of the load seen
--   inside that transaction: a later load read MySQL after the return and counted it.
--
-- keys: 3
--   KEYS[1]  timedeal:{dealId}:{productId}:free    set of free unit numbers
--   KEYS[2]  timedeal:{dealId}:{productId}:bought  hash userId → units counted to the user
--   KEYS[3]  timedeal:{dealId}:{productId}:epoch   string: id of the load that wrote these keys
-- ARGV
--   ARGV[1]   userId
--   ARGV[2]   epoch read in the returning transaction
--   ARGV[3]…  the unit numbers freed
-- returns
--   1  applied
--   0  not applied: the keys are gone or were loaded again since

if redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return 0
end
for i = 3, #ARGV, 1000 do
  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
if redis.call('HINCRBY', KEYS[2], ARGV[1], -(#ARGV - 2)) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1
