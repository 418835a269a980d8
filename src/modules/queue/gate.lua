-- Queue gate: may this user buy now? The purchase path's one Redis round trip.
-- keys: 4
-- KEYS[1] queue:{type:id}:meta     hash of the active queue's settings (no `id` field = no active queue)
-- KEYS[2] queue:{type:id}:users    hash userId -> the user's newest token
-- KEYS[3] queue:{type:id}:waiting  zset token -> arrival score
-- KEYS[4] queue:{type:id}:entered  zset token -> expiry (ms)
-- ARGV[1] user id
-- ARGV[2] now (ms since the epoch)
-- returns 0 = no active queue (pass)
--         1 = admitted and not expired (pass)
--         2 = still waiting in the line (S805)
--         3 = no live entry: never entered, left, expired or consumed (S806)
if not redis.call('HGET', KEYS[1], 'id') then
  return 0
end
local token = redis.call('HGET', KEYS[2], ARGV[1])
if not token then
  return 3
end
local expiry = redis.call('ZSCORE', KEYS[4], token)
if expiry and tonumber(expiry) > tonumber(ARGV[2]) then
  return 1
end
if redis.call('ZSCORE', KEYS[3], token) then
  return 2
end
return 3
