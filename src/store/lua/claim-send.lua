--[[
  Claims one person's send (a script or its reminder) for one run.

  KEYS[1] the send ledger
  KEYS[2] the person

  ARGV[1] the run that claims (its BullMQ lock token)
  ARGV[2] the Message-ID to use when none is recorded yet
  ARGV[3] now (ms)
  ARGV[4] how long another run's claim stays valid (ms)

  Returns {outcome, Message-ID}: 'sent' (went out already), 'busy' (another run's claim is still
  young), 'claimed', or {'missing', ''} when the person was erased meanwhile.
]]
local ledger, person = KEYS[1], KEYS[2]
local owner, newId, now, claimMs = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local l = redis.call('HMGET', ledger, 'state', 'owner', 'startedAt', 'messageId')
if l[1] == 'sent' then return {'sent', l[4]} end
if redis.call('EXISTS', person) == 0 then return {'missing', ''} end
if l[1] == 'sending' and l[2] ~= owner and tonumber(l[3]) and now - tonumber(l[3]) < claimMs then
  return {'busy', l[4] or ''}
end
local id = l[4] or newId
redis.call('HSET', ledger, 'state', 'sending', 'owner', owner, 'startedAt', ARGV[3], 'messageId', id)
return {'claimed', id}
