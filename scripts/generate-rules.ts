// `npm run generate:rules`: rewrite the docs' Options sections, the README's
// rule table and the rule settings in package.json from the rule registry.
import { join } from 'node:path';
import { writeGeneratedFiles } from './rule-docs';

const written = writeGeneratedFiles(join(__dirname, '..'));
console.log(written.length === 0 ? 'rule docs and settings are up to date' : `rewrote ${written.join(', ')}`);
