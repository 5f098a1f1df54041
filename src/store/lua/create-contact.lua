--[[
  Creates a person unless one of their dedupe keys is taken or was forgotten (an erased person's).
  Everything in one step: a crash cannot leave a person without their indexes.

  KEYS[1] the person
  KEYS[2] their timeline
  KEYS[3] byUpdate
  KEYS[4] the index of their status
  KEYS[5] the address index of their address
  KEYS[6] version (the change sequence)
  KEYS[7] changes (the change index)
  KEYS[8] dedupeOf (the dedupe keys they were created with)
  then n dedupe keys, then their forgotten markers in the same order, then those markers as older
  versions wrote them (unkeyed; one met is replaced by the keyed marker)

  ARGV[1] n, the number of dedupe keys
  ARGV[2] the person's id
  ARGV[3] the person (JSON)
  ARGV[4] the timeline entry (JSON)
  ARGV[5] now (ms)
  ARGV[6] the dedupe window (ms)
  ARGV[7] '1' to file the person under their address

  Returns {1, id} when created, {0, existing id} when a dedupe key leads to someone, and
  {0, '', 'forgotten'} for a forgotten one.
]]
--- @include "bump"
local person, timeline, byUpdate, byStatus, addressIndex, version, changes, dedupeOf = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local n = tonumber(ARGV[1])
local function dedupe(i) return KEYS[8 + i] end
local function forgotten(i) return KEYS[8 + n + i] end
local function legacyForgotten(i) return KEYS[8 + 2 * n + i] end

for i = 1, n do
  if redis.call('EXISTS', forgotten(i)) == 1 then return {0, '', 'forgotten'} end
  if redis.call('EXISTS', legacyForgotten(i)) == 1 then
    redis.call('SET', forgotten(i), redis.call('GET', legacyForgotten(i)))
    redis.call('DEL', legacyForgotten(i))
    return {0, '', 'forgotten'}
  end
end
for i = 1, n do
  local existing = redis.call('GET', dedupe(i))
  if existing then return {0, existing} end
end
local id = ARGV[2]
if redis.call('EXISTS', person) == 1 then return {0, id} end
for i = 1, n do
  redis.call('SET', dedupe(i), id, 'PX', ARGV[6])
  redis.call('SADD', dedupeOf, dedupe(i))
end
if n > 0 then redis.call('PEXPIRE', dedupeOf, ARGV[6]) end
redis.call('SET', person, ARGV[3])
redis.call('RPUSH', timeline, ARGV[4])
redis.call('ZADD', byUpdate, ARGV[5], id)
redis.call('ZADD', byStatus, ARGV[5], id)
-- The address index keeps the person it names: a later request with the same address (a new
-- invitation after the dedupe window, perhaps forged) must not take over where answers by address go.
if ARGV[7] == '1' then redis.call('SET', addressIndex, id, 'NX') end
bump(version, changes, id)
return {1, id}
