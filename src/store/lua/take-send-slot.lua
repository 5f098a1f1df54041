--[[
  Counts one script (or reminder) against every volume limit at once, atomically across processes:
  the day's cap, the recipient domain's hourly cap and the circuit breaker. One counted already
  fits again, so a run that repeats counts once. The breaker trips on the script that would be one
  more than its limit in an hour: that run alone gets 'tripped' (and tells the user); every run
  after it gets 'paused' until the user resumes.

  KEYS[1] the day's set (sentOn)
  KEYS[2] the recipient domain's window (sentToDomain)
  KEYS[3] the hour's window (sentLastHour)
  KEYS[4] the pause (sendingPaused)

  ARGV[1] the script ('<person>:<number>', or with ':reminder')
  ARGV[2] the daily cap ('' for none)
  ARGV[3] the domain's hourly cap ('' for none)
  ARGV[4] the breaker's hourly limit ('' for none)
  ARGV[5] now (ms)
  ARGV[6] an hour (ms)
  ARGV[7] how long to keep a day's set (ms)

  Returns {outcome, detail}: outcome 'ok', 'paused', 'daily', 'domain' or 'tripped'; for 'domain',
  detail is when the domain's oldest script leaves its window.
]]
local day, domain, hourWindow, pause = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local script, now, hour = ARGV[1], tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('SISMEMBER', day, script) == 1 or redis.call('ZSCORE', hourWindow, script) then return {'ok', ''} end
if redis.call('EXISTS', pause) == 1 then return {'paused', ''} end
redis.call('ZREMRANGEBYSCORE', domain, '-inf', now - hour)
redis.call('ZREMRANGEBYSCORE', hourWindow, '-inf', now - hour)
if ARGV[2] ~= '' and redis.call('SCARD', day) >= tonumber(ARGV[2]) then return {'daily', ''} end
if ARGV[3] ~= '' and redis.call('ZCARD', domain) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', domain, 0, 0, 'WITHSCORES')
  return {'domain', tostring(tonumber(oldest[2]) + hour)}
end
if ARGV[4] ~= '' and redis.call('ZCARD', hourWindow) >= tonumber(ARGV[4]) then
  redis.call('HSET', pause, 'trippedAt', ARGV[5], 'limit', ARGV[4])
  return {'tripped', ''}
end
if ARGV[2] ~= '' then
  redis.call('SADD', day, script)
  redis.call('PEXPIRE', day, ARGV[7])
end
redis.call('ZADD', domain, now, script)
redis.call('PEXPIRE', domain, hour)
redis.call('ZADD', hourWindow, now, script)
redis.call('PEXPIRE', hourWindow, hour)
return {'ok', ''}
