--[[
  Acquire a lock with a fencing token.

  KEYS[1]  lock key            (value "<token>|<owner>", expires after ARGV[2] ms)
  KEYS[2]  token counter key   (INCR only on success, never expires: tokens only grow)
  ARGV[1]  owner id
  ARGV[2]  ttl in milliseconds

  Returns  {1, token}              acquired
           {0, holderValue, pttl}  held by someone else (pttl in ms)
]]
local held = redis.call('GET', KEYS[1])
if held then
  return {0, held, redis.call('PTTL', KEYS[1])}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. '|' .. ARGV[1], 'PX', ARGV[2])
return {1, token}
