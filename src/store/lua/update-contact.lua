--[[
  Merges a patch of fields into a person without changing their status, and notes why.

  KEYS[1] the person
  KEYS[2] their timeline
  KEYS[3] byUpdate
  KEYS[4] version (the change sequence)
  KEYS[5] changes (the change index)

  ARGV[1] the patch (JSON)
  ARGV[2] now (ms)
  ARGV[3] the timeline entry (JSON)

  Returns 1, or 0 when there is no one.
]]
--- @include "bump"
local person, timeline, byUpdate, version, changes = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local raw = redis.call('GET', person)
if not raw then return 0 end
local contact = cjson.decode(raw)
local patch = cjson.decode(ARGV[1])
for field, value in pairs(patch) do contact[field] = value end
contact['updatedAt'] = tonumber(ARGV[2])
local id = contact['id']
redis.call('SET', person, cjson.encode(contact))
redis.call('RPUSH', timeline, ARGV[3])
redis.call('ZADD', byUpdate, ARGV[2], id)
bump(version, changes, id)
return 1
