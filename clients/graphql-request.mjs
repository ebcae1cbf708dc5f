// graphql-request, the minimal client many server-rendered storefronts and
// scripts use: one POST per request, errors thrown as ClientError.
//
//   node graphql-request.mjs http://127.0.0.1:8080

import { ClientError, GraphQLClient, gql } from 'graphql-request';

import { check, document, expect, finish, graphqlURL, recordingFetch, show, showExchanges } from './lib/langran.mjs';

const url = graphqlURL();
const ProductGrid = document('ProductGrid.graphql');
const ProductPage = document('ProductPage.graphql');

await check('the product grid, two pages, and a product page by handle', async () => {
  const rec = recordingFetch();
  const client = new GraphQLClient(url, { fetch: rec.fetch, headers: { 'Accept-Language': 'th' } });
  const page1 = await client.request(ProductGrid, { first: 5 });
  const page2 = await client.request(ProductGrid, { first: 5, after: page1.products.pageInfo.endCursor });
  const ids = [...page1.products.edges, ...page2.products.edges].map((e) => e.node.id);
  expect(ids.length === 10 && new Set(ids).size === 10, `two pages of five: ${show(ids)}`);
  const handle = page1.products.edges[0].node.handle;
  const { product } = await client.request(ProductPage, { handle });
  expect(product && product.handle === handle, `product(handle: ${handle}) gave ${show(product)}`);
  expect(/[\u0E00-\u0E7F]/.test(product.title), `Accept-Language: th should give a Thai title, got ${show(product.title)}`);
  const variant = product.variants.edges[0].node;
  expect(/^\d+\.\d{2}$/.test(variant.price.amount), `Decimal amount ${show(variant.price)}`);
  expect(!Number.isNaN(Date.parse(product.createdAt)), `DateTime ${show(product.createdAt)}`);
  expect(rec.exchanges.every((x) => x.method === 'POST' && x.status === 200), showExchanges(rec.exchanges));
});

async function errorCase(query, wantCode, wantMessage) {
  const rec = recordingFetch();
  const client = new GraphQLClient(url, { fetch: rec.fetch });
  let err;
  try {
    await client.request(query);
  } catch (e) {
    err = e;
  }
  const seen = `${err && err.name}: ${err && err.message.split('\n')[0]}\n  HTTP:\n${showExchanges(rec.exchanges)}`;
  expect(err instanceof ClientError, `want a ClientError, got:\n${seen}`);
  const errors = err.response.errors || [];
  expect(errors.length > 0, `the ClientError carries no GraphQL errors:\n${seen}`);
  expect(errors.every((e) => e.extensions && e.extensions.code === wantCode), `want extensions.code ${wantCode}:\n${seen}`);
  expect(errors.some((e) => wantMessage.test(e.message)), `no message matches ${wantMessage}:\n${seen}`);
}

await check('an unknown field comes back as a GraphQL error with extensions.code', () =>
  errorCase(gql`query UnknownField { products(first: 1) { nodes { id priceInSatang } } }`,
    'GRAPHQL_VALIDATION_FAILED', /priceInSatang/));

await check('an argument over its limit comes back as a GraphQL error with extensions.code', () =>
  errorCase(gql`query TooMany { products(first: 101) { nodes { id } } }`, 'INVALID', /first/));

finish('graphql-request');
