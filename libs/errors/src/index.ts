export { BatonError, type BatonErrorOptions } from './baton-error.ts';
export * from './errors.ts';
