import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeHuggingFaceFixture } from '../../src/fixtures/index.js';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import {
  FIXTURE_HYPERPARAMETERS,
  FIXTURE_TRAIN_FLAGS,
  LABEL_NAMES_FLAG,
  NEGATIVE_TEXT,
  POSITIVE_TEXT,
  ROWS_PER_LABEL,
  makeTempDir,
  removeTempDir,
  writeSentimentCsv,
} from '../helpers/sentiment-fixture.js';

const MODEL = 'sentiment';
const TEST_SPLIT = '0.2';
const TEST_ROWS = 2 * ROWS_PER_LABEL * 0.2;

interface LabelScore {
  label: string;
  score: number;
}

interface ConfigRow {
  name: string;
  value: unknown;
  source: string;
  variable: string;
}

let root: string;
let file: string;
let env: Record<string, string>;
let trained: CliResult;

beforeAll(async () => {
  root = await makeTempDir('cli');
  file = await writeSentimentCsv(root);
  env = {
    MAAS_DATA_DIR: await mkdtemp(join(root, 'data-')),
    MAAS_MODELS_DIR: await mkdtemp(join(root, 'models-')),
  };
  trained = await runCli(
    [
      'train',
      file,
      '--name',
      MODEL,
      '--label-names',
      LABEL_NAMES_FLAG,
      '--test-split',
      TEST_SPLIT,
      ...FIXTURE_TRAIN_FLAGS,
    ],
    env,
  );
});

afterAll(async () => {
  if (root !== undefined) await removeTempDir(root);
});

