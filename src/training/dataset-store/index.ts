export { datasetTooLarge, fileSource } from './received-file.js';
export {
  DATASETS_DIR,
  DatasetStore,
  type AddDatasetResult,
  type DatasetDescription,
  type ReceivedFile,
} from './dataset-store.js';
export {
  DATASET_FORMATS,
  DATASET_KINDS,
  KIND_OF_FORMAT,
  OPTION_FIELDS,
  checkDatasetFormat,
  datasetFormatFromFileName,
  labelsOf,
  parseDataset,
  statisticsOf,
  type DatasetFormat,
  type DatasetKind,
  type DatasetReadOptions,
  type ParsedDataset,
} from './formats.js';
export { toDatasetJson, toDatasetRecord, type DatasetRecord } from './record.js';
