/**
 * Returns the role index of each of the first `steps` tokens from their probability rows
 * (`scores[step * width + role]`). The predicate token gets `predicateRole`. Every other token
 * gets its most probable role other than `predicateRole`, because the input names the only
 * predicate.
 */
export function decodeRoles(
  scores: Float32Array,
  steps: number,
  width: number,
  predicateIndex: number,
  predicateRole: number,
): number[] {
  const path: number[] = [];
  for (let step = 0; step < steps; step++) {
    if (step === predicateIndex) {
      path.push(predicateRole);
      continue;
    }
    let best = -1;
    for (let role = 0; role < width; role++) {
      if (role === predicateRole) continue;
      if (
        best === -1 ||
        (scores[step * width + role] as number) > (scores[step * width + best] as number)
      ) {
        best = role;
      }
    }
    path.push(best);
  }
  return path;
}
