-- Queue stream open: what a new stream of a token shows first, and the notice
-- that closes the token's older streams on other instances. The notice carries
-- the moment of this open on Redis' clock (one clock per queue: its keys share
-- one node), so a notice that reaches an instance late never closes a stream
-- opened after it.
-- keys: 2
-- KEYS[1] queue:{type:id}:waiting  zset token -> arrival score
-- KEYS[2] queue:{type:id}:meta     hash of the active queue's settings
-- ARGV[1] the token
-- ARGV[2] the queue's pub/sub channel (prefixed; a channel is not a key)
-- ARGV[3] the opening instance's id
-- returns { rank, size, entryBatchSize, entryIntervalSeconds, opened }:
--   rank     the token's 0-based rank in the line, or -1 when it is not in it
--   size     ZCARD of the line
--   entryBatchSize, entryIntervalSeconds  from meta ('' when missing)
--   opened   Redis TIME in microseconds, as a string (the notice's `opened`)
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
local size = redis.call('ZCARD', KEYS[1])
local settings = redis.call('HMGET', KEYS[2], 'entryBatchSize', 'entryIntervalSeconds')
local t = redis.call('TIME')
local opened = t[1] .. string.format('%06d', tonumber(t[2]))
redis.call('PUBLISH', ARGV[2], cjson.encode({ replace = ARGV[1], by = ARGV[3], opened = opened }))
return { rank or -1, size, settings[1] or '', settings[2] or '', opened }
