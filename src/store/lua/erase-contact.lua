--[[
  Erases a person and every index entry that leads to them, in one step. The change sequence goes
  up, but the person's id leaves the change index rather than being recorded in it: nothing may
  name them afterwards. Readers of the index notice that someone is gone by the count of people
  (src/contacts/directory.ts).

  KEYS[1] the person
  KEYS[2] their timeline
  KEYS[3] byUpdate
  KEYS[4] version (the change sequence)
  KEYS[5] changes (the change index)
  then ARGV[2] status indexes (one per status), then ARGV[3] keys that are the person's own
  (deleted), then ARGV[4] index keys (deleted only while they still name this person: an address
  index may by now belong to someone else), then ARGV[5] forgotten markers to set

  ARGV[1] the person's id
  ARGV[2] the number of status indexes
  ARGV[3] the number of own keys
  ARGV[4] the number of index keys
  ARGV[5] the number of markers
  ARGV[6] now (ms), the markers' value
  and optionally a condition (the expiry sweep's, which must not erase someone who moved on
  meanwhile):
  ARGV[7] the status the person must still be in
  ARGV[8] its place among the status indexes (1-based)
  ARGV[9] the latest time they may have entered it (ms)

  Returns 1, or 0 when there is no one (or the condition no longer holds).
]]
local person, timeline, byUpdate, version, changes = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id = ARGV[1]
local statusCount, ownCount, indexCount, markerCount = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local firstStatus = 6
local firstOwn = firstStatus + statusCount
local firstIndex = firstOwn + ownCount
local firstMarker = firstIndex + indexCount
local raw = redis.call('GET', person)
if not raw then return 0 end
if ARGV[7] then
  if cjson.decode(raw)['status'] ~= ARGV[7] then return 0 end
  local since = redis.call('ZSCORE', KEYS[firstStatus + tonumber(ARGV[8]) - 1], id)
  if not since or tonumber(since) > tonumber(ARGV[9]) then return 0 end
end
redis.call('DEL', person, timeline)
redis.call('ZREM', byUpdate, id)
for i = 0, statusCount - 1 do redis.call('ZREM', KEYS[firstStatus + i], id) end
for i = 0, ownCount - 1 do redis.call('DEL', KEYS[firstOwn + i]) end
for i = 0, indexCount - 1 do
  local key = KEYS[firstIndex + i]
  if redis.call('GET', key) == id then redis.call('DEL', key) end
end
for i = 0, markerCount - 1 do redis.call('SET', KEYS[firstMarker + i], ARGV[6]) end
redis.call('INCR', version)
redis.call('ZREM', changes, id)
return 1
