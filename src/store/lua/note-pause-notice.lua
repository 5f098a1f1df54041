--[[
  Records beside the pause whether the user was told of it, while it lasts (a pause lifted
  meanwhile is not brought back by the note).

  KEYS[1] the pause (sendingPaused)

  ARGV[1] the field: notifiedAt or notifyError
  ARGV[2] its value

  Returns 1.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