function parseJson<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe('train', () => {
  it('exits 0', () => {
    expect(trained.code, trained.stderr).toBe(0);
  });

  it('prints epoch lines', () => {
    const epochs = trained.stdout.match(/^epoch \d+\/\d+ .*$/gm) ?? [];
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs.length).toBeLessThanOrEqual(FIXTURE_HYPERPARAMETERS.epochs);
    expect(epochs[0]).toMatch(/^epoch 1\/4 {2}loss \d+\.\d{4} {2}accuracy [\d.]+%/);
  });

  it('prints the registered version', () => {
    expect(trained.stdout).toMatch(new RegExp(`^registered ${MODEL}@1 \\(best epoch \\d+`, 'm'));
  });

  it('prints the held-out report', () => {
    expect(trained.stdout).toContain('held-out test');
    expect(trained.stdout).toMatch(new RegExp(`^examples {2}${TEST_ROWS}$`, 'm'));
  });

  it('missing label names the line', async () => {
    const bad = join(root, 'missing-label.csv');
    await writeFile(bad, 'label,review\n1,房间很干净\n,服务很差\n0,太脏了\n', 'utf8');
    const result = await runCli(['train', bad, '--name', 'broken'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_DATASET_INVALID');
    expect(result.stderr).toContain('line 3: label is empty');
  });

  it('one label is rejected before training', async () => {
    const single = join(root, 'one-label.csv');
    await writeFile(single, 'label,review\n1,房间很干净\n1,服务很好\n1,早餐不错\n');
    const result = await runCli(['train', single, '--name', 'single'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_TRAINING_INVALID');
    expect(result.stderr).toContain('at least 2 labels');
  });

  it('invalid name is rejected before training', async () => {
    const result = await runCli(['train', file, '--name', '../evil'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_MODEL_NAME_INVALID');
    expect(result.stdout).not.toContain('epoch');
  });

  it('usage error exits 2', async () => {
    const result = await runCli(['train', file, '--name', 'x', '--max-length', 'abc'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected an integer');
  });

  it('missing file fails', async () => {
    const result = await runCli(['train', join(root, 'absent.csv'), '--name', 'broken'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_DATASET_NOT_FOUND');
    expect(result.stderr).toContain('absent.csv: no such file');
  });
});

describe('models', () => {
  it('list shows the model', async () => {
    const result = await runCli(['models', 'list'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+TASK\s+LATEST\s+ALIASES$/m);
    expect(result.stdout).toMatch(new RegExp(`^${MODEL}\\s+text-classification\\s+1$`, 'm'));
  });

  it('show prints the model card', async () => {
    const detail = parseJson<{
      name: string;
      versions: { version: number; runtime: string; model_card: Record<string, unknown> }[];
    }>(await runCli(['models', 'show', MODEL], env));
    expect(detail.name).toBe(MODEL);
    expect(detail.versions).toHaveLength(1);
    const version = detail.versions[0];
    expect(version?.version).toBe(1);
    expect(version?.runtime).toBe('onnx');
    const card = version?.model_card ?? {};
    expect(card['labels']).toEqual(['negative', 'positive']);
    const metrics = card['metrics'] as Record<string, { examples: number; accuracy: number }>;
    expect(metrics['test']?.examples).toBe(TEST_ROWS);
    expect(metrics['test']?.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(metrics['validation']?.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('import registers a Hugging Face folder', async () => {
    const folder = join(root, 'hf-ner');
    await writeHuggingFaceFixture(folder, 'token-classification', { seed: 2 });
    const result = await runCli(['models', 'import', folder, '--name', 'tiny-ner'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'imported tiny-ner@1 (token-classification, Hugging Face folder)',
    );
    const list = await runCli(['models', 'list'], env);
    expect(list.stdout).toMatch(/^tiny-ner\s+token-classification\s+1/m);
  });

  it('import names a folder that does not exist', async () => {
    const result = await runCli(
      ['models', 'import', join(root, 'no-such-folder'), '--name', 'x'],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-folder not found');
  });

  it('import rejects a folder without a model', async () => {
    const folder = await mkdtemp(join(root, 'empty-'));
    const result = await runCli(['models', 'import', folder, '--name', 'empty'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_ARTIFACT_INVALID');
  });

  it('alias points an alias at a version and deletes it', async () => {
    const set = await runCli(['models', 'alias', MODEL, 'staging', '1'], env);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`${MODEL}@staging → 1`);
    const predicted = await runCli(['predict', `${MODEL}@staging`, '房间很干净'], env);
    expect(predicted.code, predicted.stderr).toBe(0);
    const removed = await runCli(['models', 'alias', MODEL, 'staging', '--delete'], env);
    expect(removed.code, removed.stderr).toBe(0);
    const missing = await runCli(['predict', `${MODEL}@staging`, '房间很干净'], env);
    expect(missing.stderr).toContain('MAAS_ERR_ALIAS_NOT_FOUND');
  });

  it('alias without a version fails', async () => {
    const result = await runCli(['models', 'alias', MODEL, 'staging'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('version must be a positive integer');
  });

  it('show of unknown model fails', async () => {
    const result = await runCli(['models', 'show', 'no-such-model'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_MODEL_NOT_FOUND');
  });
});

describe('predict', () => {
  it('one text prints one list', async () => {
    const result = parseJson<LabelScore[]>(await runCli(['predict', MODEL, POSITIVE_TEXT], env));
    expect(result).toHaveLength(1);
    expect(result[0]?.label).toBe('positive');
  });

  it('two texts print two lists', async () => {
    const result = parseJson<LabelScore[][]>(
      await runCli(['predict', `${MODEL}@1`, POSITIVE_TEXT, NEGATIVE_TEXT, '--top-k', 'all'], env),
    );
    expect(result.map((labels) => labels[0]?.label)).toEqual(['positive', 'negative']);
    expect(result.map((labels) => labels.length)).toEqual([2, 2]);
  });

  it('unknown model fails', async () => {
    const result = await runCli(['predict', 'no-such-model', POSITIVE_TEXT], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_MODEL_NOT_FOUND');
    expect(result.stdout).toBe('');
  });

  it('invalid --top-k fails', async () => {
    const result = await runCli(['predict', MODEL, POSITIVE_TEXT, '--top-k', '0'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--top-k');
  });
});

describe('eval', () => {
  const evalArgs = (): string[] => [
    'eval',
    MODEL,
    file,
    '--label-names',
    LABEL_NAMES_FLAG,
    '--test-split',
    TEST_SPLIT,
  ];

  it('prints accuracy and confusion matrix', async () => {
    const result = await runCli(evalArgs(), env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${MODEL}@1 on ${TEST_ROWS} rows`);
    expect(result.stdout).toMatch(/^accuracy {2}\d+\.\d{2}%$/m);
    expect(result.stdout).toContain('confusion matrix (rows: true label, columns: predicted)');
    expect(result.stdout).toMatch(/^\s+negative\s+positive$/m);
  });

  it('held-out part prints no warning', async () => {
    const result = await runCli(evalArgs(), env);
    expect(result.stderr).not.toContain('warning');
  });

  it('names labels the version lacks', async () => {
    const args = ['eval', MODEL, file, '--label-names', '0=bad,1=good', '--test-split', TEST_SPLIT];
    const result = await runCli(args, env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`bad, good that ${MODEL}@1 does not predict`);
    expect(result.stderr).toContain('make --label-names map the file labels to these');
  });

  it('warns when rows include training rows', async () => {
    const args = ['eval', MODEL, file, '--label-names', LABEL_NAMES_FLAG];
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`warning: the model held out --test-split ${TEST_SPLIT}`);
  });

  it('--json parses', async () => {
    const report = parseJson<{
      examples: number;
      accuracy: number;
      confusion_matrix: { labels: string[]; rows: number[][] };
    }>(await runCli([...evalArgs(), '--json'], env));
    expect(report.examples).toBe(TEST_ROWS);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.confusion_matrix.labels).toEqual(['negative', 'positive']);
    const counted = report.confusion_matrix.rows.flat().reduce((sum, count) => sum + count, 0);
    expect(counted).toBe(TEST_ROWS);
  });
});

describe('config', () => {
  async function configRows(extraEnv: Record<string, string>, args: string[] = []) {
    const result = await runCli(['config', '--json', ...args], { ...env, ...extraEnv });
    const body = parseJson<{ file: string | null; settings: ConfigRow[] }>(result);
    return { file: body.file, port: body.settings.find((row) => row.name === 'port') };
  }

  it('MAAS_PORT sets port', async () => {
    const { port } = await configRows({ MAAS_PORT: '9123' });
    expect(port?.value).toBe(9123);
    expect(port?.source).toBe('environment');
    expect(port?.variable).toBe('MAAS_PORT');
  });

  it('port defaults to 8080', async () => {
    const { port } = await configRows({});
    expect(port?.value).toBe(8080);
    expect(port?.source).toBe('default');
  });

  it('MAAS_PORT beats the file', async () => {
    const configFile = join(root, 'maas.config.json');
    await writeFile(configFile, JSON.stringify({ port: 7000 }), 'utf8');
    const fromFile = await configRows({}, ['--config', configFile]);
    expect(fromFile.file).toBe(configFile);
    expect(fromFile.port?.value).toBe(7000);
    expect(fromFile.port?.source).toBe('file');
    const fromEnv = await configRows({ MAAS_PORT: '9123' }, ['--config', configFile]);
    expect(fromEnv.port?.value).toBe(9123);
    expect(fromEnv.port?.source).toBe('environment');
  });

  it('invalid MAAS_PORT fails', async () => {
    const result = await runCli(['config', '--json'], { ...env, MAAS_PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_CONFIG_INVALID');
    expect(result.stderr).toContain('MAAS_PORT');
  });
});

describe('serve', () => {
  it('serves, then exits 0 on SIGTERM', async () => {
    // MAAS_LOG_LEVEL=silent would hide the address line, so finding it also shows that the
    // --log-level flag beats the variable.
    const child = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'info'], {
      ...env,
      MAAS_LOG_LEVEL: 'silent',
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      // The server logs pino JSON lines on standard output; one of them carries the address.
      let address: string | undefined;
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      for await (const line of lines) {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'server listening') {
          address = entry.address;
          break;
        }
      }
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const health = await fetch(`${address}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const response = await fetch(`${address}/v1/models/${MODEL}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: NEGATIVE_TEXT }),
      });
      expect(response.status).toBe(200);
      const result = (await response.json()) as LabelScore[];
      expect(result[0]?.label).toBe('negative');
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });
});

describe('serve on a busy port', () => {
  it('names the port and the fix', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', '--port', String(port)], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('--port or MAAS_PORT');
    } finally {
      blocker.close();
    }
  });
});
