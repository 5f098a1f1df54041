--[[
  The template version in force, with its text only when the caller does not have it compiled already.

  KEYS[1] the latest version number
  KEYS[2] the versions hash

  ARGV[1] the newest version the caller has compiled ('' if none)

  Returns {} when none is saved, {n} when the caller has n, else {n, its JSON}.
]]
local n = redis.call('GET', KEYS[1])
if not n then return {} end
if n == ARGV[1] then return {n} end
return {n, redis.call('HGET', KEYS[2], n)}
