--[[
  Gives the mailbox lease back, only if this process holds it.

  KEYS[1] the lease

  ARGV[1] this process (its owner id)

  Returns 1 when released, 0 when it was not ours.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
