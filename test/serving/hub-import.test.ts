import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { MaasError } from '../../src/errors/index.js';
import { buildHuggingFaceFixture } from '../../src/fixtures/index.js';
import {
  hubFileUrl,
  isHubModelId,
  type HubDownloadOptions,
} from '../../src/serving/hub-download.js';
import { importHuggingFaceHub } from '../../src/serving/import-hf-hub.js';
import { runCli } from '../helpers/cli.js';
import {
  makeTempDir,
  openTestRegistry,
  removeTempDir,
  type TestRegistry,
} from '../registry/helpers.js';

/**
 * A model hub on loopback that serves one repository, `team/tiny-sentiment`, in the hub's
 * `/<id>/resolve/<revision>/<path>` layout, and records every request it receives.
 */
interface MockHub {
  url: string;
  requests: IncomingMessage[];
  /** Status returned for every request instead of the files, when set. */
  failWith: number | undefined;
  /** Send files without a content-length header, as a chunked stream. */
  chunked: boolean;
  /** A file that gets 404, when set. */
  missing: string | undefined;
  close(): Promise<void>;
}

const REPOSITORY = 'team/tiny-sentiment';
const FILES = buildHuggingFaceFixture('text-classification');

async function startMockHub(): Promise<MockHub> {
  const hub: MockHub = {
    url: '',
    requests: [],
    failWith: undefined,
    chunked: false,
    missing: undefined,
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    hub.requests.push(request);
    if (hub.failWith !== undefined) {
      response.writeHead(hub.failWith).end('failure');
      return;
    }
    const prefix = `/${REPOSITORY}/resolve/v1.0/`;
    const path = request.url?.startsWith(prefix) ? request.url.slice(prefix.length) : '';
    const file = path === hub.missing ? undefined : FILES.get(path);
    if (file === undefined) {
      response.writeHead(404).end('Entry not found');
      return;
    }
    if (hub.chunked) {
      response.writeHead(200);
      response.write(file.subarray(0, 10));
      response.end(file.subarray(10));
      return;
    }
    response.writeHead(200, { 'content-length': file.length }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub.close = () => new Promise((resolve) => server.close(() => resolve()));
  return hub;
}

let hub: MockHub;
let env: TestRegistry;

beforeAll(async () => {
  hub = await startMockHub();
});

afterAll(async () => {
  await hub.close();
});

beforeEach(async () => {
  env = await openTestRegistry();
  hub.requests = [];
  hub.failWith = undefined;
  hub.chunked = false;
  hub.missing = undefined;
});

afterEach(async () => {
  await env.close();
  await removeTempDir(env.dataDir);
});

function download(overrides: Partial<HubDownloadOptions> = {}): HubDownloadOptions {
  return {
    endpoint: hub.url,
    revision: 'v1.0',
    maxBytes: 2 ** 30,
    timeoutMs: 10_000,
    ...overrides,
  };
}

function hubTempFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('maas-hub-'));
}

async function importError(promise: Promise<unknown>): Promise<MaasError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MaasError);
  return error as MaasError;
}

describe('isHubModelId', () => {
  it.each(['bert-base-chinese', 'Xenova/bert-base-NER', 'team/model_v1.2'])('accepts %s', (id) => {
    expect(isHubModelId(id)).toBe(true);
  });

  it.each(['', './model', '../x', 'a/b/c', 'team/..', '/abs/path', 'owner/', '-x/y', 'a b'])(
    'rejects %j',
    (text) => {
      expect(isHubModelId(text)).toBe(false);
    },
  );
});

describe('hubFileUrl', () => {
  it('uses the resolve layout', () => {
    expect(hubFileUrl('https://hub.example/', 'a/b', 'refs/pr/1', 'onnx/model.onnx')).toBe(
      'https://hub.example/a/b/resolve/refs%2Fpr%2F1/onnx/model.onnx',
    );
  });
});

