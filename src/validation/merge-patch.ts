/**
 * Applies a merge patch (RFC 7386): objects merge key by key, `null` deletes, anything else
 * replaces. This is how kustomize applies a strategic-merge patch to custom resources, which
 * declare no merge strategies; for core lists with merge keys it is an approximation.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
