import { createServer } from 'node:http';

/**
 * Serves `POST {"inputs": "text"}` on loopback with a plain `node:http` handler that runs one
 * request at a time: each waits for the previous one. It is the naive baseline.
 */
export function serveOneAtATime(port: number, handle: (input: string) => Promise<unknown>): void {
  let previous: Promise<unknown> = Promise.resolve();
  createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      previous = previous.then(async () => {
        try {
          const { inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            inputs: string;
          };
          const body = JSON.stringify(await handle(inputs));
          response.writeHead(200, { 'content-type': 'application/json' }).end(body);
        } catch (error) {
          response.writeHead(400).end(String(error));
        }
      });
    });
  }).listen(port, '127.0.0.1', () => console.log('ready'));
}
