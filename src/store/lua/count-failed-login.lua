--[[
  Counts one failed login. A failure more than the quiet time after the last one starts a new
  burst, with the whole budget again; the burst before is kept in the list when it was notable.
  Times are the caller's clock, compared here; key expiries only clear away what no longer matters.

  KEYS[1] blocked-until
  KEYS[2] the burst (hash: startedAt, lastAt, failures, slowed)
  KEYS[3] the burst's addresses (HyperLogLog)
  KEYS[4] past bursts (list of JSON)

  ARGV[1] now (ms)
  ARGV[2] the quiet time that ends a burst (ms)
  ARGV[3] the budget: failures before logins are slowed
  ARGV[4] the first delay (ms)
  ARGV[5] the longest delay (ms)
  ARGV[6] how many failures make a burst worth keeping
  ARGV[7] how long to keep it all (ms)
  ARGV[8] the client's address

  Returns {failures in the burst, addresses, delay (ms)}.
]]
local blockedUntil, burst, addresses, bursts = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = tonumber(ARGV[1])
local budget = tonumber(ARGV[3])
local old = redis.call('HMGET', burst, 'startedAt', 'lastAt', 'failures', 'slowed')
local n
if not old[2] or now - tonumber(old[2]) > tonumber(ARGV[2]) then
  if old[3] and tonumber(old[3]) >= tonumber(ARGV[6]) then
    redis.call('LPUSH', bursts, cjson.encode({startedAt = tonumber(old[1]), lastAt = tonumber(old[2]), failures = tonumber(old[3]), addresses = redis.call('PFCOUNT', addresses), slowed = old[4] == '1'}))
    redis.call('LTRIM', bursts, 0, 19)
    redis.call('PEXPIRE', bursts, ARGV[7])
  end
  redis.call('DEL', burst, addresses)
  redis.call('HSET', burst, 'startedAt', ARGV[1], 'slowed', '0')
  n = 1
else
  n = tonumber(old[3]) + 1
end
redis.call('HSET', burst, 'lastAt', ARGV[1], 'failures', n)
redis.call('PFADD', addresses, ARGV[8])
redis.call('PEXPIRE', burst, ARGV[7])
redis.call('PEXPIRE', addresses, ARGV[7])
local delay = 0
if n > budget then
  delay = math.floor(math.min(tonumber(ARGV[5]), tonumber(ARGV[4]) * math.pow(2, math.min(n - budget - 1, 40))))
  redis.call('SET', blockedUntil, string.format('%d', now + delay), 'PX', tonumber(ARGV[5]) + tonumber(ARGV[2]))
  redis.call('HSET', burst, 'slowed', '1')
end
return {n, redis.call('PFCOUNT', addresses), delay}
