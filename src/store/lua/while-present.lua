--[[
  One of the small writes about a person that follow a send or a mail (a timeline entry, a ledger
  field, a script's Message-ID), made only while the person exists: a job still running when the
  person was erased must not write a part of them back.

  KEYS[1] the person
  KEYS[2] the key to write

  ARGV[1] the command: RPUSH, HSET, HSETNX or SET only
  ARGV[2..] its arguments

  Returns the command's answer, or -1 when the person is gone.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local command = ARGV[1]
if command ~= 'RPUSH' and command ~= 'HSET' and command ~= 'HSETNX' and command ~= 'SET' then return redis.error_reply('not allowed: ' .. command) end
return redis.call(command, KEYS[2], unpack(ARGV, 2))
