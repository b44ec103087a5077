import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Server } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { evaluateTaggerPipeline } from '../../src/training/evaluation/tagger-pipeline.js';
import type { TaggedSentence } from '../../src/training/tagging/train.js';
import { expectBundledRegistration, openBundledContext, type BundledContext } from './bundled-context.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Folder of the data sets that the held-out checks read. */
export const DATASETS_DIR = join(root, '..', 'shared', 'datasets');

/** Largest size of the bundled model files, so that the repository stays small. */
const MAX_MODEL_BYTES = 10 * 1024 * 1024;

/** Fields of tagger.json that the tests read. */
export interface TaggerFile {
  unit: string;
  word_features?: unknown;
}

/** Model card fields that the bundled tagger tests read. */
export interface TaggerCard {
  task: string;
  architecture: string;
  labels: string[];
  reproduce: string;
  training: {
    source: string;
    dataset: { file: string };
    test_data?: { file: string; sentences: number };
    split: { seed: number; test_fraction: number; validation_fraction: number };
    hyperparameters: Record<string, unknown>;
  };
  metrics: {
    test: {
      scheme: string;
      sequences: number;
      overall: { f1: number };
      per_type: Record<string, { f1: number; support: number }>;
    };
  };
  onnx_parity: { max_abs_diff: number };
}

export interface BundledTaggerSpec {
  name: string;
  /** Entity types, without the B- and I- prefixes. */
  types: string[];
  /** `word` or `character`, as tagger.json records it. */
  unit: string;
  /** Lowest held-out entity F1 that the card may report. */
  minTestF1: number;
  /** Data set file that the held-out check reads. */
  heldOutFile: string;
  /** Reads the held-out sentences from `heldOutFile`, as the card's test part was built. */
  heldOutSentences(card: TaggerCard): TaggedSentence[];
  /** A text and entities (`TYPE word`) that the served model must find in it. */
  example: { text: string; entities: string[] };
  /** Checks of the card and tagger.json that only this model has. */
  checkFiles?(card: TaggerCard, tagger: TaggerFile): void;
}

interface Entity {
  entity_group: string;
  score: number;
  word: string;
  start: number;
  end: number;
}

/** Declares the tests of one bundled token classifier in `models/<name>`. */
export function describeBundledTagger(spec: BundledTaggerSpec): void {
  const modelDir = join(root, 'models', spec.name);
  const card = JSON.parse(readFileSync(join(modelDir, 'model-card.json'), 'utf8')) as TaggerCard;
  const tagger = JSON.parse(readFileSync(join(modelDir, 'tagger.json'), 'utf8')) as TaggerFile;

  describe(`bundled ${spec.name}`, () => {
    let bundled: BundledContext | undefined;
    let context: AppContext;
    let server: Server;
    let baseUrl: string;

    beforeAll(async () => {
      bundled = await openBundledContext(spec.name);
      context = bundled.context;
      server = buildServer(context, pino({ level: 'silent' }));
      baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
    });

    afterAll(async () => {
      await server?.app.close();
      await bundled?.close();
    });

    it('is registered with production alias', async () => {
      await expectBundledRegistration(context, spec.name);
    });

    it('model card names data and metrics', () => {
      expect(card.task).toBe('token-classification');
      expect(card.architecture).toBe('bilstm-crf');
      for (const type of spec.types) {
        expect(card.labels).toContain(`B-${type}`);
        expect(card.labels).toContain(`I-${type}`);
        expect(card.metrics.test.per_type[type]?.support).toBeGreaterThan(0);
      }
      expect(card.metrics.test.scheme).toBe('conlleval');
      expect(card.metrics.test.overall.f1).toBeGreaterThanOrEqual(spec.minTestF1);
      expect(card.reproduce).toBe(`npm run train:${spec.name}`);
      expect(card.onnx_parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
      spec.checkFiles?.(card, tagger);
    });

    it('renders the card into README.md', () => {
      const readme = readFileSync(join(modelDir, 'README.md'), 'utf8');

      expect(readme).toContain(`npm run train:${spec.name}`);
      expect(readme).toContain(`${(card.metrics.test.overall.f1 * 100).toFixed(2)}%`);
    });

    it('tags its unit and stays small', () => {
      const bytes =
        statSync(join(modelDir, 'model.onnx')).size + statSync(join(modelDir, 'tagger.json')).size;

      expect(tagger.unit).toBe(spec.unit);
      expect(bytes).toBeLessThan(MAX_MODEL_BYTES);
    });

    it('serves entity groups with offsets', async () => {
      const { text } = spec.example;
      const response = await fetch(`${baseUrl}/v1/models/${spec.name}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: text }),
      });
      const entities = (await response.json()) as Entity[];

      expect(response.status).toBe(200);
      const found = entities.map((entity) => `${entity.entity_group} ${entity.word}`);
      for (const expected of spec.example.entities) expect(found).toContain(expected);
      for (const entity of entities) {
        expect(spec.types).toContain(entity.entity_group);
        expect(text.slice(entity.start, entity.end)).toBe(entity.word);
        expect(entity.score).toBeGreaterThan(0);
      }
    });

    describe.skipIf(!existsSync(spec.heldOutFile))(`held-out data of ${spec.name}`, () => {
      it('reproduces the test F1 of the card', async () => {
        const sentences = spec.heldOutSentences(card);
        expect(sentences).toHaveLength(card.metrics.test.sequences);

        const model = await context.pool.get(spec.name);
        if (model.kind !== 'in-house-tagger') {
          throw new Error(`${spec.name} loaded as ${model.kind}`);
        }
        const report = await evaluateTaggerPipeline(model.pipeline, sentences);

        expect(report.overall.f1).toBeCloseTo(card.metrics.test.overall.f1, 6);
        for (const type of spec.types) {
          expect(report.per_type[type]?.f1).toBeCloseTo(card.metrics.test.per_type[type]!.f1, 6);
        }
      }, 300_000);
    });

    if (!existsSync(spec.heldOutFile)) {
      console.warn(`skipping the held-out check of ${spec.name}: ${spec.heldOutFile} not found`);
    }
  });
}
