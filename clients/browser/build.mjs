// Bundles browser/app.mjs with Apollo Client and urql from node_modules into
// one ES module, so the browser test needs no CDN.
//
//   node browser/build.mjs /tmp/out/app.js

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const outfile = process.argv[2];
if (!outfile) {
  console.error('usage: node browser/build.mjs OUTFILE');
  process.exit(2);
}
await build({
  entryPoints: [fileURLToPath(new URL('app.mjs', import.meta.url))],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // The storefront documents are imported as their text.
  loader: { '.graphql': 'text' },
  define: { 'process.env.NODE_ENV': '"development"' },
  logLevel: 'warning',
});
