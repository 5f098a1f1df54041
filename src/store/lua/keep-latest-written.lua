--[[
  Keeps, per address, the date of the latest mail the user sent to it (mailbox history).

  KEYS[1] history:written (address → date)

  ARGV[1], ARGV[2], ... address, date, address, date, ...

  Returns 1.
]]
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '')
  local given = tonumber(ARGV[i + 1])
  if current == nil or (given ~= nil and given > current) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 1
