export {
  formatFromFileName,
  parseClassificationText,
  readClassificationFile,
  type ClassificationDataset,
  type ClassificationExample,
  type ClassificationFormat,
  type ClassificationReadOptions,
} from './classification.js';
export {
  DEFAULT_LABEL_COLUMNS,
  DEFAULT_TEXT_COLUMNS,
  resolveFieldIndex,
  resolveJsonKey,
  type ColumnRole,
  type ColumnSelector,
} from './columns.js';
export { parseDelimited, type DelimitedOptions, type DelimitedRecord } from './delimited.js';
export { describeJsonType, parseJsonLines, type JsonLineRecord } from './jsonl.js';
export { MAX_LISTED_ROW_PROBLEMS, RowProblems, type RowProblem } from './row-problems.js';
export {
  computeStatistics,
  countCodePoints,
  type DatasetStatistics,
  type TextLengthStatistics,
} from './statistics.js';
export { stratifiedSplit, type StratifiedSplit, type StratifiedSplitOptions } from './split.js';
export { readUtf8File } from './text-file.js';
