-- Argo CD health of a castellan.io SecurityPolicy, from its kstatus-style status: the Ready
-- condition at the current generation. Argo CD runs it with the object as the global `obj`.
--   Progressing  castellan-manager has not reported on this generation yet, or is waiting for
--                the webhook configurations to serve it (Ready=False, reason WebhookPending)
--   Degraded     Ready=False for any other reason (an invalid spec: the message names the field)
--   Healthy      Ready=True at the current generation
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

local generation = obj.metadata and obj.metadata.generation or nil
local status = obj.status
if status == nil then
  return progressing("Waiting for castellan-manager to report status")
end
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return progressing("Waiting for castellan-manager to observe generation " .. tostring(generation))
end
local ready = condition(status, "Ready")
if ready == nil then
  return progressing("Waiting for the Ready condition")
end
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  return progressing("Waiting for the Ready condition of generation " .. tostring(generation))
end
local message = ready.message or ""
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = message
  local sensors = condition(status, "SensorsSynced")
  if sensors ~= nil and sensors.status == "False" and sensors.message ~= nil then
    hs.message = message .. "; " .. sensors.message
  end
  return hs
end
if ready.status == "False" and ready.reason ~= "WebhookPending" then
  hs.status = "Degraded"
  hs.message = (ready.reason or "NotReady") .. ": " .. message
  return hs
end
return progressing(message ~= "" and message or "Waiting for the policy to be Ready")
