-- Coupon load: rebuilds a coupon's keys from MySQL (the truth) in one step, so
-- issue.lua never sees them half-written. Used when a coupon is created, at
-- start-up and by the periodic rebuild, when issue.lua found no keys, and at
-- once when MySQL refused a unit Redis handed out.
--
-- Pending admissions are merged, not dropped: an entry whose user has no row
-- and whose unit no row holds is an issuance between its script and its
-- commit (or a dead one the reconcile tick will release), so its unit stays
-- out of the free set. Entries that MySQL contradicts are dropped.
--
-- keys: 4
-- KEYS[1]  coupon:{id}:units    hash: total, next, epoch
-- KEYS[2]  coupon:{id}:free     set of unit numbers below next that were given back
-- KEYS[3]  coupon:{id}:issued   set of user ids: holders and pending admissions
-- KEYS[4]  coupon:{id}:pending  hash user id -> "<unit>:<admitted at, ms>"
-- ARGV[1]  total units of the coupon
-- ARGV[2]  a new epoch (no earlier load wrote it)
-- ARGV[3…] pairs: user id, unit number of each MySQL row (any number, also none)
--
-- returns {free units below next, holders, pending entries kept}
local total = tonumber(ARGV[1])
local taken, holders = {}, {}
local top = 0
for i = 3, #ARGV, 2 do
  local unit = tonumber(ARGV[i + 1])
  holders[ARGV[i]] = true
  taken[unit] = true
  if unit > top then top = unit end
end

local kept = {}
local entries = redis.call('HGETALL', KEYS[4])
for i = 1, #entries, 2 do
  local user, entry = entries[i], entries[i + 1]
  local unit = tonumber(string.match(entry, '^(%d+):') or '')
  if unit and unit >= 1 and unit <= total and not holders[user] and not taken[unit] then
    taken[unit] = true
    kept[#kept + 1] = user
    kept[#kept + 1] = entry
    if unit > top then top = unit end
  end
end
if top > total then top = total end

redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local chunk = 1000
local batch = {}
local free = 0
for unit = 1, top do
  if not taken[unit] then
    batch[#batch + 1] = unit
    free = free + 1
    if #batch == chunk then
      redis.call('SADD', KEYS[2], unpack(batch))
      batch = {}
    end
  end
end
if #batch > 0 then redis.call('SADD', KEYS[2], unpack(batch)) end

local users = {}
local holderCount = 0
for user in pairs(holders) do
  users[#users + 1] = user
  holderCount = holderCount + 1
  if #users == chunk then
    redis.call('SADD', KEYS[3], unpack(users))
    users = {}
  end
end
for i = 1, #kept, 2 do
  users[#users + 1] = kept[i]
  if #users == chunk then
    redis.call('SADD', KEYS[3], unpack(users))
    users = {}
  end
end
if #users > 0 then redis.call('SADD', KEYS[3], unpack(users)) end
for i = 1, #kept, chunk * 2 do
  redis.call('HSET', KEYS[4], unpack(kept, i, math.min(i + chunk * 2 - 1, #kept)))
end
-- Written last: while the hash is missing issue.lua refuses.
redis.call('HSET', KEYS[1], 'total', total, 'next', top + 1, 'epoch', ARGV[2])
return {free, holderCount, #kept / 2}
