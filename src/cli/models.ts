import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MaasError } from '../errors/index.js';
import { MODEL_CARD_FILE } from '../registry/index.js';
import type { Settings } from '../config/index.js';
import { isHubModelId } from '../serving/hub-download.js';
import type { LlamaModelOptions } from '../runtimes/llama/index.js';
import { importGgufFile } from '../serving/import-gguf.js';
import { importHuggingFaceFolder } from '../serving/import-hf-folder.js';
import { importHuggingFaceHub } from '../serving/import-hf-hub.js';
import { toDetail } from '../api/routes/models.js';
import { recordCliAction } from './audit.js';
import { addDataOptions, withCommandContext } from './settings-options.js';
import { printTable } from './table.js';

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('list and inspect registered models');

  addDataOptions(
    models
      .command('list')
      .description('list models with their latest version and aliases')
      .option('--json', 'print JSON'),
  ).action(async (options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      const list = await context.registry.listModels();
      if (options['json'] === true) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      const rows = list.map((model) => [
        model.name,
        model.task,
        String(model.latestVersion),
        Object.entries(model.aliases)
          .map(([alias, version]) => `${alias}→${version}`)
          .join(' '),
      ]);
      printTable(['NAME', 'TASK', 'LATEST', 'ALIASES'], rows);
    });
  });

  addDataOptions(
    models
      .command('show <name>')
      .description('print a model with its versions, aliases and model cards as JSON'),
  ).action(async (name: string, options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      console.log(JSON.stringify(toDetail(await context.registry.getModel(name)), null, 2));
    });
  });

  registerImportCommand(models);
  registerAliasCommand(models);
}

/** `maas models alias <name> <alias> <version>` and `--delete`. */
function registerAliasCommand(models: Command): void {
  addDataOptions(
    models
      .command('alias <name> <alias> [version]')
      .description('point an alias such as production or staging at a version, or delete it')
      .option('--delete', 'delete the alias instead'),
  ).action(
    async (
      name: string,
      alias: string,
      version: string | undefined,
      options: Record<string, unknown>,
    ) => {
      await withCommandContext(options, async (context) => {
        if (options['delete'] === true) {
          await context.registry.deleteAlias(name, alias);
          await recordCliAction(context, 'models.alias.delete', `${name}@${alias}`);
          console.log(`deleted ${name}@${alias}`);
          return;
        }
        const number = Number(version);
        if (version === undefined || !Number.isSafeInteger(number) || number < 1) {
          throw new MaasError(
            'MAAS_ERR_REQUEST_INVALID',
            `version must be a positive integer, got ${version === undefined ? 'nothing' : JSON.stringify(version)}; e.g. maas models alias ${name} ${alias} 2`,
            { param: 'version' },
          );
        }
        const record = await context.registry.setAlias(name, alias, number);
        await recordCliAction(context, 'models.alias.set', `${name}@${alias}`, {
          version: record.version,
        });
        console.log(`${name}@${alias} → ${record.version}`);
      });
    },
  );
}

/**
 * `maas models import <folder|file|hub-id>`: a packaged model folder, a Hugging Face model
 * folder, a GGUF file, or a hub model id to download when `hub.allow_remote` is on.
 */
