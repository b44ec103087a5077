import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, expect } from 'vitest';
import { writeAllFixtures, type FixtureTask } from '../../../src/fixtures/index.js';
import { isMaasError } from '../../../src/errors/index.js';

// Tests never download: every model below is a local fixture folder.
env.allowRemoteModels = false;
env.useFSCache = false;

export const FIXTURE_SEED = 3;

/** Writes every fixture folder into a temporary directory for the current test file. */
export function useFixtureFolders(): { root: string; folders: Record<FixtureTask, string> } {
  const state = { root: '', folders: {} as Record<FixtureTask, string> };
  beforeAll(async () => {
    state.root = await mkdtemp(join(tmpdir(), 'maas-hf-tasks-'));
    for (const fixture of await writeAllFixtures(join(state.root, 'models'), {
      seed: FIXTURE_SEED,
    })) {
      state.folders[fixture.task] = fixture.path;
    }
  });
  afterAll(async () => {
    await rm(state.root, { recursive: true, force: true });
  });
  return state;
}

/** A long input next to a one-character one, so that batching pads a lot. */
export const LONG_INPUT =
  '房间很干净，服务也很好，我们在北京住了三天。The staff was very nice and the food was good. ' +
  'We travel to Shanghai and New York every year, 😀👍 and the hotel is great!';

/** Awaits `action` and checks that it fails with a MaasError of `code` and `param`. */
export async function expectMaasError(
  action: () => Promise<unknown>,
  code: string,
  param?: string,
): Promise<void> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(isMaasError(caught), `expected a MaasError, got ${String(caught)}`).toBe(true);
  if (!isMaasError(caught)) return;
  expect(caught.code).toBe(code);
  expect(caught.param).toBe(param);
}

/** Checks that two nested number arrays agree to `digits` decimal places. */
export function expectClose(actual: unknown, expected: unknown, digits = 4): void {
  if (typeof expected === 'number') {
    expect(actual).toBeCloseTo(expected, digits);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((item, i) => expectClose((actual as unknown[])[i], item, digits));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    const record = actual as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectClose(record[key], value, digits);
    return;
  }
  expect(actual).toEqual(expected);
}
