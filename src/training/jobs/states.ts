/** States of a training job: `queued → running → succeeded / failed / cancelled`. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States that a job never leaves. */
export const FINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

/** Reports whether a job in `state` has ended. */
export function isFinalState(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** Tasks and architectures that the trainers support, by task; the first is the default. */
export const TRAINABLE = {
  'text-classification': ['lstm', 'bilstm', 'gru', 'rnn', 'fasttext', 'textcnn', 'transformer'],
  'token-classification': ['bilstm-crf', 'bilstm'],
  'semantic-role-labeling': ['bilstm'],
} as const satisfies Record<string, readonly string[]>;
export type TrainableTask = keyof typeof TRAINABLE;

/** Lists the supported tasks and architectures for an error message. */
export function describeTrainable(): string {
  return Object.entries(TRAINABLE)
    .map(([task, architectures]) => `${task} (architectures ${architectures.join(', ')})`)
    .join('; ');
}
