export { BatonError, type BatonErrorOptions } from './baton-error.ts';
export * from './errors.ts';
export { readTlsFiles, type ReadPemFile, type TlsFiles, type TlsFilesConfig } from './tls-files.ts';
