// Verified delivery into the real Gemini CLI client (see delivery-suite.ts). Run alone:
//   npx vitest run --config vitest.clients.config.ts test/clients/delivery-gemini.test.ts
import { afterAll } from 'vitest';
import { deliverySuite, observed } from './delivery-suite.js';

deliverySuite('gemini');
afterAll(() => {
  if (observed.length > 0) console.table(observed);
});
