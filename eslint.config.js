// Lint rules that guard the architecture, not only style:
// - services never import each other (only libs);
// - decision-logic libraries (domain, contracts) import no I/O module, so they stay pure and
//   table-testable.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'kafkajs', 'ioredis', 'mysql2', 'mysql2/*', 'fastify', 'pino',
  'node:fs', 'node:fs/*', 'fs', 'node:net', 'net', 'node:http', 'http', 'node:https', 'https',
  'node:child_process', 'child_process', 'node:dgram', 'node:dns', 'node:tls', 'node:worker_threads',
  '@baton/kafka', '@baton/state', '@baton/mysql', '@baton/testing', '@baton/logging',
];
const services = ['detector', 'analyzer', 'recovery-executor', 'hook-runner', 'api'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'infra/kafka/target/**', '.sandbox/**', '.stryker-tmp/**', 'reports/**', '.mutation-build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['libs/domain/**/*.ts', 'libs/contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.filter((m) => !m.includes('*')).map((name) => ({ name, message: 'decision-logic libraries stay pure: no I/O modules' })),
        patterns: [{ group: ioModules.filter((m) => m.includes('*')), message: 'decision-logic libraries stay pure: no I/O modules' }],
      }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'no I/O in decision logic' }, { name: 'process', message: 'no environment or clock reads in decision logic' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'pass `now` in; decision logic never reads the clock' }],
    },
  },
  ...services.map((svc) => ({
    files: [`services/${svc}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: services.filter((s) => s !== svc).flatMap((s) => [`@baton/${s}`, `@baton/${s}/*`, `**/services/${s}/**`, `../../${s}/**`]),
          message: 'services talk over Kafka topics, never by importing each other',
        }],
      }],
    },
  })),
);
