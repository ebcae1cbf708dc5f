// Apollo Client 3, as a Node storefront (or a server-rendered React page)
// uses it: relay-style paging, the normalised cache, automatic persisted
// queries over POST and GET, and GraphQL errors surfaced as GraphQL errors.
//
//   node apollo.mjs http://127.0.0.1:8080

import { ApolloClient, ApolloError, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { relayStylePagination } from '@apollo/client/utilities/index.js';
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev/index.js';

import { check, document, expect, finish, graphqlURL, recordingFetch, sha256, show, showExchanges } from './lib/langran.mjs';

// Apollo's warnings then read as text instead of links to its website.
loadDevMessages();
loadErrorMessages();

const uri = graphqlURL();
const ProductGrid = gql(document('ProductGrid.graphql'));
const ProductPage = gql(document('ProductPage.graphql'));

function newCache() {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // One list per filter and order; pages given by `after` merge into it.
          products: relayStylePagination(['filter', 'sortKey', 'reverse']),
        },
      },
    },
  });
}

function newClient(link) {
  return new ApolloClient({
    link,
    cache: newCache(),
    clientAwareness: { name: 'langran-clients-apollo', version: '1.0.0' },
    defaultOptions: { query: { fetchPolicy: 'network-only' } },
  });
}

// The first complete result of a watched query; fetchMore needs a watched
// query, as a grid component has.
function firstResult(watch) {
  return new Promise((resolve, reject) => {
    const sub = watch.subscribe({
      next(result) {
        if (!result.loading) {
          resolve(result);
          setTimeout(() => sub.unsubscribe());
        }
      },
      error: reject,
    });
  });
}

function describeApolloError(err) {
  if (!(err instanceof ApolloError)) return `not an ApolloError: ${err && err.stack}`;
  const net = err.networkError;
  return `ApolloError "${err.message}"\n` +
    `  graphQLErrors: ${show(err.graphQLErrors)}\n` +
    `  networkError: ${net ? `${net.name} "${net.message}" statusCode=${net.statusCode ?? '-'} result=${show(net.result)}` : 'none'}`;
}

await check('relay paging: fetchMore with `after` appends the next page to the cached list', async () => {
  const rec = recordingFetch();
  const client = newClient(new HttpLink({ uri, fetch: rec.fetch }));
  const watch = client.watchQuery({ query: ProductGrid, variables: { first: 4 } });
  const first = await firstResult(watch);
  const page1 = first.data.products;
  expect(page1.edges.length === 4, `first page has ${page1.edges.length} edges, want 4`);
  expect(page1.pageInfo.hasNextPage && page1.pageInfo.endCursor, `first page: pageInfo ${show(page1.pageInfo)}`);
  await watch.fetchMore({ variables: { after: page1.pageInfo.endCursor } });
  const merged = watch.getCurrentResult().data.products;
  const ids = merged.edges.map((e) => e.node.id);
  expect(ids.length === 8, `after fetchMore the list has ${ids.length} edges, want 8:\n${showExchanges(rec.exchanges)}`);
  expect(new Set(ids).size === 8, `pages overlap: ${show(ids)}`);
  expect(ids.slice(0, 4).join() === page1.edges.map((e) => e.node.id).join(), 'the first page changed after fetchMore');
  expect(merged.pageInfo.endCursor !== page1.pageInfo.endCursor, `endCursor did not move: ${show(merged.pageInfo)}`);
  expect(merged.totalCount === page1.totalCount, `totalCount ${merged.totalCount} vs ${page1.totalCount}`);
  const accepts = rec.exchanges.map((x) => x.headers.accept);
  expect(accepts.every((a) => a === '*/*'), `Apollo Client 3 was expected to send Accept: */*, sent ${show(accepts)}`);
  const names = rec.exchanges.map((x) => x.headers['apollographql-client-name']);
  expect(names.every((n) => n === 'langran-clients-apollo'), `client name header: ${show(names)}`);
  expect(rec.exchanges.every((x) => x.status === 200), `statuses:\n${showExchanges(rec.exchanges)}`);
});

