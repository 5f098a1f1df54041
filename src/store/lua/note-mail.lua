--[[
  Notes a mail on a person's timeline so that a run of the same kind collapses into one counted
  entry: reading only the last entry, never the whole timeline. The same Message-ID as the last
  entry is a job run again: nothing changes.

  KEYS[1] the person
  KEYS[2] their timeline
  KEYS[3] version (the change sequence)
  KEYS[4] changes (the change index)

  ARGV[1] the timeline entry (JSON)
  ARGV[2] its type
  ARGV[3] its Message-ID ('' for none)
  ARGV[4] now (ms)
  ARGV[5] '1' to count a repeated request on the person

  Returns 'added', 'counted', 'seen' (the same mail again) or 'missing'.
]]
--- @include "bump"
local person, timeline, version, changes = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local raw = redis.call('GET', person)
if not raw then return 'missing' end
local outcome = 'added'
local last = redis.call('LINDEX', timeline, -1)
local entry = last and cjson.decode(last)
if entry and ARGV[3] ~= '' and entry['messageId'] == ARGV[3] then return 'seen' end
if entry and entry['type'] == ARGV[2] then
  entry['repeats'] = (tonumber(entry['repeats']) or 1) + 1
  entry['lastAt'] = tonumber(ARGV[4])
  if ARGV[3] ~= '' then entry['messageId'] = ARGV[3] end
  redis.call('LSET', timeline, -1, cjson.encode(entry))
  outcome = 'counted'
else
  redis.call('RPUSH', timeline, ARGV[1])
end
if ARGV[5] == '1' then
  local contact = cjson.decode(raw)
  local id = contact['id']
  contact['repeats'] = (tonumber(contact['repeats']) or 0) + 1
  contact['lastRepeatAt'] = tonumber(ARGV[4])
  redis.call('SET', person, cjson.encode(contact))
  bump(version, changes, id)
end
return outcome
