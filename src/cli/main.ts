import { Command, CommanderError } from 'commander';
import { isMaasError } from '../errors/index.js';
import { registerConfigCommand } from './config.js';
import { registerDatasetsCommand } from './datasets.js';
import { registerEvalCommand } from './eval.js';
import { registerKeysCommand } from './keys.js';
import { registerModelsCommand } from './models.js';
import { registerPredictCommand } from './predict.js';
import { registerServeCommand } from './serve.js';
import { registerTrainCommand } from './train.js';
import { registerUsageCommands } from './usage.js';

const program = new Command('maas')
  .description('nlp-maas: train, register and serve NLP models')
  .version(process.env['npm_package_version'] ?? '0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerServeCommand(program);
registerTrainCommand(program);
registerPredictCommand(program);
registerEvalCommand(program);
registerModelsCommand(program);
registerDatasetsCommand(program);
registerKeysCommand(program);
registerUsageCommands(program);
registerConfigCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and --version exit 0; usage errors exit 2, like invalid input elsewhere.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (isMaasError(error)) {
    console.error(`error ${error.code}: ${error.message}`);
    process.exit(error.status >= 500 ? 1 : 2);
  }
  console.error(error);
  process.exit(1);
}
