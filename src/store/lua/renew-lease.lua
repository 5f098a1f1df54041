--[[
  Renews the mailbox lease only if this process still holds it.

  KEYS[1] the lease

  ARGV[1] this process (its owner id)
  ARGV[2] how long the lease lasts (ms)

  Returns 1 when renewed, 0 when another process holds it (or no one does).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
