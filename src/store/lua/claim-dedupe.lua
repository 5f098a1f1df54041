--[[
  Gives a person one more dedupe key (an address found after the request was recorded), unless an
  erased person's marker names it or it leads to someone else.

  KEYS[1] the dedupe key
  KEYS[2] its forgotten marker
  KEYS[3] dedupeOf (the person's dedupe keys)
  KEYS[4] the marker as older versions wrote it (unkeyed; replaced by the keyed one when met)

  ARGV[1] the person's id
  ARGV[2] the dedupe window (ms)

  Returns 'claimed', 'held' (theirs already), 'forgotten', or the other person's id.
]]
local dedupe, forgotten, dedupeOf, legacyForgotten = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('EXISTS', forgotten) == 1 then return 'forgotten' end
if redis.call('EXISTS', legacyForgotten) == 1 then
  redis.call('SET', forgotten, redis.call('GET', legacyForgotten))
  redis.call('DEL', legacyForgotten)
  return 'forgotten'
end
local owner = redis.call('GET', dedupe)
if owner == ARGV[1] then return 'held' end
if owner then return owner end
redis.call('SET', dedupe, ARGV[1], 'PX', ARGV[2])
redis.call('SADD', dedupeOf, dedupe)
redis.call('PEXPIRE', dedupeOf, ARGV[2])
return 'claimed'
