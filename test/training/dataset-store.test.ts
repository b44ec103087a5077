import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import {
  FileArtifactStore,
  STAGING_DIR,
  closeDatabase,
  migrateToLatest,
  openDatabase,
} from '../../src/storage/index.js';
import { DATASETS_DIR, DatasetStore } from '../../src/training/dataset-store/index.js';
import { makeTempDir, removeTempDir } from '../helpers/sentiment-fixture.js';

const CSV = 'text,label\n房间很干净😀,positive\n太差了,negative\n';
const CONLL = '北\tB-LOC\n京\tI-LOC\n\n好\tO\n';
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

let root: string;
let artifactsDir: string;
let db: ReturnType<typeof openDatabase>;
let store: DatasetStore;
let caseNumber = 0;

beforeAll(async () => {
  root = await makeTempDir('dataset-store');
});

afterAll(async () => {
  await removeTempDir(root);
});

/** Opens a fresh database and artifact store for each test. */
async function openStore(): Promise<void> {
  caseNumber++;
  artifactsDir = join(root, `case-${caseNumber}`, 'artifacts');
  db = openDatabase(join(root, `case-${caseNumber}`, 'maas.db'));
  await migrateToLatest(db);
  store = new DatasetStore(db, new FileArtifactStore(artifactsDir));
}

afterEach(async () => {
  await closeDatabase(db);
});

function source(content: string | Buffer): Readable {
  return Readable.from([Buffer.from(content)]);
}

function sha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

async function expectMaasError(promise: Promise<unknown>, code: string): Promise<MaasError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MaasError);
  expect((error as MaasError).code).toBe(code);
  return error as MaasError;
}

/** Lists the dataset folders and staging folders left in the artifact store. */
async function listLeftovers(): Promise<{ datasets: string[]; staging: string[] }> {
  const list = (dir: string): Promise<string[]> => readdir(dir).catch(() => []);
  return {
    datasets: await list(join(artifactsDir, DATASETS_DIR)),
    staging: await list(join(artifactsDir, STAGING_DIR)),
  };
}

