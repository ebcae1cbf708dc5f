// What every client script shares: where the server is, which mode it runs
// in, the storefront documents, and a small check runner whose output reads
// well inside a failing Go test.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

/**
 * The GraphQL endpoint under test: the first argument or LANGRAN_URL, either
 * the server's base URL (http://127.0.0.1:8080) or the endpoint itself.
 */
export function graphqlURL() {
  const given = process.argv[2] || process.env.LANGRAN_URL;
  if (!given) {
    console.error('usage: node <script> http://127.0.0.1:8080   (or set LANGRAN_URL)');
    process.exit(2);
  }
  const url = new URL(given);
  if (!url.pathname.endsWith('/graphql')) {
    url.pathname = url.pathname.replace(/\/?$/, '/graphql');
  }
  return url.toString();
}

/** Whether the server runs with LANGRAN_ENV=production (no introspection). */
export const production = process.env.LANGRAN_ENV === 'production';

/** The text of a storefront document in clients/documents. */
export function document(name) {
  return readFileSync(new URL(`../documents/${name}`, import.meta.url), 'utf8');
}

/** SHA-256 of a query text, hex-encoded, as automatic persisted queries hash it. */
export function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

/** Throws unless ok, with a message that says what was expected and what came. */
export function expect(ok, message) {
  if (!ok) {
    throw new Error(message);
  }
}

/** A short, single-line rendering of a value for failure messages. */
export function show(value, limit = 600) {
  let text;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/**
 * A fetch that records every request and response it carries, so that a
 * check can say what the client actually sent and what the server answered.
 */
export function recordingFetch() {
  const exchanges = [];
  const fetchFn = async (input, init = {}) => {
    const request = new Request(input, init);
    const body = init.body === undefined ? undefined : String(init.body);
    const response = await fetch(request);
    const text = await response.clone().text();
    exchanges.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body,
      status: response.status,
      contentType: response.headers.get('content-type'),
      cacheControl: response.headers.get('cache-control'),
      response: text,
    });
    return response;
  };
  return { fetch: fetchFn, exchanges };
}

/** One line per exchange, for failure messages. */
export function showExchanges(exchanges) {
  return exchanges
    .map((x) => `    ${x.method} ${x.url} accept=${x.headers.accept ?? '-'}\n` +
      (x.body ? `      body ${show(x.body, 300)}\n` : '') +
      `      -> ${x.status} ${x.contentType} cache-control=${x.cacheControl ?? '-'} ${show(x.response, 400)}`)
    .join('\n');
}

const results = [];

/**
 * Runs one named check. A check fails by throwing; its message is printed
 * under its name and the script exits non-zero after all checks have run.
 */
export async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name}`);
  } catch (err) {
    results.push({ name, ok: false });
    const detail = (err && err.message) || String(err);
    console.log(`FAIL  ${name}\n${detail.replace(/^/gm, '      ')}`);
  }
}

/** Prints the tally and sets the exit code. */
export function finish(label) {
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${label}: ${results.length - failed} of ${results.length} checks passed` +
    ` against a ${production ? 'production' : 'development'} server`);
  process.exitCode = failed > 0 ? 1 : 0;
}
