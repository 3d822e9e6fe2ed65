-- Runs the Argo CD health checks of config/gitops/argocd on example objects, as Argo CD runs
-- them (Lua 5.1, the object as the global `obj`), and checks each status and message.
-- Usage: lua5.1 health_test.lua DIR   (DIR: config/gitops/argocd). Exit 0 when all pass.
local dir = arg[1] or "."

local function run(script, object)
  local chunk, err = loadfile(dir .. "/" .. script)
  if chunk == nil then
    error(err)
  end
  obj = object
  local ok, hs = pcall(chunk)
  obj = nil
  if not ok then
    return { status = "error", message = tostring(hs) }
  end
  return hs
end

local function cond(type, status, reason, message, generation)
  return { type = type, status = status, reason = reason, message = message,
           lastTransitionTime = "2026-01-01T00:00:00Z", observedGeneration = generation }
end

local function policy(generation, status)
  return { apiVersion = "castellan.io/v1alpha1", kind = "SecurityPolicy",
           metadata = { name = "restricted-prod", generation = generation }, status = status }
end

local function sensor(status)
  return { apiVersion = "castellan.io/v1alpha1", kind = "NodeSensor",
           metadata = { name = "node-1", generation = 1 }, status = status }
end

local cases = {
  { "SecurityPolicy without status", "securitypolicy_health.lua", policy(1, nil),
    "Progressing", "report status" },
  { "SecurityPolicy whose new generation is not observed yet", "securitypolicy_health.lua",
    policy(3, { observedGeneration = 2,
                conditions = { cond("Ready", "True", "Enforcing", "The policy is active in Enforce mode", 2) } }),
    "Progressing", "generation 3" },
  { "SecurityPolicy with no Ready condition yet", "securitypolicy_health.lua",
    policy(1, { observedGeneration = 1, conditions = {} }),
    "Progressing", "Ready condition" },
  { "SecurityPolicy whose Ready condition is of an older generation", "securitypolicy_health.lua",
    policy(2, { observedGeneration = 2,
                conditions = { cond("Ready", "True", "Enforcing", "active", 1) } }),
    "Progressing", "generation 2" },
  { "SecurityPolicy waiting for the webhook configurations", "securitypolicy_health.lua",
    policy(2, { observedGeneration = 2,
                conditions = { cond("Ready", "False", "WebhookPending", "Waiting for the webhook configurations", 2) } }),
    "Progressing", "Waiting for the webhook configurations" },
  { "SecurityPolicy with an invalid spec", "securitypolicy_health.lua",
    policy(4, { observedGeneration = 4,
                conditions = {
                  cond("WebhookConfigured", "False", "InvalidSpec", "The spec is invalid", 4),
                  cond("Ready", "False", "InvalidSpec", "spec.mode: must be Enforce, Audit or Warn", 4),
                  cond("Degraded", "True", "InvalidSpec", "Generation 4 is invalid; generation 3 is still enforced", 4) } }),
    "Degraded", "InvalidSpec: spec.mode: must be Enforce, Audit or Warn" },
  { "SecurityPolicy Ready at its generation", "securitypolicy_health.lua",
    policy(5, { observedGeneration = 5,
                conditions = { cond("Ready", "True", "Enforcing", "The policy is active in Enforce mode", 5),
                               cond("SensorsSynced", "True", "NotNeeded", "The policy has no runtime rules", 5) } }),
    "Healthy", "The policy is active in Enforce mode" },
  { "SecurityPolicy Ready with a sensor behind", "securitypolicy_health.lua",
    policy(5, { observedGeneration = 5,
                conditions = { cond("Ready", "True", "Enforcing", "The policy is active in Audit mode", 5),
                               cond("SensorsSynced", "False", "Behind", "1/2 nodes run the ruleset; node-2 is behind", 5) } }),
    "Healthy", "node-2 is behind" },

  { "NodeSensor without status", "nodesensor_health.lua", sensor(nil),
    "Progressing", "first report" },
  { "NodeSensor reporting with its ruleset loaded", "nodesensor_health.lua",
    sensor({ observedGeneration = 1,
             conditions = { cond("Ready", "True", "Reporting", "Attached BPF programs: exec", 1),
                            cond("RulesetLoaded", "True", "Loaded", "Loaded ruleset abc", 1) } }),
    "Healthy", "Attached BPF programs: exec" },
  { "NodeSensor written before status.observedGeneration existed", "nodesensor_health.lua",
    sensor({ conditions = { cond("Ready", "True", "Reporting", "No runtime rule applies", nil) } }),
    "Healthy", "No runtime rule applies" },
  { "NodeSensor whose sensor went silent", "nodesensor_health.lua",
    sensor({ observedGeneration = 1,
             conditions = { cond("Ready", "False", "HeartbeatMissed", "No status from the sensor since 2026-01-01T00:00:00Z", 1),
                            cond("RulesetLoaded", "True", "Loaded", "Loaded ruleset abc", 1) } }),
    "Degraded", "HeartbeatMissed: No status from the sensor" },
  { "NodeSensor that failed to load the newest ruleset", "nodesensor_health.lua",
    sensor({ observedGeneration = 1,
             conditions = { cond("Ready", "True", "Reporting", "Attached BPF programs: exec", 1),
                            cond("RulesetLoaded", "False", "LoadFailed", "Ruleset def failed to load: verifier", 1) } }),
    "Degraded", "LoadFailed: Ruleset def failed to load" },
  { "NodeSensor before the ruleset is published", "nodesensor_health.lua",
    sensor({ observedGeneration = 1,
             conditions = { cond("Ready", "True", "Reporting", "No runtime rule applies", 1),
                            cond("RulesetLoaded", "False", "NotFound", "Runtime ruleset ConfigMap castellan-system/castellan-runtime-ruleset not found", 1) } }),
    "Progressing", "not found" },
}

local failed = 0
for _, c in ipairs(cases) do
  local name, script, object, want_status, want_message = c[1], c[2], c[3], c[4], c[5]
  local hs = run(script, object)
  local message = hs and hs.message or ""
  if hs == nil or hs.status ~= want_status or string.find(message, want_message, 1, true) == nil then
    failed = failed + 1
    print(string.format("FAIL %s: got %s %q, want %s with %q", name, hs and tostring(hs.status) or "nil",
                        message, want_status, want_message))
  else
    print(string.format("ok   %s: %s %q", name, hs.status, message))
  end
end
print(string.format("%d of %d cases passed", #cases - failed, #cases))
os.exit(failed == 0 and 0 or 1)
