// A storefront page in a browser on another origin than the API, calling it
// three ways: fetch with the headers real clients add, Apollo Client 3 and
// urql. clients_test.go bundles this with build.mjs, serves it from a second
// server and reads window.langranClients: one {name, ok, detail} per client.

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { Client, fetchExchange } from '@urql/core';

import productGrid from '../documents/ProductGrid.graphql';

const api = new URL(window.location.href).searchParams.get('api');

// The headers storefronts send: Apollo's client awareness pair, W3C trace
// context from browser tracing, and the shopper's language.
function traceparent() {
  const hex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `00-${hex(16)}-${hex(8)}-01`;
}
const clientName = 'langran-storefront-web';
const clientVersion = '2026.11.0';

function thaiTitles(products) {
  const titles = products.edges.map((e) => e.node.title);
  if (titles.length === 0) throw new Error('no products');
  if (!titles.some((t) => /[\u0E00-\u0E7F]/.test(t))) throw new Error(`no Thai titles: ${JSON.stringify(titles)}`);
  return `${titles.length} products, e.g. ${titles[0]}`;
}

async function plainFetch() {
  const response = await fetch(api, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'apollographql-client-name': clientName,
      'apollographql-client-version': clientVersion,
      traceparent: traceparent(),
      'Accept-Language': 'th',
    },
    body: JSON.stringify({ query: productGrid, operationName: 'ProductGrid', variables: { first: 4 } }),
  });
  const body = await response.json();
  if (response.status !== 200 || body.errors) throw new Error(`${response.status} ${JSON.stringify(body)}`);
  const requestID = response.headers.get('X-Request-ID');
  if (!requestID) throw new Error('X-Request-ID is not readable from the page (Access-Control-Expose-Headers)');
  return `${thaiTitles(body.data.products)}; request ${requestID}`;
}

async function apollo() {
  const client = new ApolloClient({
    link: new HttpLink({ uri: api, headers: { traceparent: traceparent(), 'Accept-Language': 'th' } }),
    cache: new InMemoryCache(),
    clientAwareness: { name: clientName, version: clientVersion },
  });
  const { data } = await client.query({ query: gql(productGrid), variables: { first: 4 } });
  return thaiTitles(data.products);
}

async function urql() {
  const client = new Client({
    url: api,
    exchanges: [fetchExchange],
    fetchOptions: () => ({
      headers: {
        'apollographql-client-name': clientName,
        'apollographql-client-version': clientVersion,
        traceparent: traceparent(),
        'Accept-Language': 'th',
      },
    }),
  });
  const result = await client.query(productGrid, { first: 4 }).toPromise();
  if (result.error) throw result.error;
  return thaiTitles(result.data.products);
}

async function attempt(name, fn) {
  try {
    return { name, ok: true, detail: await fn() };
  } catch (err) {
    const cause = err && err.networkError ? ` (network error: ${err.networkError.message})` : '';
    return { name, ok: false, detail: `${err && err.name}: ${err && err.message}${cause}` };
  }
}

window.langranClients = (async () => [
  await attempt('fetch', plainFetch),
  await attempt('Apollo Client', apollo),
  await attempt('urql', urql),
])();
