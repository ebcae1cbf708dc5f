// A storefront page in a browser on another origin than the API, calling it
// three ways (fetch with the headers real clients add, Apollo Client 3 and
// urql) and buying through it (urql's mutations, cross-origin). clients_test.go bundles this with build.mjs, serves it from a second
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

// A guest buys from the page with urql: a cart, who and where, the
// cheapest delivery, checkoutComplete, and the order read back with its
// access key. Every call is a cross-origin POST with a JSON body.
async function purchase() {
  const client = new Client({ url: api, exchanges: [fetchExchange], requestPolicy: 'network-only' });
  const run = async (query, variables, field) => {
    const result = await client.mutation(query, variables).toPromise();
    if (result.error) throw result.error;
    const payload = result.data[field];
    if (payload.userErrors && payload.userErrors.length) throw new Error(`${field}: ${JSON.stringify(payload.userErrors)}`);
    return payload;
  };
  const found = await client.query(`query ForSale { products(first: 10, filter: { available: true }) { nodes { variants(first: 1) { nodes { id } } } } }`, {}).toPromise();
  if (found.error) throw found.error;
  const variant = found.data.products.nodes[0].variants.nodes[0].id;
  const cart = (await run(`mutation Create($v: ID!) { cartCreate(input: { lines: [{ merchandiseId: $v, quantity: 1 }] }) { cart { id } userErrors { code message } } }`,
    { v: variant }, 'cartCreate')).cart;
  const withBuyer = (await run(`mutation Buyer($c: ID!) { cartBuyerIdentityUpdate(cartId: $c, buyerIdentity: { email: "browser@example.com",
      deliveryAddress: { firstName: "Fah", address1: "9 Tha Phae Rd", city: "Mueang Chiang Mai", province: "Chiang Mai", zip: "50100", country: "TH" } }) {
      cart { deliveryOptions { handle title } } userErrors { code message } } }`, { c: cart.id }, 'cartBuyerIdentityUpdate')).cart;
  if (!withBuyer.deliveryOptions.length) throw new Error('no delivery options for Chiang Mai');
  const ready = (await run(`mutation Deliver($c: ID!, $h: String!) { cartSelectedDeliveryOptionUpdate(cartId: $c, handle: $h) {
      cart { problems { code } cost { totalAmount { amount } } } userErrors { code message } } }`,
  { c: cart.id, h: withBuyer.deliveryOptions[0].handle }, 'cartSelectedDeliveryOptionUpdate')).cart;
  if (ready.problems.length) throw new Error(`the cart is not ready: ${JSON.stringify(ready.problems)}`);
  const order = (await run(`mutation Checkout($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k) {
      order { id number total { amount } accessKey } userErrors { code message } } }`,
  { c: cart.id, k: crypto.randomUUID() }, 'checkoutComplete')).order;
  if (order.total.amount !== ready.cost.totalAmount.amount) throw new Error(`order total ${order.total.amount}, cart ${ready.cost.totalAmount.amount}`);
  const read = await client.query(`query OrderPage($id: ID!, $k: String) { order(id: $id, accessKey: $k) { number } }`,
    { id: order.id, k: order.accessKey }).toPromise();
  if (read.error || read.data.order?.number !== order.number) throw new Error(`the order page: ${JSON.stringify(read.data || read.error)}`);
  // Pay by PromptPay: the page shows the QR code as an image from the API's origin.
  const payment = (await run(`mutation Pay($i: PaymentCreateInput!) { paymentCreate(input: $i) {
      payment { status amount { amount } promptPay { qrImageUrl } } userErrors { code message } } }`,
  { i: { orderId: order.id, accessKey: order.accessKey, method: 'PROMPTPAY', idempotencyKey: crypto.randomUUID() } }, 'paymentCreate')).payment;
  if (payment.status !== 'PENDING' || payment.amount.amount !== order.total.amount) throw new Error(`paymentCreate: ${JSON.stringify(payment)}`);
  const img = new Image();
  await new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = () => reject(new Error('the QR image did not load'));
    img.src = payment.promptPay.qrImageUrl.replace(/^https?:\/\/[^/]+/, new URL(api).origin);
  });
  if (img.naturalWidth !== 512) throw new Error(`the QR image is ${img.naturalWidth} pixels wide`);
  return `order ${order.number}, ${order.total.amount} THB, delivered by ${withBuyer.deliveryOptions[0].title}, PromptPay QR shown`;
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
  await attempt('purchase', purchase),
])();
