-- Argo CD health of a castellan.io NodeSensor (written by castellan-sensor on its node), from
-- its kstatus-style status: the Ready and RulesetLoaded conditions at the current generation.
-- Argo CD runs it with the object as the global `obj`.
--   Progressing  no report yet, or the ruleset ConfigMap is not published yet
--   Degraded     Ready=False (the sensor stopped reporting: HeartbeatMissed), or
--                RulesetLoaded=False because the newest ruleset failed to load (LoadFailed)
--   Healthy      Ready=True, and the newest ruleset loaded
local hs = {}

local function condition(status, type)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function progressing(message)
  hs.status = "Progressing"
  hs.message = message
  return hs
end

local function degraded(c)
  hs.status = "Degraded"
  hs.message = (c.reason or c.type) .. ": " .. (c.message or "")
  return hs
end

local generation = obj.metadata and obj.metadata.generation or nil
local status = obj.status
if status == nil then
  return progressing("Waiting for the sensor's first report")
end
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration < generation then
  return progressing("Waiting for the sensor to observe generation " .. tostring(generation))
end
local ready = condition(status, "Ready")
if ready == nil then
  return progressing("Waiting for the Ready condition")
end
if ready.status == "False" then
  return degraded(ready)
end
if ready.status ~= "True" then
  return progressing(ready.message or "Waiting for the sensor to be Ready")
end
local loaded = condition(status, "RulesetLoaded")
if loaded ~= nil and loaded.status == "False" then
  if loaded.reason == "NotFound" then
    return progressing(loaded.message or "Waiting for the runtime ruleset")
  end
  return degraded(loaded)
end
hs.status = "Healthy"
hs.message = ready.message or ""
return hs
