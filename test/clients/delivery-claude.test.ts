// Verified delivery into the real claude client (see delivery-suite.ts). Run alone:
//   npx vitest run --config vitest.clients.config.ts test/clients/delivery-claude.test.ts
import { afterAll } from 'vitest';
import { deliverySuite, observed } from './delivery-suite.js';

deliverySuite('claude');
afterAll(() => {
  if (observed.length > 0) console.table(observed);
});
