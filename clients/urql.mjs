// urql with Graphcache, as a React storefront configures it: normalised
// cache, relay pagination, queries sent as GET while they fit in a URL.
//
//   node urql.mjs http://127.0.0.1:8080

import { Client, fetchExchange, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

import { check, document, expect, finish, graphqlURL, recordingFetch, show, showExchanges } from './lib/langran.mjs';

const url = graphqlURL();
const ProductGrid = gql(document('ProductGrid.graphql'));

// Graphcache reports what it cannot normalise with console.warn; in a
// storefront that is a bug, so here it fails the check that caused it.
const warnings = [];
console.warn = (...args) => warnings.push(args.map(String).join(' '));

// Types without an ID are embedded in their parent rather than normalised.
const embedded = ['ProductConnection', 'ProductEdge', 'ProductVariantConnection', 'ProductVariantEdge',
  'CategoryConnection', 'CategoryEdge', 'PageInfo', 'ProductPriceRange', 'Money', 'SelectedOption'];

function newClient(fetchFn) {
  return new Client({
    url,
    fetch: fetchFn,
    requestPolicy: 'cache-first',
    exchanges: [
      cacheExchange({
        keys: Object.fromEntries(embedded.map((t) => [t, () => null])),
        resolvers: { Query: { products: relayPagination() } },
      }),
      fetchExchange,
    ],
  });
}

await check('relay pagination: the page after `endCursor` merges into one list', async () => {
  const rec = recordingFetch();
  const client = newClient(rec.fetch);
  const first = await client.query(ProductGrid, { first: 4 }).toPromise();
  expect(!first.error, `first page: ${first.error}\n${showExchanges(rec.exchanges)}`);
  const page1 = first.data.products;
  expect(page1.edges.length === 4 && page1.pageInfo.hasNextPage, `first page ${show(page1.pageInfo)}, ${page1.edges.length} edges`);
  const next = await client.query(ProductGrid, { first: 4, after: page1.pageInfo.endCursor }).toPromise();
  expect(!next.error, `next page: ${next.error}\n${showExchanges(rec.exchanges)}`);
  const ids = next.data.products.edges.map((e) => e.node.id);
  expect(ids.length === 8 && new Set(ids).size === 8, `merged list ${show(ids)}`);
  expect(rec.exchanges.every((x) => x.method === 'GET' && x.status === 200),
    `urql sends queries that fit in a URL as GET, and each should succeed:\n${showExchanges(rec.exchanges)}`);
  expect(/application\/graphql-response\+json/.test(rec.exchanges[0].contentType),
    `urql asks for application/graphql-response+json first; the answer came as ${rec.exchanges[0].contentType}`);
  expect(warnings.length === 0, `Graphcache warned:\n${warnings.join('\n')}`);
});

async function errorCase(query, wantCode, wantMessage) {
  const rec = recordingFetch();
  const result = await newClient(rec.fetch).query(query, {}).toPromise();
  const seen = `CombinedError: ${result.error && result.error.message}\n` +
    `  graphQLErrors: ${show(result.error && result.error.graphQLErrors)}\n` +
    `  networkError: ${result.error && result.error.networkError}\n  HTTP:\n${showExchanges(rec.exchanges)}`;
  expect(result.error, `no error: ${show(result.data)}`);
  expect(result.error.graphQLErrors.length > 0, `urql surfaced no GraphQL errors:\n${seen}`);
  expect(result.error.graphQLErrors.every((e) => e.extensions && e.extensions.code === wantCode),
    `want every error with extensions.code ${wantCode}:\n${seen}`);
  expect(result.error.graphQLErrors.some((e) => wantMessage.test(e.message)), `no message matches ${wantMessage}:\n${seen}`);
  expect(!result.error.networkError, `a GraphQL error should not also be a network error:\n${seen}`);
}

await check('an unknown field comes back as a GraphQL error with extensions.code', () =>
  errorCase(gql`query UnknownField { products(first: 1) { nodes { id priceInSatang } } }`,
    'GRAPHQL_VALIDATION_FAILED', /priceInSatang/));

await check('an argument over its limit comes back as a GraphQL error with extensions.code', () =>
  errorCase(gql`query TooMany { products(first: 101) { nodes { id } } }`, 'INVALID', /first/));

finish('urql');
