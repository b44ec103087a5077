import { MaasError } from '../../errors/index.js';

/** Values that one hyperparameter of a job request accepts. */
export type HyperparameterRule =
  | { kind: 'integer'; min: number; max: number }
  /** A number from 0 up to but not including 1, such as a dropout rate. */
  | { kind: 'rate' }
  /** A number above 0 and at most 1. */
  | { kind: 'learning-rate' }
  /** A finite number above 0. */
  | { kind: 'positive' }
  | { kind: 'boolean' }
  | { kind: 'choice'; values: readonly string[] };

/**
 * Checks the snake_case hyperparameters of a job request against the rules of a trainer.
 * `trainerName` ("a tagger") goes into the message for an unknown name.
 *
 * @throws MaasError MAAS_ERR_REQUEST_INVALID for a name without a rule and
 * MAAS_ERR_TRAINING_INVALID for a value the rule rejects; both name the field as
 * `hyperparameters.<name>`.
 */
export function checkHyperparameterValues(
  hyperparameters: Record<string, unknown>,
  rules: Readonly<Record<string, HyperparameterRule>>,
  trainerName: string,
): void {
  for (const [name, value] of Object.entries(hyperparameters)) {
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
    if (rule === undefined) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `hyperparameters.${name} is not a hyperparameter of ${trainerName}; known: ${Object.keys(rules).join(', ')}`,
        { param: `hyperparameters.${name}` },
      );
    }
    const expected = violatedExpectation(rule, value);
    if (expected !== undefined) throw invalidHyperparameter(name, value, expected);
  }
}

/** Returns what `rule` expects when `value` breaks it, else undefined. */
function violatedExpectation(rule: HyperparameterRule, value: unknown): string | undefined {
  switch (rule.kind) {
    case 'integer': {
      const valid = Number.isSafeInteger(value) && (value as number) >= rule.min;
      return valid && (value as number) <= rule.max
        ? undefined
        : `an integer from ${rule.min} to ${rule.max}`;
    }
    case 'rate':
      return typeof value === 'number' && value >= 0 && value < 1
        ? undefined
        : 'a number from 0 up to but not including 1';
    case 'learning-rate':
      return typeof value === 'number' && value > 0 && value <= 1
        ? undefined
        : 'a number above 0 and at most 1';
    case 'positive':
      return typeof value === 'number' && value > 0 && Number.isFinite(value)
        ? undefined
        : 'a number above 0';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'choice':
      return rule.values.includes(value as string) ? undefined : `one of ${rule.values.join(', ')}`;
  }
}

/** Builds the MAAS_ERR_TRAINING_INVALID error of an invalid hyperparameter value. */
export function invalidHyperparameter(name: string, value: unknown, expected: string): MaasError {
  return new MaasError(
    'MAAS_ERR_TRAINING_INVALID',
    `invalid hyperparameters.${name}=${JSON.stringify(value)}: expected ${expected}`,
    { param: `hyperparameters.${name}` },
  );
}
