-- Argo CD health of a hoxtonai.dev Connection or ClusterConnection: Healthy when the
-- operator obtained a token and read the organisation with its credentials.
if obj.status == nil or obj.status.conditions == nil then
  return {status = "Progressing", message = "Waiting for the operator to check the credentials"}
end
-- Being deleted and waiting for the objects that still use it: Progressing, naming
-- them (the Connection stays Ready meanwhile, so that they can be deleted through it).
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Deleting" and c.status == "True" then
    return {status = "Progressing", message = c.reason .. ": " .. (c.message or "")}
  end
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    if c.status == "True" then
      return {status = "Healthy", message = c.message or ""}
    end
    return {status = "Degraded", message = c.reason .. ": " .. (c.message or "")}
  end
end
return {status = "Progressing", message = "Waiting for the operator to check the credentials"}
