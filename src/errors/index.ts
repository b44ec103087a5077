export { ERROR_CODES, type ErrorCode } from './codes.js';
export { MaasError, isMaasError, type MaasErrorOptions } from './maas-error.js';
