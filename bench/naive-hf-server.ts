/**
 * The naive baseline for a Hugging Face folder: a plain `node:http` handler that sends each
 * request alone into a @huggingface/transformers text-classification pipeline, one request
 * at a time. Usage: tsx bench/naive-hf-server.ts <folder> <port>
 */
import { createServer } from 'node:http';
import { env, pipeline } from '@huggingface/transformers';

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
let previous: Promise<unknown> = Promise.resolve();

createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    // One request at a time: each waits for the previous one.
    previous = previous.then(async () => {
      try {
        const { inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { inputs: string };
        const body = JSON.stringify(await classify(inputs));
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } catch (error) {
        response.writeHead(400).end(String(error));
      }
    });
  });
}).listen(Number(portText), '127.0.0.1', () => console.log('ready'));
