--[[
  Compare-and-swap of a cluster's recovery block (anti-flapping), whose value is a JSON document
  with a `uid` field (the recovery that holds the block) and a `state` field ('running' until the
  recovery resolved, then 'resolved'). Every change of the block goes through this one script.

  KEYS[1]  the block key
  ARGV[1]  expected holder:
             ''   the key must be absent (an automatic registration)
             '~'  absent, or held by a RESOLVED recovery (a forced registration: orchestrator's
                  implicit acknowledgement; a running recovery's block is never replaced this way)
             '*'  anything, or nothing (the takeover of a recovery whose journal it continues)
             uid  held by that recovery (its resolve and release; a crashed recovery's takeover; an ack)
  ARGV[2]  new value; '' = delete the key
  ARGV[3]  ttl in milliseconds; '0' = keep the current ttl
  ARGV[4]  optional, with a uid in ARGV[1]: the state that holder must be in ('resolved' for an
           ack, which lifts only blocks of resolved recoveries); absent or '' = any state

  A value that is not a JSON object counts as held, in no state: only '*' replaces it (its TTL
  ends it otherwise), as nothing can tell whether the recovery behind it still runs.

  Returns  {1, previousValue}  swapped (set or deleted); previousValue absent when there was none
           {0, currentValue}   not swapped: held by someone else, or in another state
                               ({0} when a holder was expected and the key is absent)
]]
local current = redis.call('GET', KEYS[1])
local expected = ARGV[1]
local requiredState = ARGV[4] or ''

local function decoded()
  local ok, doc = pcall(cjson.decode, current)
  if ok and type(doc) == 'table' then return doc end
  return nil
end

if expected == '' then
  if current then return {0, current} end
elseif expected == '~' then
  if current then
    local doc = decoded()
    if not doc or doc['state'] ~= 'resolved' then return {0, current} end
  end
elseif expected ~= '*' then
  if not current then return {0} end
  local doc = decoded()
  if not doc or doc['uid'] ~= expected then return {0, current} end
  if requiredState ~= '' and doc['state'] ~= requiredState then return {0, current} end
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == '0' then
  if current then
    redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  else
    return {0}
  end
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
if current then return {1, current} end
return {1}
