--[[
  Take a lock over from a holder known to be gone: the backend's recovery epoch has already
  decided (a takeover of a recovery whose holder stopped renewing), so whatever is in the lock
  now belongs to a dead or superseded process. A live former holder finds its next renewal
  refused and stops.

  KEYS[1]  lock key            (value "<token>|<owner>", expires after ARGV[2] ms)
  KEYS[2]  token counter key   (INCR: tokens only grow)
  ARGV[1]  owner id
  ARGV[2]  ttl in milliseconds

  Returns  {1, token}
]]
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. '|' .. ARGV[1], 'PX', ARGV[2])
return {1, token}
