-- unpurchase.lua: the compensating twin of purchase.lua, when the purchase transaction
--   of an admission failed. Drops the admission's record and uncounts its units from the
--   user; the units go back to the free set unless MySQL found the deal sold out for this
--   request (then other purchases hold them, and the rebuild that follows a refusal puts
--   back any that are free).
--
-- keys: 3
--   KEYS[1]  timedeal:{dealId}:{productId}:free    set of free unit numbers
--   KEYS[2]  timedeal:{dealId}:{productId}:bought  hash userId → units counted to the user
--   KEYS[3]  timedeal:{dealId}:{productId}:adm     hash userId → JSON list of admissions in flight
-- ARGV
--   ARGV[1]  userId
--   ARGV[2]  admission id
--   ARGV[3]  1 = give the units back to the free set, 0 = don't
-- returns
--   n ≥ 1  applied: the admission's n units are uncounted (and back, if asked)
--   0      no such record: a rebuild, the reconcile or a retry of the same user already
--          released it, and with it these units; doing it again would count them twice

local raw = redis.call('HGET', KEYS[3], ARGV[1])
if not raw then
  return 0
end
local pending = cjson.decode(raw)
for i = 1, #pending do
  local a = pending[i]
  if a.id == ARGV[2] then
    table.remove(pending, i)
    if #pending > 0 then redis.call('HSET', KEYS[3], ARGV[1], cjson.encode(pending)) else redis.call('HDEL', KEYS[3], ARGV[1]) end
    if ARGV[3] == '1' then
      for j = 1, #a.u, 1000 do
        redis.call('SADD', KEYS[1], unpack(a.u, j, math.min(j + 999, #a.u)))
      end
    end
    if redis.call('HINCRBY', KEYS[2], ARGV[1], -#a.u) <= 0 then
      redis.call('HDEL', KEYS[2], ARGV[1])
    end
    return #a.u
  end
end
return 0
