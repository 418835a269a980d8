-- Queue enter: puts a fresh entry at its place in the waiting line and
-- remembers which token is the user's, in one step.
-- keys: 3
-- KEYS[1] queue:{type:id}:waiting  zset token -> arrival score (the entry's row id: FIFO by insert order)
-- KEYS[2] queue:{type:id}:users    hash userId -> the user's newest token (gating's lookup)
-- KEYS[3] queue:{type:id}:ver      counter bumped whenever someone's position in the line changes
-- ARGV[1] arrival score (entry id)
-- ARGV[2] entry token
-- ARGV[3] user id
-- returns { rank, size }: the token's 0-based rank in the line and the line's length (ZCARD).
-- A token already in the line keeps its score (ZADD NX). Someone landing mid-line
-- (a lower id committed late) moves those behind: ver is bumped then.
redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
local rank = redis.call('ZRANK', KEYS[1], ARGV[2])
local size = redis.call('ZCARD', KEYS[1])
if rank < size - 1 then
  redis.call('INCR', KEYS[3])
end
return { rank, size }
