--[[
  Moves the watcher's cursor forward only: a slow batch can never move it back.

  KEYS[1] the cursor (hash: uidValidity, lastUid)

  ARGV[1] the folder's UIDVALIDITY
  ARGV[2] the last UID whose job is safe

  Returns 1 when moved, 0 when the cursor was there already or further.
]]
local current = redis.call('HMGET', KEYS[1], 'uidValidity', 'lastUid')
if current[1] == ARGV[1] and current[2] and tonumber(current[2]) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'uidValidity', ARGV[1], 'lastUid', ARGV[2])
return 1
