--[[
  Keeps a mailbox's renewed tokens, only while the refresh that got them still holds the lock and
  the mailbox still exists: a refresh that outlived its lock must not overwrite a newer refresh
  token, and one that ends after the mailbox was removed must not write it back.

  KEYS[1] the mailbox's record (hash)
  KEYS[2] the refresh lock

  ARGV[1] the lock's value of this refresh
  ARGV[2..] field, value, field, value… to set

  Returns 1 when kept, 0 when the lock is no longer this refresh's, -1 when the mailbox is gone.
]]
if redis.call('HEXISTS', KEYS[1], 'imapHost') == 0 then return -1 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