await check('normalised cache: one Product entry, whichever query fetched it', async () => {
  const client = newClient(new HttpLink({ uri }));
  const grid = await client.query({ query: ProductGrid, variables: { first: 3 } });
  const card = grid.data.products.edges[0].node;
  const page = await client.query({ query: ProductPage, variables: { handle: card.handle } });
  const product = page.data.product;
  expect(product && product.id === card.id, `product(handle: ${show(card.handle)}) gave ${show(product)}`);
  const key = client.cache.identify(product);
  expect(key === `Product:${card.id}`, `cache key ${show(key)}`);
  const keys = Object.keys(client.cache.extract()).filter((k) => k.includes(card.id));
  expect(keys.length === 1 && keys[0] === key, `cache entries for ${card.id}: ${show(keys)}`);
  // A change written through one path shows through the other.
  client.cache.modify({ id: key, fields: { title: () => 'Changed in the cache' } });
  const gridAgain = client.readQuery({ query: ProductGrid, variables: { first: 3 } });
  const pageAgain = client.readQuery({ query: ProductPage, variables: { handle: card.handle } });
  expect(gridAgain.products.edges[0].node.title === 'Changed in the cache', 'the grid does not see the change');
  expect(pageAgain.product.title === 'Changed in the cache', 'the product page does not see the change');
  const variants = product.variants.edges.map((e) => client.cache.identify(e.node));
  expect(variants.length > 0 && variants.every((k) => k && k.startsWith('ProductVariant:')),
    `variants are not normalised: ${show(variants)}`);
});

