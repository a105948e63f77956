-- Argo CD health of a hoxtonai.dev managed object (Site, Camera, PeopleCountMonitor).
-- Healthy: the HoxtonAi object exists and the last reconcile of the current spec
-- succeeded. Progressing: not observed yet, being created, or waiting for references.
-- Suspended: paused. Degraded: an error only a person can fix, or drift an ObserveOnly
-- object reports.
--
-- The operator also sets the kstatus conditions (Stalled=True: kstatus Failed;
-- Reconciling=True: kstatus InProgress); when present they decide, so that Argo CD and
-- kstatus (Flux, kpt, Config Sync) always agree: Stalled is Degraded, Reconciling is
-- Progressing. Objects written before those conditions existed fall back to Synced.
local hs = {status = "Progressing", message = "Waiting for the operator"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.metadata.generation ~= nil and (obj.status.observedGeneration or 0) < obj.metadata.generation then
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end
local ready, synced, stalled, reconciling
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then ready = c end
  if c.type == "Synced" then synced = c end
  if c.type == "Stalled" then stalled = c end
  if c.type == "Reconciling" then reconciling = c end
end
if stalled ~= nil and stalled.status == "True" then
  return {status = "Degraded", message = stalled.reason .. ": " .. (stalled.message or "")}
end
if synced ~= nil and synced.status == "False" and synced.reason == "Paused" then
  return {status = "Suspended", message = synced.reason .. ": " .. (synced.message or "")}
end
if reconciling ~= nil and reconciling.status == "True" then
  return {status = "Progressing", message = reconciling.reason .. ": " .. (reconciling.message or "")}
end
if synced ~= nil and synced.status == "False" then
  local msg = synced.reason .. ": " .. (synced.message or "")
  if synced.reason == "Paused" then
    return {status = "Suspended", message = msg}
  end
  if synced.reason == "ReferencesNotReady" then
    return {status = "Progressing", message = msg}
  end
  return {status = "Degraded", message = msg}
end
if ready ~= nil and ready.status == "True" and synced ~= nil and synced.status == "True" then
  return {status = "Healthy", message = "In sync with HoxtonAi"}
end
if ready ~= nil and ready.message ~= nil and ready.message ~= "" then
  hs.message = ready.reason .. ": " .. ready.message
end
return hs
