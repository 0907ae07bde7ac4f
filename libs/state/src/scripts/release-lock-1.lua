--[[
  Release a lock only if the caller still holds it.

  KEYS[1]  lock key
  ARGV[1]  the exact value written at acquisition ("<token>|<owner>")

  Returns  1  released
           0  not the holder (nothing deleted)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