async function persistedQueries(useGET) {
  const rec = recordingFetch();
  const link = () => createPersistedQueryLink({ sha256, useGETForHashedQueries: useGET })
    .concat(new HttpLink({ uri, fetch: rec.fetch }));
  // A query the server has not seen, so that its hash is unknown at first.
  const name = `ApqProbe${useGET ? 'Get' : 'Post'}${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const query = gql(`query ${name}($first: Int!) { products(first: $first) { nodes { id handle } } }`);
  const first = await newClient(link()).query({ query, variables: { first: 2 } });
  expect(first.data.products.nodes.length === 2, `first answer ${show(first.data)}`);
  // A second client, as another visitor: the server knows the hash now.
  const before = rec.exchanges.length;
  const second = await newClient(link()).query({ query, variables: { first: 2 } });
  expect(second.data.products.nodes.length === 2, `second answer ${show(second.data)}`);
  const [miss, register] = rec.exchanges;
  const later = rec.exchanges.slice(before);
  const trace = `\n${showExchanges(rec.exchanges)}`;
  const hashOnly = (x) => {
    const sent = x.method === 'GET' ? new URL(x.url).searchParams.get('query') : JSON.parse(x.body).query;
    return !sent;
  };
  const wantMethod = useGET ? 'GET' : 'POST';
  expect(miss && miss.method === wantMethod && hashOnly(miss), `the first request should be a hash-only ${wantMethod}:${trace}`);
  expect(/PersistedQueryNotFound/.test(miss.response), `the server should answer an unknown hash with PersistedQueryNotFound:${trace}`);
  expect(register && !hashOnly(register), `Apollo should then send the query with its hash:${trace}`);
  expect(later.length === 1, `the second client should need one request, made ${later.length}:${trace}`);
  expect(later[0].method === wantMethod && hashOnly(later[0]) && later[0].status === 200,
    `the second client should get its answer from a hash-only ${wantMethod}:${trace}`);
  if (useGET) {
    // A CDN in front keeps what GET answers say it may. PersistedQueryNotFound
    // depends on one instance's memory, so a cached one would keep failing
    // that URL for everyone behind the CDN; only real answers may be shared.
    expect(!/public/.test(miss.cacheControl || ''),
      `the PersistedQueryNotFound answer to a GET must not be publicly cacheable, got Cache-Control: ${miss.cacheControl}:${trace}`);
  }
}

await check('automatic persisted queries over POST', () => persistedQueries(false));
await check('automatic persisted queries over GET (useGETForHashedQueries)', () => persistedQueries(true));

async function graphQLErrorCase(query, wantCode, wantMessage) {
  const rec = recordingFetch();
  const client = newClient(new HttpLink({ uri, fetch: rec.fetch }));
  let err;
  try {
    const res = await client.query({ query });
    throw new Error(`the query succeeded: ${show(res)}`);
  } catch (e) {
    err = e;
  }
  const seen = `${describeApolloError(err)}\n  HTTP:\n${showExchanges(rec.exchanges)}`;
  expect(err instanceof ApolloError, seen);
  expect(err.graphQLErrors.length > 0,
    `Apollo surfaced no GraphQL errors, only a network error; a client cannot tell the user what was wrong:\n${seen}`);
  expect(err.graphQLErrors.every((e) => e.extensions && e.extensions.code === wantCode),
    `want every error with extensions.code ${wantCode}:\n${seen}`);
  expect(err.graphQLErrors.some((e) => wantMessage.test(e.message)), `no error message matches ${wantMessage}:\n${seen}`);
  expect(!err.networkError, `a GraphQL error should not also be a network error:\n${seen}`);
}

await check('an unknown field comes back as a GraphQL error with extensions.code', () =>
  graphQLErrorCase(gql`query UnknownField { products(first: 1) { nodes { id priceInSatang } } }`,
    'GRAPHQL_VALIDATION_FAILED', /priceInSatang/));

await check('an argument of the wrong type comes back as a GraphQL error with extensions.code', () =>
  graphQLErrorCase(gql`query BadArgument { products(first: "ten") { nodes { id } } }`,
    'GRAPHQL_VALIDATION_FAILED', /ten/));

await check('an argument over its limit comes back as a GraphQL error with extensions.code', () =>
  graphQLErrorCase(gql`query TooMany { products(first: 101) { nodes { id } } }`, 'INVALID', /first/));

await check('signing in: customerCreate, customerAccessTokenCreate, then the token in Authorization', async () => {
  const rec = recordingFetch();
  const client = newClient(new HttpLink({ uri, fetch: rec.fetch }));
  const email = `apollo-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = 'a long apollo password';
  const created = await client.mutate({
    mutation: gql`mutation SignUp($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id email } userErrors { field code message } } }`,
    variables: { input: { email, password, firstName: 'Apollo' } },
  });
  expect(created.data.customerCreate.userErrors.length === 0, `customerCreate: ${show(created.data)}`);
  const signedIn = await client.mutate({
    mutation: gql`mutation SignIn($input: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $input) { customerAccessToken { accessToken expiresAt } userErrors { code } } }`,
    variables: { input: { email, password } },
  });
  const token = signedIn.data.customerAccessTokenCreate.customerAccessToken?.accessToken;
  expect(token, `customerAccessTokenCreate: ${show(signedIn.data)}`);
  // The way a storefront sends it: a link that adds the header.
  const authed = newClient(new HttpLink({ uri, fetch: rec.fetch, headers: { Authorization: `Bearer ${token}` } }));
  const me = await authed.query({ query: gql`query Me { customer { id email displayName } }` });
  expect(me.data.customer && me.data.customer.email === email && me.data.customer.id === created.data.customerCreate.customer.id,
    `customer: ${show(me.data)}\n${showExchanges(rec.exchanges)}`);
  // A wrong password is a userError, the same for any email.
  const wrong = await client.mutate({
    mutation: gql`mutation SignIn($input: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $input) { customerAccessToken { accessToken } userErrors { code message } } }`,
    variables: { input: { email, password: 'not the password' } },
  });
  expect(wrong.data.customerAccessTokenCreate.userErrors[0]?.code === 'UNIDENTIFIED_CUSTOMER', `wrong password: ${show(wrong.data)}`);
  // A token that does not work is a 401 the app can catch to send the user to sign in.
  const stale = newClient(new HttpLink({ uri, fetch: rec.fetch, headers: { Authorization: 'Bearer lgc_not-a-real-token' } }));
  let err;
  try {
    await stale.query({ query: gql`query Me { customer { id } }` });
  } catch (e) {
    err = e;
  }
  const net = err && err.networkError;
  expect(net && net.statusCode === 401 && net.result?.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
    `a bad token: ${describeApolloError(err)}`);
});

