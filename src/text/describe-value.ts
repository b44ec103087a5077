const MAX_DESCRIPTION_LENGTH = 60;

/** Formats a value for an error message as JSON, shortened to about 60 characters. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // BigInt values and cyclic objects have no JSON form.
    text = typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value);
  }
  if (text.length <= MAX_DESCRIPTION_LENGTH) return text;
  return `${text.slice(0, MAX_DESCRIPTION_LENGTH - 3)}...`;
}
