--[[
  Moves a person to a new status if their current status allows it, merging a patch of fields.
  Every key the script touches is declared, as Redis Cluster asks: one status index per status.

  KEYS[1] the person
  KEYS[2] their timeline
  KEYS[3] byUpdate
  KEYS[4] version (the change sequence)
  KEYS[5] changes (the change index)
  KEYS[6] the address index of the address the patch sets
  KEYS[7] the address index of the address it replaces
  then one status index per status, in ARGV[6]'s order

  ARGV[1] the statuses the person may move from (JSON list)
  ARGV[2] the patch (JSON)
  ARGV[3] the new status
  ARGV[4] now (ms)
  ARGV[5] the timeline entry (JSON)
  ARGV[6] every status (JSON list), in the order of the status keys
  ARGV[7] '1' when the patch sets an address
  ARGV[8] the lower-cased address it is expected to replace

  Returns {1, from} when moved, else {0, current status} ({0, 'missing'} when there is no one).
]]
--- @include "bump"
local person, timeline, byUpdate, version, changes, newAddress, oldAddress = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local raw = redis.call('GET', person)
if not raw then return {0, 'missing'} end
local contact = cjson.decode(raw)
local allowed = cjson.decode(ARGV[1])
local from = contact['status']
local ok = false
for _, status in ipairs(allowed) do
  if status == from then ok = true end
end
if not ok then return {0, from} end
local previousEmail = contact['email']
local patch = cjson.decode(ARGV[2])
for field, value in pairs(patch) do contact[field] = value end
contact['status'] = ARGV[3]
contact['updatedAt'] = tonumber(ARGV[4])
local indexOf = {}
for i, status in ipairs(cjson.decode(ARGV[6])) do indexOf[status] = KEYS[7 + i] end
local id = contact['id']
redis.call('SET', person, cjson.encode(contact))
redis.call('RPUSH', timeline, ARGV[5])
redis.call('ZADD', byUpdate, ARGV[4], id)
redis.call('ZREM', indexOf[from], id)
redis.call('ZADD', indexOf[ARGV[3]], ARGV[4], id)
-- The address index moves with the address, in this same step: an answer from the new address
-- finds the person, and the old address no longer does (unless it now belongs to someone else).
if ARGV[7] == '1' then
  local old = previousEmail
  if type(old) == 'string' and string.lower(old) == ARGV[8] and string.lower(old) ~= string.lower(contact['email']) and redis.call('GET', oldAddress) == id then
    redis.call('DEL', oldAddress)
  end
  redis.call('SET', newAddress, id)
end
bump(version, changes, id)
return {1, from}
