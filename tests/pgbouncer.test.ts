import { expect, inject, it } from 'vitest';
import { throughPgbouncer } from './support/databases.js';

it.runIf(throughPgbouncer)('setup probe', () => {
  expect(inject('pgbouncerPort')).toBeGreaterThan(0);
  expect(inject('pgliteTemplate')).toBeTruthy();
});
