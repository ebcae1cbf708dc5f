// Lints the schema (graph/schema/*.graphqls) and the storefront documents
// with the rules in eslint.config.mjs, and prints the findings grouped by
// rule, each with its file and line. Exits non-zero on any finding.
//
//   node lint.mjs          (from anywhere; paths are the repository's)
//   node lint.mjs --json   (the raw findings, for tooling)

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ESLint } from 'eslint';

const clients = path.dirname(fileURLToPath(import.meta.url));
const root = process.env.LANGRAN_ROOT || path.dirname(clients);

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: path.join(clients, 'eslint.config.mjs'),
  errorOnUnmatchedPattern: true,
});
const results = await eslint.lintFiles(['graph/schema/*.graphqls', 'clients/documents/*.graphql']);

const findings = results.flatMap((r) => r.messages.map((m) => ({
  rule: m.ruleId || '(parse error)',
  file: path.relative(root, r.filePath),
  line: m.line,
  column: m.column,
  message: m.message.replace(/\s*\n\s*/g, ' '),
})));

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(findings, null, 2));
} else {
  const byRule = new Map();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) || []), f]);
  for (const [rule, list] of [...byRule].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`${rule} (${list.length})`);
    for (const f of list) console.log(`  ${f.file}:${f.line}:${f.column} ${f.message}`);
  }
  console.log(`lint: ${results.length} files, ${findings.length} findings under ${byRule.size} rules`);
}
process.exitCode = findings.length > 0 ? 1 : 0;
