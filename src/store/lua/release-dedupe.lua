--[[
  Gives a dedupe key back while it still leads to this person.

  KEYS[1] the dedupe key
  KEYS[2] dedupeOf (the person's dedupe keys)

  ARGV[1] the person's id

  Returns 1.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
