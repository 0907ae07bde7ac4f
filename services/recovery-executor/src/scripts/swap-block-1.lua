--[[
  Compare-and-swap of a cluster's recovery block (anti-flapping), whose value is a JSON document
  with a `uid` field (the recovery that holds the block).

  KEYS[1]  the block key
  ARGV[1]  expected holder: '' = the key must be absent; '*' = any holder (forced); else that uid
  ARGV[2]  new value; '' = delete the key
  ARGV[3]  ttl in milliseconds; '0' = keep the current ttl

  Returns  {1, previousValue}  swapped (set or deleted); previousValue absent when there was none
           {0, currentValue}   not swapped: held by someone else ({0} when a holder was expected and the key is absent)
]]
local current = redis.call('GET', KEYS[1])
local expected = ARGV[1]
if expected == '' then
  if current then return {0, current} end
elseif expected ~= '*' then
  if not current then return {0} end
  local ok, doc = pcall(cjson.decode, current)
  if not ok or type(doc) ~= 'table' or doc['uid'] ~= expected then return {0, current} end
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
