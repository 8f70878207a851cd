// Regenerates assets/roster.schema.json from the zod schema: `node dist/roster/write-schema.js`.
import { writeFileSync } from 'node:fs';
import { rosterJsonSchemaText, rosterSchemaAssetPath } from './json-schema.js';

const target = rosterSchemaAssetPath();
writeFileSync(target, rosterJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
