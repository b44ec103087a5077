export {
  CONFIG_FILE_NAME,
  loadConfig,
  parseSetting,
  type LoadConfigOptions,
  type LoadedConfig,
  type SettingSource,
} from './load.js';
export {
  SETTINGS,
  environmentVariableOf,
  type SettingDefinition,
  type SettingName,
  type Settings,
} from './settings.js';
