/** Returns `name` with each capital letter replaced by `_` and its lower case: `embeddingDim` → `embedding_dim`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Returns `values` with snake_case top-level keys, for the wire format of the HTTP API.
 * Nested objects keep their keys, because some of them are labels or tags from the data.
 */
export function snakeCaseKeys(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [snakeCase(name), value]),
  );
}
