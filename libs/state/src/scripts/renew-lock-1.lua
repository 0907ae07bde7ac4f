--[[
  Extend a lock only if the caller still holds it.

  KEYS[1]  lock key
  ARGV[1]  the exact value written at acquisition ("<token>|<owner>")
  ARGV[2]  new ttl in milliseconds

  Returns  1  renewed
           0  not the holder (expired, released, or taken by someone else)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
