import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printedSchema } from '../../src/schema/index.js';

const schemaFile = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
const printed = printedSchema();

if (process.argv.includes('--check')) {
  const committed = await readFile(schemaFile, 'utf8').catch(() => '');
  if (committed !== printed) {
    console.error('schema.graphql is out of date with the code. Run `npm run schema:print` and commit the result.');
    process.exit(1);
  }
  console.log('schema.graphql matches the code.');
} else {
  await writeFile(schemaFile, printed);
  console.log('Wrote schema.graphql');
}
