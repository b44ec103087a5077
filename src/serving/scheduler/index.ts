export {
  paddedTokens,
  selectBatch,
  type BatchBudget,
  type BatchSelection,
} from './batch-selection.js';
export {
  DEFAULT_SCHEDULER_LIMITS,
  MAX_TIMER_DELAY_MS,
  resolveSchedulerOptions,
  type BatchReport,
  type BatchSchedulerOptions,
  type SchedulerLimits,
  type SubmitOptions,
} from './options.js';
export { type SchedulerStats } from './batch-statistics.js';
export { BatchScheduler } from './scheduler.js';
export { submitInSlices } from './submit-in-slices.js';
