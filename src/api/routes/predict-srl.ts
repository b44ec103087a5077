import type { InHouseSrlModel } from '../../serving/model-pool.js';
import { submitInSlices, type SubmitOptions } from '../../serving/scheduler/index.js';
import type { SrlFrame } from '../../tasks/semantic-role-labeling.js';
import { countEncodedTokens } from '../../tenancy/index.js';

/** Predicate windows of a request queued at once; the default queue length is 1,024. */
const SRL_WINDOWS_PER_SUBMIT = 128;

/**
 * Labels the arguments of the requested predicates of each text: one window per predicate,
 * all windows of the request queued together, and one list of frames per text in predicate
 * order. The predicates and every text are checked before anything is queued.
 *
 * @throws MaasError `MAAS_ERR_REQUEST_INVALID` for missing or invalid predicate indexes and
 * `MAAS_ERR_INPUT_EMPTY` for a text without words.
 */
export async function labelSemanticRoles(
  model: InHouseSrlModel,
  texts: readonly string[],
  batched: boolean,
  parameters: Record<string, unknown>,
  maxPredicates: number,
  submitOptions: SubmitOptions,
  meterInput: (tokens: number) => Promise<void>,
): Promise<SrlFrame[][]> {
  const predicates = model.pipeline.readPredicates(parameters, maxPredicates);
  const single = parameters['predicate_index'] !== undefined;
  const encodings = texts.map((text, index) =>
    model.pipeline.encode(text, predicates, batched ? `inputs[${index}]` : 'inputs', single),
  );
  const windows = encodings.flatMap((encoding) => encoding.windows);
  await meterInput(countEncodedTokens(windows));
  const scores = await submitInSlices(
    model.scheduler,
    windows,
    SRL_WINDOWS_PER_SUBMIT,
    submitOptions,
  );
  let next = 0;
  return encodings.map((encoding) => {
    const own = scores.slice(next, next + encoding.windows.length);
    next += encoding.windows.length;
    return model.pipeline.frames(encoding, own);
  });
}