describe('importHuggingFaceHub', () => {
  it('downloads, registers and records the source', async () => {
    const before = hubTempFolders();

    const version = await importHuggingFaceHub(env.registry, REPOSITORY, {
      name: 'hub-sentiment',
      allowRemote: true,
      download: download({ token: 'secret-token' }),
    });

    expect(version.version).toBe(1);
    expect(version.task).toBe('text-classification');
    const onnx = await readFile(join(version.dir, 'onnx', 'model.onnx'));
    expect(onnx.equals(FILES.get('onnx/model.onnx') as Buffer)).toBe(true);
    const card = version.modelCard as { source: Record<string, unknown> };
    expect(card.source['hub']).toBe(REPOSITORY);
    expect(card.source['revision']).toBe('v1.0');
    expect(card.source['files']).toContain('tokenizer.json');
    expect(
      hub.requests.every((request) => request.headers.authorization === 'Bearer secret-token'),
    ).toBe(true);
    expect(hubTempFolders()).toEqual(before);
  });

  it('rejects when remote loading is off', async () => {
    const error = await importError(
      importHuggingFaceHub(env.registry, REPOSITORY, {
        name: 'hub-sentiment',
        allowRemote: false,
        download: download(),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_HUB_DISABLED');
    expect(error.message).toContain('MAAS_HUB_ALLOW_REMOTE=true');
    expect(hub.requests).toHaveLength(0);
  });

  it('reports a missing repository', async () => {
    const before = hubTempFolders();

    const error = await importError(
      importHuggingFaceHub(env.registry, 'team/no-such-model', {
        name: 'hub-sentiment',
        allowRemote: true,
        download: download(),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_HUB_MODEL_NOT_FOUND');
    expect(error.message).toContain('config.json');
    expect(hubTempFolders()).toEqual(before);
    expect(await env.registry.listModels()).toEqual([]);
  });

  it('reports a missing revision', async () => {
    const error = await importError(
      importHuggingFaceHub(env.registry, REPOSITORY, {
        name: 'hub-sentiment',
        allowRemote: true,
        download: download({ revision: 'main' }),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_HUB_MODEL_NOT_FOUND');
    expect(error.message).toContain('revision main');
  });

  it.each([false, true])('stops past the size limit (chunked: %s)', async (chunked) => {
    hub.chunked = chunked;
    const before = hubTempFolders();

    const error = await importError(
      importHuggingFaceHub(env.registry, REPOSITORY, {
        name: 'hub-sentiment',
        allowRemote: true,
        download: download({ maxBytes: 2000 }),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_HUB_DOWNLOAD_TOO_LARGE');
    expect(hubTempFolders()).toEqual(before);
    expect(await env.registry.listModels()).toEqual([]);
  });

  it('requires tokenizer_config.json', async () => {
    hub.missing = 'tokenizer_config.json';

    const error = await importError(
      importHuggingFaceHub(env.registry, REPOSITORY, {
        name: 'hub-sentiment',
        allowRemote: true,
        download: download(),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_HUB_MODEL_NOT_FOUND');
    expect(error.message).toContain('tokenizer_config.json');
  });

  it.each([
    [{ name: 'Bad Name!' }, 'MAAS_ERR_MODEL_NAME_INVALID'],
    [{ alias: 'bad alias!' }, 'MAAS_ERR_MODEL_NAME_INVALID'],
    [{ task: 'summarization' }, 'MAAS_ERR_TASK_UNSUPPORTED'],
    [{ revision: '..' }, 'MAAS_ERR_REQUEST_INVALID'],
    [{ revision: '' }, 'MAAS_ERR_REQUEST_INVALID'],
    [{ id: `team/${'x'.repeat(97)}` }, 'MAAS_ERR_REQUEST_INVALID'],
  ])('rejects %j before downloading', async (change, code) => {
    const { id, revision, ...rest } = change as Record<string, string>;

    const error = await importError(
      importHuggingFaceHub(env.registry, id ?? REPOSITORY, {
        name: 'hub-sentiment',
        ...rest,
        allowRemote: true,
        download: download(revision === undefined ? {} : { revision }),
      }),
    );

    expect(error.code).toBe(code);
    expect(hub.requests).toHaveLength(0);
  });

  it('reports a server error', async () => {
    hub.failWith = 500;

    const error = await importError(
      importHuggingFaceHub(env.registry, REPOSITORY, {
        name: 'hub-sentiment',
        allowRemote: true,
        download: download(),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_HUB_DOWNLOAD_FAILED');
    expect(error.message).toContain('HTTP 500');
  });

  it('reports an unreachable hub', async () => {
    const closed = await startMockHub();
    await closed.close();

    const error = await importError(
      importHuggingFaceHub(env.registry, REPOSITORY, {
        name: 'hub-sentiment',
        allowRemote: true,
        download: download({ endpoint: closed.url }),
      }),
    );

    expect(error.code).toBe('MAAS_ERR_HUB_DOWNLOAD_FAILED');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('maas models import <hub-id>', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await makeTempDir('hub-cli');
  });

  afterEach(async () => {
    await removeTempDir(dataDir);
  });

  const environment = (allow: string): Record<string, string> => ({
    MAAS_DATA_DIR: dataDir,
    MAAS_SERVING_REGISTER_BUNDLED: 'false',
    MAAS_HUB_ENDPOINT: hub.url,
    MAAS_HUB_ALLOW_REMOTE: allow,
  });

  it('imports when downloads are allowed', async () => {
    const result = await runCli(
      ['models', 'import', REPOSITORY, '--name', 'hub-sentiment', '--revision', 'v1.0'],
      environment('true'),
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `imported hub-sentiment@1 (text-classification, hub ${REPOSITORY})`,
    );
    expect(existsSync(join(dataDir, 'maas.db'))).toBe(true);
  });

  it('exits 2 when downloads are off', async () => {
    const result = await runCli(
      ['models', 'import', REPOSITORY, '--name', 'hub-sentiment'],
      environment('false'),
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAAS_ERR_HUB_DISABLED');
    expect(hub.requests).toHaveLength(0);
  });
});
