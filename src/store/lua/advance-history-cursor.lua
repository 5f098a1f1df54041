--[[
  Moves a mailbox-history folder's cursor forward only: a slow batch can never move it back.

  KEYS[1] history:cursor:<folder>

  ARGV[1] the folder's path
  ARGV[2] its UIDVALIDITY
  ARGV[3] the last UID read

  Returns 1 when moved, 0 when the cursor was there already or further.
]]
local current = redis.call('HMGET', KEYS[1], 'path', 'uidValidity', 'lastUid')
if current[1] == ARGV[1] and current[2] == ARGV[2] and tonumber(current[3]) and tonumber(current[3]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'path', ARGV[1], 'uidValidity', ARGV[2], 'lastUid', ARGV[3])
return 1
