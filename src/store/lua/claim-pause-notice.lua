--[[
  Claims the one mail to the user that tells of a pause of sending (the circuit breaker).

  KEYS[1] the pause (sendingPaused)

  Returns 1 for the one run that is to tell the user, 0 for every other (and when no pause holds).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'noticeClaimed', '1')
