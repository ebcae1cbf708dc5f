// The GraphQL-over-HTTP conformance audit of graphql-http, run against
// /graphql. Every result is printed; any error (a failed MUST) or warning (a
// failed SHOULD) fails the run. Notices (MAYs) are printed and do not fail,
// except two that the specification itself makes a SHOULD (specShould).
//
//   node audit.mjs http://127.0.0.1:8080
//   LANGRAN_ENV=production node audit.mjs http://127.0.0.1:8080
//
// With LANGRAN_ENV=production introspection is off, and four audits probe
// variables with a `__type(name: $name)` query, which production must refuse.
// Those four are excused only when the refusal is a proper one (a coded,
// safe GraphQL error about introspection, never an internal error), and the
// requirement they stand for is then checked with a catalog query instead.

import { auditServer } from 'graphql-http';

import { check, expect, finish, graphqlURL, production, show } from './lib/langran.mjs';

const url = graphqlURL();

// Audits whose request is an introspection query with variables.
const introspectionProbes = new Set(['28B9', '2EA1', 'D6D5', '6A70']);

// Audits the tool reports as MAY where the specification says SHOULD: they
// fail the run like warnings. Both send {"qeury": ...} (a typo, so not a
// well-formed GraphQL-over-HTTP request) and accept application/json, where
// the specification's "Invalid parameters" example reads: "A request that
// does not constitute a well-formed GraphQL-over-HTTP request SHOULD result
// in status code 400 (Bad Request)".
const specShould = new Set(['3E3A', '8764']);

function properIntrospectionRefusal(body) {
  let result;
  try {
    result = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  const errors = result.errors || [];
  if (errors.length === 0) return 'no errors';
  for (const e of errors) {
    const code = e.extensions && e.extensions.code;
    if (!code || code === 'INTERNAL' || (e.extensions && e.extensions.requestId)) {
      return `extensions ${show(e.extensions)}: refusing introspection is expected, not an internal error`;
    }
    if (!/introspection/i.test(e.message)) return `message ${show(e.message)} does not say introspection is off`;
  }
  return '';
}

const results = await auditServer({ url });
let counted = { ok: 0, notice: 0, warn: 0, error: 0, excused: 0 };
const failures = [];
for (const r of results) {
  if (r.status === 'ok') {
    counted.ok++;
    console.log(`ok      ${r.id} ${r.name}`);
    continue;
  }
  let body;
  try {
    body = await r.response.text();
  } catch (e) {
    body = `(body unreadable: ${e.message})`;
  }
  const seen = `${r.response.status} ${r.response.headers.get('content-type')} ${show(body, 500)}`;
  if (r.status === 'notice' && specShould.has(r.id)) {
    r.status = 'warn';
    r.reason += ' (a MAY in the audit, a SHOULD in the specification: 400 for a request that is not well-formed)';
  }
  if (production && introspectionProbes.has(r.id) && r.status !== 'notice') {
    const wrong = properIntrospectionRefusal(body);
    if (!wrong) {
      counted.excused++;
      console.log(`excused ${r.id} ${r.name}\n        introspection is off in production; refused with ${seen}`);
      continue;
    }
    console.log(`${r.status.toUpperCase().padEnd(7)} ${r.id} ${r.name}\n        ${r.reason}; and not a proper refusal of introspection: ${wrong}\n        got ${seen}`);
  } else {
    console.log(`${r.status.toUpperCase().padEnd(7)} ${r.id} ${r.name}\n        ${r.reason}\n        got ${seen}`);
  }
  counted[r.status]++;
  if (r.status !== 'notice') failures.push(`${r.id} ${r.name}`);
}
console.log(`audit: ${results.length} audits: ${counted.ok} ok, ${counted.excused} excused, ` +
  `${counted.notice} notices, ${counted.warn} warnings, ${counted.error} errors`);

await check('graphql-http audit: no errors and no warnings', () => {
  expect(failures.length === 0, failures.join('\n'));
});

if (production) {
  // What the excused audits stand for, asked with a catalog query.
  const query = 'query Page($first: Int!) { products(first: $first) { totalCount } }';
  const variables = { first: 2 };
  const asked = async (res) => {
    const body = await res.text();
    expect(res.status === 200, `status ${res.status}: ${show(body)}`);
    const result = JSON.parse(body);
    expect(!result.errors && result.data.products.totalCount > 0, show(result));
  };
  for (const accept of ['application/json', 'application/graphql-response+json']) {
    await check(`POST with map {variables}, Accept: ${accept}`, async () => {
      await asked(await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query, variables }),
      }));
    });
    await check(`GET with URL-encoded JSON {variables}, Accept: ${accept}`, async () => {
      const u = new URL(url);
      u.searchParams.set('query', query);
      u.searchParams.set('variables', JSON.stringify(variables));
      await asked(await fetch(u, { headers: { accept } }));
    });
  }
}

finish('audit');
