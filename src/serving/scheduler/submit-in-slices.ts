import { deadlineExceededError } from './errors.js';
import type { SubmitOptions } from './options.js';
import type { BatchScheduler } from './scheduler.js';

/**
 * Queues `inputs` in slices of `sliceSize`, one slice after the other, and resolves with all
 * outputs in order. The deadline of `options` covers the whole request: each slice gets the
 * time that is left, so many slices cannot stretch a request past it.
 *
 * @throws MaasError `MAAS_ERR_DEADLINE_EXCEEDED` when the deadline passes between slices, and
 * the errors of {@link BatchScheduler.submit}.
 */
export async function submitInSlices<Input, Output>(
  scheduler: Pick<BatchScheduler<Input, Output>, 'submit' | 'name'>,
  inputs: readonly Input[],
  sliceSize: number,
  options: SubmitOptions,
): Promise<Output[]> {
  const { deadlineMs } = options;
  const deadlineAt = deadlineMs === undefined ? undefined : Date.now() + deadlineMs;
  const outputs: Output[] = [];
  for (let start = 0; start < inputs.length; start += sliceSize) {
    const remainingMs = deadlineAt === undefined ? undefined : deadlineAt - Date.now();
    if (remainingMs !== undefined && remainingMs <= 0) {
      throw deadlineExceededError(scheduler.name, deadlineMs as number);
    }
    const slice = inputs.slice(start, start + sliceSize);
    const sliceOptions =
      remainingMs === undefined ? options : { ...options, deadlineMs: remainingMs };
    outputs.push(...(await scheduler.submit(slice, sliceOptions)));
  }
  return outputs;
}