describe('DatasetStore', () => {
  it('stores a file under its SHA-256', async () => {
    await openStore();
    const { dataset, created } = await store.add(
      source(CSV),
      { fileName: 'reviews.csv' },
      NO_LIMIT,
    );
    expect(created).toBe(true);
    expect(dataset.id).toBe(sha256(CSV));
    expect(dataset.format).toBe('csv');
    expect(dataset.kind).toBe('text-classification');
    expect(dataset.labels).toEqual(['negative', 'positive']);
    expect(dataset.statistics).toMatchObject({
      rows: 2,
      labelCounts: { negative: 1, positive: 1 },
    });
    expect(await readFile(store.filePath(dataset), 'utf8')).toBe(CSV);
    expect(await store.get(dataset.id)).toEqual(dataset);
  });

  it('stores the same bytes once', async () => {
    await openStore();
    const first = await store.add(source(CSV), { fileName: 'a.csv' }, NO_LIMIT);
    const second = await store.add(source(CSV), { fileName: 'b.csv' }, NO_LIMIT);
    expect(second.created).toBe(false);
    expect(second.dataset.id).toBe(first.dataset.id);
    expect(second.dataset.name).toBe('a.csv');
    expect(await store.list()).toHaveLength(1);
    expect(await listLeftovers()).toEqual({ datasets: [first.dataset.id], staging: [] });
  });

  it('stores concurrent uploads of one file once', async () => {
    await openStore();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.add(source(CSV), { fileName: 'a.csv' }, NO_LIMIT)),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await store.list()).toHaveLength(1);
    expect((await listLeftovers()).staging).toEqual([]);
  });

  const CONLLU = [
    ['1', 'Bush', '_', '_', '_', '_', '_', '_', '_', '_', '_', 'ARG0'].join('\t'),
    ['2', 'ran', '_', '_', '_', '_', '_', '_', '_', '_', 'run.01', 'V'].join('\t'),
  ].join('\n');
  const TSV = 'review\tlabel\ngood\t1\nbad\t0\n';
  const JSONL = '{"text":"good","label":"1"}\n{"text":"bad","label":"0"}\n';

  it.each([
    ['conllu', CONLLU, 'srl.conllu', { senseColumn: 10 }, { senseColumn: 10 }],
    [
      'conll',
      CONLL,
      'ner.conll',
      { tokenColumn: 0, tagColumn: 1, repairTags: false },
      { tokenColumn: 0, tagColumn: 1, repairTags: false },
    ],
    [
      'csv',
      CSV,
      'a.csv',
      { textColumn: 'TEXT', labelColumn: 1, header: true },
      { textColumn: 'text', labelColumn: 'label', header: true },
    ],
    [
      'tsv',
      TSV,
      'a.tsv',
      { textColumn: 0, labelColumn: ' label ' },
      { textColumn: 'review', labelColumn: 'label', header: true },
    ],
    [
      'jsonl',
      JSONL,
      'a.jsonl',
      { textColumn: 'Text', labelColumn: 'label' },
      { textColumn: 'text', labelColumn: 'label' },
    ],
  ] as const)(
    'stores %s with explicit defaults once',
    async (_format, content, fileName, explicit, filled) => {
      await openStore();
      const first = await store.add(source(content), { fileName }, NO_LIMIT);
      const second = await store.add(source(content), { fileName, options: explicit }, NO_LIMIT);
      const third = await store.add(source(content), { fileName }, NO_LIMIT);
      expect(first.dataset.readOptions).toEqual(filled);
      expect(second.created).toBe(false);
      expect(second.dataset.id).toBe(first.dataset.id);
      expect(third.created).toBe(false);
      expect(await store.list()).toHaveLength(1);
    },
  );

  it('matches explicit defaults to an unfilled row', async () => {
    await openStore();
    const { dataset } = await store.add(source(CONLLU), { fileName: 'srl.conllu' }, NO_LIMIT);
    // Rows stored before read options were filled in have only the options given at upload.
    await db.updateTable('datasets').set({ read_options: '{}' }).execute();
    const again = await store.add(
      source(CONLLU),
      { fileName: 'srl.conllu', options: { senseColumn: 10 } },
      NO_LIMIT,
    );
    expect(again.created).toBe(false);
    expect(again.dataset.id).toBe(dataset.id);

    await db.updateTable('datasets').set({ read_options: '{"senseColumn":9}' }).execute();
    await expectMaasError(
      store.add(source(CONLLU), { fileName: 'srl.conllu' }, NO_LIMIT),
      'MAAS_ERR_DATASET_EXISTS',
    );
  });

  it('rejects the same bytes with other settings', async () => {
    await openStore();
    await store.add(source(CONLL), { fileName: 'ner.txt', format: 'conll' }, NO_LIMIT);
    const error = await expectMaasError(
      store.add(
        source(CONLL),
        { fileName: 'ner.txt', format: 'conll', options: { repairTags: true } },
        NO_LIMIT,
      ),
      'MAAS_ERR_DATASET_EXISTS',
    );
    expect(error.status).toBe(409);
    // The message names the settings as the upload's form fields.
    expect(error.message).toContain('"repair_tags":true');
    expect(error.message).not.toContain('repairTags');
  });

  it('keeps nothing of an invalid file', async () => {
    await openStore();
    const error = await expectMaasError(
      store.add(source('a\tO\nb\tI-PER\n'), { fileName: 'bad.conll' }, NO_LIMIT),
      'MAAS_ERR_DATASET_INVALID',
    );
    expect(error.details?.['lines']).toEqual([2]);
    expect(await store.list()).toEqual([]);
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('rejects a non-IOB2 tag with its line', async () => {
    await openStore();
    const error = await expectMaasError(
      store.add(source('EU\tB-ORG\nrejects\tE-ORG\n'), { fileName: 'iobes.conll' }, NO_LIMIT),
      'MAAS_ERR_DATASET_INVALID',
    );
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain('tag "E-ORG" is invalid');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('rejects NUL in a CoNLL-U form', async () => {
    await openStore();
    const sense = ['_', '_', '_', '_', '_', '_', '_', '_'];
    const conllu = [
      ['1', 'Bush', ...sense, '_', '_'].join('\t'),
      ['2', 'ra\u0000n', ...sense, 'run.01', 'V'].join('\t'),
    ].join('\n');
    const error = await expectMaasError(
      store.add(
        source(`${conllu}\n`),
        { fileName: 'nul.conllu', options: { senseColumn: 10 } },
        NO_LIMIT,
      ),
      'MAAS_ERR_DATASET_INVALID',
    );
    expect(error.details?.['lines']).toEqual([2]);
    expect(error.message).toContain('line 2: form (column 1) contains a NUL character');
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('keeps nothing of a file over the limit', async () => {
    await openStore();
    const error = await expectMaasError(
      store.add(source(CSV), { fileName: 'big.csv' }, 10),
      'MAAS_ERR_DATASET_TOO_LARGE',
    );
    expect(error.status).toBe(413);
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('keeps nothing of a failing stream', async () => {
    await openStore();
    const failing = new Readable({
      read() {
        this.push('text,label\n');
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.add(failing, { fileName: 'cut.csv' }, NO_LIMIT)).rejects.toThrow(
      'connection reset',
    );
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('rejects UTF-16 text with its line', async () => {
    await openStore();
    const bytes = Buffer.concat([Buffer.from('text,label\n'), Buffer.from([0xff, 0xfe, 0x41])]);
    await expectMaasError(
      store.add(source(bytes), { fileName: 'utf16.csv' }, NO_LIMIT),
      'MAAS_ERR_DATASET_INVALID',
    );
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
  });

  it('rejects an option of another format', async () => {
    await openStore();
    const error = await expectMaasError(
      store.add(source(CSV), { fileName: 'a.csv', options: { repairTags: true } }, NO_LIMIT),
      'MAAS_ERR_REQUEST_INVALID',
    );
    expect(error.param).toBe('repair_tags');
  });

  it('rejects a task that the format does not contain', async () => {
    await openStore();
    const error = await expectMaasError(
      store.add(source(CSV), { fileName: 'a.csv', task: 'token-classification' }, NO_LIMIT),
      'MAAS_ERR_REQUEST_INVALID',
    );
    expect(error.param).toBe('task');
    expect(error.message).toContain('does not match format csv');
  });

  it('rejects an unknown task, listing the tasks', async () => {
    await openStore();
    const error = await expectMaasError(
      store.add(source(CSV), { fileName: 'a.csv', task: 'bogus' }, NO_LIMIT),
      'MAAS_ERR_REQUEST_INVALID',
    );
    expect(error.param).toBe('task');
    expect(error.message).toContain('"bogus" is not a dataset task');
    expect(error.message).toContain('semantic-role-labeling');
    expect(error.message).toContain('text-classification');
  });

  it('requires a format for .txt', async () => {
    await openStore();
    await expectMaasError(
      store.add(source(CONLL), { fileName: 'train.txt' }, NO_LIMIT),
      'MAAS_ERR_DATASET_FORMAT_UNKNOWN',
    );
  });

  it('deletes the file and the row', async () => {
    await openStore();
    const { dataset } = await store.add(source(CSV), { fileName: 'a.csv' }, NO_LIMIT);
    await store.remove(dataset.id);
    expect(await store.list()).toEqual([]);
    expect(await listLeftovers()).toEqual({ datasets: [], staging: [] });
    await expectMaasError(store.get(dataset.id), 'MAAS_ERR_DATASET_NOT_FOUND');
    await expectMaasError(store.remove(dataset.id), 'MAAS_ERR_DATASET_NOT_FOUND');
  });

  it('removes a folder without a row at recovery', async () => {
    await openStore();
    const { dataset } = await store.add(source(CSV), { fileName: 'a.csv' }, NO_LIMIT);
    // A crash between the rename and the insert leaves a folder without a row.
    const orphan = sha256('orphan');
    await mkdir(join(artifactsDir, DATASETS_DIR, orphan), { recursive: true });
    await writeFile(join(artifactsDir, DATASETS_DIR, orphan, 'data.csv'), 'x');
    expect(await store.recover()).toEqual([orphan]);
    expect((await listLeftovers()).datasets).toEqual([dataset.id]);
  });

  it('stores over a folder left without a row', async () => {
    await openStore();
    const id = sha256(CSV);
    await mkdir(join(artifactsDir, DATASETS_DIR, id), { recursive: true });
    await writeFile(join(artifactsDir, DATASETS_DIR, id, 'partial'), 'x');
    const { dataset } = await store.add(source(CSV), { fileName: 'a.csv' }, NO_LIMIT);
    expect(await readdir(join(artifactsDir, DATASETS_DIR, id))).toEqual(['data.csv']);
    expect(await readFile(store.filePath(dataset), 'utf8')).toBe(CSV);
  });

  it('returns not found for a malformed id', async () => {
    await openStore();
    await expectMaasError(store.get('../../etc/passwd'), 'MAAS_ERR_DATASET_NOT_FOUND');
  });
});