function registerImportCommand(models: Command): void {
  addDataOptions(
    models
      .command('import <source>')
      .description(
        'register a model as a new version: a folder with model-card.json (as models/ holds), a Hugging Face folder with config.json, tokenizer.json and onnx/model.onnx, a .gguf file, or a hub model id such as owner/name (needs hub.allow_remote)',
      )
      .requiredOption('--name <model>', 'model name in the registry')
      .option(
        '--task <task>',
        'task of a Hugging Face folder: text-classification, token-classification, feature-extraction, fill-mask or zero-shot-classification (default: from config.json); of a GGUF file: text-generation (default) or feature-extraction',
      )
      .option(
        '--context-size <tokens>',
        'GGUF only: tokens per sequence, prompt and output together (default: llama.context_size)',
      )
      .option(
        '--parallel <sequences>',
        'GGUF only: generations that run together (default: llama.parallel_sequences)',
      )
      .option(
        '--threads <count>',
        'GGUF only: CPU threads of llama.cpp, 0 to let it choose (default: llama.threads)',
      )
      .option('--revision <revision>', 'branch, tag or commit of a hub model', 'main')
      .option('--description <text>', 'model description')
      .option('--alias <alias>', 'alias to point at the new version, e.g. production'),
  ).action(async (source: string, options: Record<string, unknown>) => {
    await withCommandContext(options, async (context) => {
      const name = options['name'] as string;
      const alias = options['alias'] as string | undefined;
      if (source.toLowerCase().endsWith('.gguf')) {
        const version = await importGgufFile(context.registry, source, {
          name,
          ...readGgufOptions(options),
          ...(options['task'] === undefined ? {} : { task: options['task'] as string }),
          ...(options['description'] === undefined
            ? {}
            : { description: options['description'] as string }),
          ...(alias === undefined ? {} : { alias }),
        });
        console.log(`imported ${version.name}@${version.version} (${version.task}, GGUF file)`);
        return;
      }
      if (existsSync(join(source, MODEL_CARD_FILE))) {
        const version = await context.registry.importVersionFromFolder(source, {
          name,
          ...(alias === undefined ? {} : { alias }),
        });
        const verb = version.created ? 'imported' : 'already registered as';
        await recordCliAction(context, 'models.import', `${version.name}@${version.version}`, {
          source,
        });
        console.log(`${verb} ${version.name}@${version.version} (${version.task})`);
        return;
      }
      const importOptions = {
        name,
        ...(options['task'] === undefined ? {} : { task: options['task'] as string }),
        ...(options['description'] === undefined
          ? {}
          : { description: options['description'] as string }),
        ...(alias === undefined ? {} : { alias }),
      };
      if (!existsSync(source) && isHubModelId(source)) {
        const version = await importHuggingFaceHub(context.registry, source, {
          ...importOptions,
          allowRemote: context.settings['hub.allow_remote'],
          download: hubDownloadOptions(context.settings, options['revision'] as string),
        });
        await recordCliAction(context, 'models.import', `${version.name}@${version.version}`, {
          source,
        });
        console.log(`imported ${version.name}@${version.version} (${version.task}, hub ${source})`);
        return;
      }
      const version = await importHuggingFaceFolder(context.registry, source, importOptions);
      await recordCliAction(context, 'models.import', `${version.name}@${version.version}`, {
        source,
      });
      console.log(
        `imported ${version.name}@${version.version} (${version.task}, Hugging Face folder)`,
      );
    });
  });
}

function hubDownloadOptions(settings: Settings, revision: string) {
  const token = process.env['HF_TOKEN'];
  return {
    endpoint: settings['hub.endpoint'],
    revision,
    maxBytes: settings['hub.max_download_mb'] * 2 ** 20,
    timeoutMs: settings['hub.download_timeout_ms'],
    ...(token === undefined || token === '' ? {} : { token }),
  };
}

/** Reads `--context-size`, `--parallel` and `--threads` as integers. */
function readGgufOptions(options: Record<string, unknown>): Partial<LlamaModelOptions> {
  const read = (flag: string, key: string, min: number): number | undefined => {
    const text = options[key];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min) {
      throw new MaasError(
        'MAAS_ERR_REQUEST_INVALID',
        `--${flag} must be an integer of at least ${min}, got ${JSON.stringify(text)}`,
        { param: flag },
      );
    }
    return value;
  };
  const contextSize = read('context-size', 'contextSize', 16);
  const parallelSequences = read('parallel', 'parallel', 1);
  const threads = read('threads', 'threads', 0);
  return {
    ...(contextSize === undefined ? {} : { contextSize }),
    ...(parallelSequences === undefined ? {} : { parallelSequences }),
    ...(threads === undefined ? {} : { threads }),
  };
}
