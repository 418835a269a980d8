-- state.lua: what the reconcile needs to decide whether a deal product's keys must be
--   rebuilt from MySQL, read in one step.
--
-- keys: 3
--   KEYS[1]  timedeal:{dealId}:{productId}:free    set of free unit numbers
--   KEYS[2]  timedeal:{dealId}:{productId}:adm     hash userId → JSON list of admissions in flight
--   KEYS[3]  timedeal:{dealId}:{productId}:epoch   string: id of the load that wrote these keys
-- ARGV
--   ARGV[1]  grace period in ms
-- returns {loaded, free, inFlight, expired}
--   loaded    1 when the epoch key exists, else 0 (and the rest 0)
--   free      members of the free set
--   inFlight  units held by admissions in flight
--   expired   admissions older than the grace period

if redis.call('EXISTS', KEYS[3]) == 0 then
  return {0, 0, 0, 0}
end
local t = redis.call('TIME')
local cutoff = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[1])
local inFlight, expired = 0, 0
local adm = redis.call('HVALS', KEYS[2])
for i = 1, #adm do
  for _, a in ipairs(cjson.decode(adm[i])) do
    inFlight = inFlight + #a.u
    if a.at < cutoff then expired = expired + 1 end
  end
end
return {1, redis.call('SCARD', KEYS[1]), inFlight, expired}
