// Verified delivery into the real codex client (see delivery-suite.ts). Run alone:
//   npx vitest run --config vitest.clients.config.ts test/clients/delivery-codex.test.ts
import { afterAll } from 'vitest';
import { deliverySuite, observed } from './delivery-suite.js';

deliverySuite('codex');
afterAll(() => {
  if (observed.length > 0) console.table(observed);
});
