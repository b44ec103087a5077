import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext, type AppContext } from '../../src/app/context.js';
import { evaluateSrlModel } from '../../src/cli/eval-srl.js';
import { loadConfig } from '../../src/config/index.js';
import { parseSemanticRoleText } from '../../src/training/datasets/conllu-srl.js';
import { groupBySentence, splitSrlSentences } from '../../src/training/srl/instances.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelDir = join(root, 'models', 'srl-en');
const datasetFile = join(root, '..', 'shared', 'datasets', 'srl_ewt', 'en_ewt-up-dev.conllu');
const card = JSON.parse(readFileSync(join(modelDir, 'model-card.json'), 'utf8'));

/** Largest folder the repository carries for one bundled model. */
const MAX_MODEL_BYTES = 10 * 1024 * 1024;

describe('bundled srl-en', () => {
  let dataDir: string;
  let context: AppContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'maas-bundled-srl-'));
    const { settings } = loadConfig({
      env: { MAAS_DATA_DIR: dataDir },
      file: undefined,
      cwd: dataDir,
    });
    context = await openContext(settings, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await context.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is registered at start', async () => {
    const version = await context.registry.resolve('srl-en');

    expect(version.task).toBe('semantic-role-labeling');
    expect(version.runtime).toBe('onnx');
    expect(context.bundled).toContain('srl-en@1');
  });

  it('fits the size limit', () => {
    const bytes = readdirSync(modelDir).reduce(
      (sum, name) => sum + statSync(join(modelDir, name)).size,
      0,
    );

    expect(bytes).toBeLessThan(MAX_MODEL_BYTES);
  });

  it('model card names data, licence, split and metrics', () => {
    expect(card.task).toBe('semantic-role-labeling');
    expect(card.license).toBe('CC BY-SA 4.0');
    expect(card.training.source).toContain('Universal Propositions');
    expect(card.training.dataset.file).toBe('en_ewt-up-dev.conllu');
    expect(card.training.split).toMatchObject({ seed: 42, test_fraction: 0.2, unit: 'sentence' });
    expect(card.training.split.test_predicates).toBeGreaterThan(900);
    expect(card.reproduce).toBe('npm run train:srl-en');
    expect(card.labels.slice(0, 2)).toEqual(['O', 'V']);
    for (const role of ['ARG0', 'ARG1', 'ARG2', 'ARGM-TMP']) {
      expect(card.metrics.test.per_role[role].support).toBeGreaterThan(0);
    }
    expect(card.metrics.test.overall.f1).toBeGreaterThan(0);
    expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
  });

  it('README shows the test F1 of the card', () => {
    const readme = readFileSync(join(modelDir, 'README.md'), 'utf8');
    const f1 = `${(card.metrics.test.overall.f1 * 100).toFixed(2)}%`;

    expect(readme).toContain(`F1 **${f1}**`);
    expect(readme).toContain('CC BY-SA 4.0');
    expect(readme).toContain('npm run train:srl-en');
  });

  it('labels the arguments of a predicate', async () => {
    const model = await context.pool.get('srl-en');
    if (model.kind !== 'in-house-srl') throw new Error(`srl-en loaded as ${model.kind}`);
    const text = 'The committee approved the new budget yesterday.';
    const encoding = model.pipeline.encode(text, [2], 'inputs', true);
    const [frame] = model.pipeline.frames(encoding, await model.pipeline.score(encoding.windows));

    expect(frame?.predicate.word).toBe('approved');
    for (const argument of frame?.arguments ?? []) {
      expect(text.slice(argument.start, argument.end)).toBe(argument.word);
      expect(card.labels).toContain(argument.role);
    }
  });

  describe.skipIf(!existsSync(datasetFile))('held-out Universal Propositions part', () => {
    it('reproduces the test F1 of the card', async () => {
      const { split } = card.training;
      const sentences = groupBySentence(
        parseSemanticRoleText(readFileSync(datasetFile, 'utf8')).instances,
      );
      const { test } = splitSrlSentences(sentences, {
        testFraction: split.test_fraction,
        validationFraction: split.validation_fraction,
        seed: split.seed,
      });
      expect(test).toHaveLength(split.test_predicates);

      const model = await context.pool.get('srl-en');
      if (model.kind !== 'in-house-srl') throw new Error(`srl-en loaded as ${model.kind}`);
      const report = await evaluateSrlModel(model, test);

      // ONNX Runtime and tfjs differ by up to 1e-4, which can flip a near tie.
      expect(Math.abs(report.overall.f1 - card.metrics.test.overall.f1)).toBeLessThan(0.005);
      expect(report.overall.support).toBe(card.metrics.test.overall.support);
    }, 120_000);
  });

  if (!existsSync(datasetFile)) {
    console.warn(`skipping the held-out F1 check: ${datasetFile} not found`);
  }
});
