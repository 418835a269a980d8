-- settle.lua: the purchase transaction of an admission committed. Drops the admission's
--   record (its units stay taken, its units stay counted to the user) and takes out of
--   the free set any other units MySQL gave the purchase instead of refused ones.
--
-- keys: 2
--   KEYS[1]  timedeal:{dealId}:{productId}:free    set of free unit numbers
--   KEYS[2]  timedeal:{dealId}:{productId}:adm     hash userId → JSON list of admissions in flight
-- ARGV
--   ARGV[1]     userId
--   ARGV[2]     admission id
--   ARGV[3]…    units the purchase holds that were not the admission's (may be none)
-- returns
--   1  the record was there and is gone
--   0  no such record (a rebuild or a retry of the same user already dropped it)

for i = 3, #ARGV, 1000 do
  redis.call('SREM', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then
  return 0
end
local pending = cjson.decode(raw)
for i = 1, #pending do
  if pending[i].id == ARGV[2] then
    table.remove(pending, i)
    if #pending > 0 then redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(pending)) else redis.call('HDEL', KEYS[2], ARGV[1]) end
    return 1
  end
end
return 0