// The first result of a watched query that pred accepts, or the last one
// seen after a second.
function resultWhere(watch, pred) {
  return new Promise((resolve) => {
    let last = watch.getCurrentResult();
    if (pred(last)) return resolve(last);
    const sub = watch.subscribe({
      next(result) {
        last = result;
        if (pred(result)) {
          clearTimeout(timer);
          resolve(result);
          setTimeout(() => sub.unsubscribe());
        }
      },
    });
    const timer = setTimeout(() => {
      sub.unsubscribe();
      resolve(last);
    }, 1000);
  });
}

const CartFields = `fragment CartFields on Cart {
  id totalQuantity
  cost { subtotalAmount { amount } shippingAmount { amount } totalAmount { amount currencyCode } }
  deliveryOptions { handle title estimatedCost { amount } }
  selectedDeliveryOption { handle }
  problems { code message }
  lines(first: 10) { nodes { id quantity merchandise { id } } }
}`;

await check('a purchase: cart mutations update the one normalised Cart a page watches, then checkoutComplete', async () => {
  const rec = recordingFetch();
  const client = newClient(new HttpLink({ uri, fetch: rec.fetch }));
  const found = await client.query({
    query: gql`query ForSale { products(first: 10, filter: { available: true }) { nodes { variants(first: 1) { nodes { id quantityAvailable } } } } }`,
  });
  const variant = found.data.products.nodes.map((p) => p.variants.nodes[0]).find((v) => v && (v.quantityAvailable ?? 99) >= 3);
  expect(variant, `no variant with 3 in stock: ${show(found.data)}`);
  const payload = (field) => `${field} { cart { ...CartFields } userErrors { field code message } }`;
  const created = await client.mutate({
    mutation: gql`mutation Create($v: ID!) { ${payload('cartCreate(input: { lines: [{ merchandiseId: $v, quantity: 1 }] })')} } ${CartFields}`,
    variables: { v: variant.id },
  });
  const cart = created.data.cartCreate.cart;
  expect(cart && created.data.cartCreate.userErrors.length === 0, `cartCreate: ${show(created.data)}`);
  expect(client.cache.identify(cart) === `Cart:${cart.id}`, `the cart is not normalised: ${client.cache.identify(cart)}`);

  // The cart page watches its cart; a mutation's answer updates it in place.
  const CartPage = gql`query CartPage($id: ID!) { cart(id: $id) { ...CartFields } } ${CartFields}`;
  const watch = client.watchQuery({ query: CartPage, variables: { id: cart.id }, fetchPolicy: 'cache-first' });
  expect((await firstResult(watch)).data.cart.totalQuantity === 1, 'the watched cart does not start at 1');
  const before = rec.exchanges.length;
  await client.mutate({
    mutation: gql`mutation Add($c: ID!, $v: ID!) { ${payload('cartLinesAdd(cartId: $c, lines: [{ merchandiseId: $v, quantity: 2 }])')} } ${CartFields}`,
    variables: { c: cart.id, v: variant.id },
  });
  const now = (await resultWhere(watch, (r) => r.data?.cart?.totalQuantity === 3)).data.cart;
  expect(now.totalQuantity === 3 && now.lines.nodes[0].quantity === 3, `the watched cart after cartLinesAdd: ${show(now)}`);
  expect(rec.exchanges.length === before + 1, `the page refetched instead of reading the cache:\n${showExchanges(rec.exchanges.slice(before))}`);

  const withBuyer = await client.mutate({
    mutation: gql`mutation Buyer($c: ID!) { ${payload(`cartBuyerIdentityUpdate(cartId: $c, buyerIdentity: { email: "apollo@example.com",
      deliveryAddress: { firstName: "Apollo", address1: "1 Silom Rd", city: "Bang Rak", province: "Bangkok", zip: "10500", country: "TH" } })`)} } ${CartFields}`,
    variables: { c: cart.id },
  });
  const options = withBuyer.data.cartBuyerIdentityUpdate.cart.deliveryOptions;
  expect(options.length > 0, `no delivery options for Bangkok: ${show(withBuyer.data)}`);
  const chosen = await client.mutate({
    mutation: gql`mutation Deliver($c: ID!, $h: String!) { ${payload('cartSelectedDeliveryOptionUpdate(cartId: $c, handle: $h)')} } ${CartFields}`,
    variables: { c: cart.id, h: options[0].handle },
  });
  const ready = chosen.data.cartSelectedDeliveryOptionUpdate.cart;
  expect(ready.problems.length === 0 && ready.selectedDeliveryOption?.handle === options[0].handle, `the cart is not ready: ${show(ready)}`);
  const followed = await resultWhere(watch, (r) => r.data?.cart?.selectedDeliveryOption?.handle === options[0].handle);
  expect(followed.data.cart.problems.length === 0, `the watched cart did not follow the delivery choice: ${show(followed.data)}`);

  const Checkout = gql`mutation Checkout($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k) {
    order { id number status total { amount currencyCode } accessKey } userErrors { field code message } } }`;
  const key = crypto.randomUUID();
  const done = await client.mutate({ mutation: Checkout, variables: { c: cart.id, k: key } });
  const order = done.data.checkoutComplete.order;
  expect(order && order.status === 'PENDING_PAYMENT' && order.total.amount === ready.cost.totalAmount.amount,
    `checkoutComplete: ${show(done.data)}, cart total ${ready.cost.totalAmount.amount}`);
  // A retry after a lost answer: the same order.
  const again = await client.mutate({ mutation: Checkout, variables: { c: cart.id, k: key } });
  expect(again.data.checkoutComplete.order?.id === order.id, `the retry made another order: ${show(again.data)}`);
  // The guest's order page, with the access key.
  const page = await client.query({
    query: gql`query OrderPage($id: ID!, $k: String) { order(id: $id, accessKey: $k) { id number lines(first: 5) { nodes { quantity } } } }`,
    variables: { id: order.id, k: order.accessKey },
  });
  expect(page.data.order?.number === order.number && page.data.order.lines.nodes[0].quantity === 3, `the order page: ${show(page.data)}`);

  // Paying: the storefront asks which methods the shop takes, starts a
  // PromptPay payment with the order's access key, and shows its QR code.
  const methods = await client.query({ query: gql`query PaymentMethods { paymentMethods }` });
  expect(methods.data.paymentMethods.includes('PROMPTPAY'), `payment methods: ${show(methods.data)}`);
  const Pay = gql`mutation Pay($i: PaymentCreateInput!) { paymentCreate(input: $i) {
    payment { id status method amount { amount currencyCode } reference promptPay { payload qrImageUrl } } userErrors { field code message } } }`;
  const payKey = crypto.randomUUID();
  const paid = await client.mutate({ mutation: Pay, variables: { i: { orderId: order.id, accessKey: order.accessKey, method: 'PROMPTPAY', idempotencyKey: payKey } } });
  const payment = paid.data.paymentCreate.payment;
  expect(payment && payment.status === 'PENDING' && payment.amount.amount === order.total.amount && payment.promptPay?.payload.startsWith('000201'),
    `paymentCreate: ${show(paid.data)}`);
  const qr = await fetch(payment.promptPay.qrImageUrl.replace(/^https?:\/\/[^/]+/, new URL(uri).origin));
  expect(qr.status === 200 && qr.headers.get('content-type') === 'image/png', `the QR image: ${qr.status}`);
  const retried = await client.mutate({ mutation: Pay, variables: { i: { orderId: order.id, accessKey: order.accessKey, method: 'PROMPTPAY', idempotencyKey: payKey } } });
  expect(retried.data.paymentCreate.payment?.id === payment.id, `the retried payment: ${show(retried.data)}`);
});

finish('apollo');
