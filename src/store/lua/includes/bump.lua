-- Every script that writes a person ends with this: the change sequence goes up by one and the
-- person's entry in the change index gets the new number, in the same atomic step as the write, so
-- a reader that has seen sequence n has seen every write up to n (src/contacts/directory.ts).
local function bump(version, changes, id)
  redis.call('ZADD', changes, redis.call('INCR', version), id)
end
