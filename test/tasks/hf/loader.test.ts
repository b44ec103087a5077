import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_TASKS, SENTIMENT_LABELS, NER_LABELS } from '../../../src/fixtures/index.js';
import { loadHuggingFaceTask } from '../../../src/tasks/hf/index.js';
import { expectMaasError, useFixtureFolders } from './fixture-folders.js';

const fixtures = useFixtureFolders();

async function copyFixture(task: (typeof FIXTURE_TASKS)[number], name: string): Promise<string> {
  const dir = join(fixtures.root, name);
  await cp(fixtures.folders[task], dir, { recursive: true });
  return dir;
}

async function editConfig(dir: string, edit: (config: Record<string, unknown>) => void) {
  const path = join(dir, 'config.json');
  const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(config);
  await writeFile(path, JSON.stringify(config));
}

describe('loadHuggingFaceTask', () => {
  it.each(FIXTURE_TASKS)('infers %s from config.json', async (task) => {
    const model = await loadHuggingFaceTask(fixtures.folders[task]);
    expect(model.task).toBe(task);
    await model.dispose();
  });

  it('exposes classification labels in id order', async () => {
    const classifier = await loadHuggingFaceTask(fixtures.folders['text-classification']);
    expect(classifier.labels).toEqual(SENTIMENT_LABELS);
    const tagger = await loadHuggingFaceTask(fixtures.folders['token-classification']);
    expect(tagger.labels).toEqual(NER_LABELS);
    const extractor = await loadHuggingFaceTask(fixtures.folders['feature-extraction']);
    expect(extractor.labels).toBeUndefined();
    await Promise.all([classifier.dispose(), tagger.dispose(), extractor.dispose()]);
  });

  it('loads an NLI model as text-classification on request', async () => {
    const model = await loadHuggingFaceTask(fixtures.folders['zero-shot-classification'], {
      task: 'text-classification',
    });
    expect(model.task).toBe('text-classification');
    expect(model.labels).toEqual(['entailment', 'neutral', 'contradiction']);
    await model.dispose();
  });

  it('counts tokens with special tokens', async () => {
    const model = await loadHuggingFaceTask(fixtures.folders['text-classification']);
    expect(model.countTokens(['房间很干净', ''])).toEqual([7, 2]);
    await model.dispose();
  });

  it('rejects a folder without the ONNX model', async () => {
    const dir = await copyFixture('text-classification', 'no-onnx');
    await rm(join(dir, 'onnx'), { recursive: true });
    await expectMaasError(() => loadHuggingFaceTask(dir), 'MAAS_ERR_ARTIFACT_INVALID');
  });

  it('rejects a folder without tokenizer.json', async () => {
    const dir = await copyFixture('text-classification', 'no-tokenizer');
    await rm(join(dir, 'tokenizer.json'));
    await expectMaasError(() => loadHuggingFaceTask(dir), 'MAAS_ERR_ARTIFACT_INVALID');
  });

  it('rejects invalid config.json', async () => {
    const dir = await copyFixture('text-classification', 'bad-config');
    await writeFile(join(dir, 'config.json'), '{ not json');
    await expectMaasError(() => loadHuggingFaceTask(dir), 'MAAS_ERR_ARTIFACT_INVALID');
  });

  it('rejects an unknown task', async () => {
    await expectMaasError(
      () => loadHuggingFaceTask(fixtures.folders['fill-mask'], { task: 'summarization' }),
      'MAAS_ERR_TASK_UNSUPPORTED',
      'task',
    );
  });

  it('rejects a task the architecture cannot serve', async () => {
    await expectMaasError(
      () => loadHuggingFaceTask(fixtures.folders['fill-mask'], { task: 'text-classification' }),
      'MAAS_ERR_TASK_UNSUPPORTED',
      'task',
    );
  });

  it('rejects an unsupported architecture', async () => {
    const dir = await copyFixture('text-classification', 'question-answering');
    await editConfig(dir, (config) => {
      config.architectures = ['BertForQuestionAnswering'];
    });
    await expectMaasError(() => loadHuggingFaceTask(dir), 'MAAS_ERR_TASK_UNSUPPORTED');
  });

  it('needs a task when architectures is missing', async () => {
    const dir = await copyFixture('text-classification', 'no-architectures');
    await editConfig(dir, (config) => {
      delete config.architectures;
    });
    await expectMaasError(() => loadHuggingFaceTask(dir), 'MAAS_ERR_TASK_UNSUPPORTED');
    const model = await loadHuggingFaceTask(dir, { task: 'text-classification' });
    expect(model.task).toBe('text-classification');
    await model.dispose();
  });

  it('rejects zero-shot without an entailment label', async () => {
    await expectMaasError(
      () =>
        loadHuggingFaceTask(fixtures.folders['text-classification'], {
          task: 'zero-shot-classification',
        }),
      'MAAS_ERR_ARTIFACT_INVALID',
    );
  });
});
