-- Queue stream tick: everything one instance's ticker needs to refresh all of
-- its local subscribers' positions, in one command however many they are.
-- The line itself is read only when `ver` moved since the caller's last read.
-- keys: 3
-- KEYS[1] queue:{type:id}:waiting  zset token -> arrival score
-- KEYS[2] queue:{type:id}:ver      counter bumped whenever positions in the line change
-- KEYS[3] queue:{type:id}:meta     hash of the active queue's settings
-- ARGV[1] the ver the caller read last time
-- ARGV[2] the largest arrival score among the caller's subscribers
-- returns { ver, size, entryBatchSize, entryIntervalSeconds, changed, members }:
--   ver      current ver ('' when missing)
--   size     ZCARD of the line (totalWaiting)
--   entryBatchSize, entryIntervalSeconds  from meta ('' when missing)
--   changed  1 when ver differs from ARGV[1], else 0
--   members  when changed: the line's tokens with score <= ARGV[2], head first (the index + 1
--            of a token is its position); otherwise empty
local ver = redis.call('GET', KEYS[2]) or ''
local size = redis.call('ZCARD', KEYS[1])
local settings = redis.call('HMGET', KEYS[3], 'entryBatchSize', 'entryIntervalSeconds')
local changed = 0
local members = {}
if ver ~= ARGV[1] then
  changed = 1
  members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
end
return { ver, size, settings[1] or '', settings[2] or '', changed, members }
