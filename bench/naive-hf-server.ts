/**
 * The naive baseline for a Hugging Face folder: a plain `node:http` handler that sends each
 * request alone into a @huggingface/transformers text-classification pipeline, one request
 * at a time. Usage: tsx bench/naive-hf-server.ts <folder> <port>
 */
import { env, pipeline } from '@huggingface/transformers';
import { serveOneAtATime } from './serial-server.js';

const [folder, portText] = process.argv.slice(2);
if (folder === undefined || portText === undefined) {
  console.error('usage: tsx bench/naive-hf-server.ts <folder> <port>');
  process.exit(2);
}
env.allowRemoteModels = false;
const classify = await pipeline('text-classification', folder, {
  dtype: 'fp32',
  local_files_only: true,
});

serveOneAtATime(Number(portText), (input) => classify(input));
