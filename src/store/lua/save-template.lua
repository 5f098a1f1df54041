--[[
  Saves a template version under the next number.

  KEYS[1] the latest version number of one kind (src/script/store.ts)
  KEYS[2] the versions hash

  ARGV[1] the version (JSON)

  Returns the version's number.
]]
local n = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], n, ARGV[1])
return n
