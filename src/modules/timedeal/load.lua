-- load.lua: (re)writes one deal product's keys from MySQL, the truth. Run while the
--   deal row is locked FOR UPDATE, so no purchase transaction is open and MySQL's free
--   units and per-user counts are exact. Admissions still in flight are kept:
--   - one older than the grace period is released (its request died or is hopelessly
--     late; if it commits after all, MySQL still holds every cap);
--   - one whose units MySQL holds for purchases already is done (settle.lua didn't run
--     yet, or never will); it is dropped and counted through MySQL's numbers;
--   - any other stays: its units are kept out of the free set and counted to its user.
--
-- keys: 4
--   KEYS[1]  timedeal:{dealId}:{productId}:free    replaced: MySQL's free units minus those in flight
--   KEYS[2]  timedeal:{dealId}:{productId}:bought  replaced: MySQL's counts plus those in flight
--   KEYS[3]  timedeal:{dealId}:{productId}:adm     admissions in flight, pruned as above
--   KEYS[4]  timedeal:{dealId}:{productId}:epoch   set to ARGV[2]
-- ARGV
--   ARGV[1]        grace period in ms
--   ARGV[2]        new epoch (unique per load)
--   ARGV[3]        n = how many free units follow
--   ARGV[4…3+n]    MySQL's free unit numbers
--   then           userId, units held in MySQL, repeated
-- returns {released, kept}: admissions released for age, admissions kept in flight

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cutoff = now - tonumber(ARGV[1])
local n = tonumber(ARGV[3])

local free = {}
for i = 4, 3 + n do free[ARGV[i]] = true end
local bought = {}
for i = 4 + n, #ARGV, 2 do bought[ARGV[i]] = tonumber(ARGV[i + 1]) end

local released, kept = 0, 0
local adm = redis.call('HGETALL', KEYS[3])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
for i = 1, #adm, 2 do
  local user = adm[i]
  local still = {}
  for _, a in ipairs(cjson.decode(adm[i + 1])) do
    local open = false
    for _, u in ipairs(a.u) do
      if free[tostring(u)] then open = true end
    end
    if a.at < cutoff then
      released = released + 1
    elseif open then
      kept = kept + 1
      still[#still + 1] = a
      for _, u in ipairs(a.u) do free[tostring(u)] = nil end
      bought[user] = (bought[user] or 0) + #a.u
    end
  end
  if #still > 0 then redis.call('HSET', KEYS[3], user, cjson.encode(still)) end
end

local batch = {}
for u in pairs(free) do
  batch[#batch + 1] = u
  if #batch == 1000 then
    redis.call('SADD', KEYS[1], unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('SADD', KEYS[1], unpack(batch)) end
for user, units in pairs(bought) do
  if units > 0 then redis.call('HSET', KEYS[2], user, units) end
end
redis.call('SET', KEYS[4], ARGV[2])
return {released, kept}
