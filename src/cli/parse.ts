import { InvalidArgumentError } from 'commander';

export function parseInteger(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) {
    throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  }
  return Number(value);
}

export function parseNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw new InvalidArgumentError(`expected a number, got "${value}"`);
  }
  return number;
}

export function parseFraction(value: string): number {
  const number = parseNumber(value);
  if (!(number >= 0 && number < 1)) {
    throw new InvalidArgumentError(
      `expected a fraction from 0 up to but not including 1, got "${value}"`,
    );
  }
  return number;
}

/** Parses a comma-separated list of integers, such as `2,3,4`. */
export function parseIntegerList(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^-?\d+$/.test(part))) {
    throw new InvalidArgumentError(
      `expected comma-separated integers such as 2,3,4, got "${value}"`,
    );
  }
  return parts.map(Number);
}
