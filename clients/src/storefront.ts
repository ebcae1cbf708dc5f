// A tiny storefront module written against the code graphql-codegen
// generates into src/gql/: if it type-checks, the generated types are usable
// the way a React team uses them. The @ts-expect-error lines prove the types
// are real: each must be an error, or tsc fails.
import type { ApolloClient, NormalizedCacheObject } from '@apollo/client/core';

import { getFragmentData } from './gql';
import {
  ProductCardFragmentDoc,
  ProductGridDocument,
  ProductPageDocument,
  type ProductGridQueryVariables,
} from './gql/graphql';

export interface Card {
  href: string;
  title: string;
  image?: { src: string; alt: string };
  price: string;
  onSale: boolean;
}

/** Formats a Decimal amount, a string such as "1250.00", without floats. */
export function formatTHB(amount: string): string {
  const [baht, satang = '00'] = amount.split('.');
  return `฿${baht.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${satang}`;
}

export async function productGrid(
  client: ApolloClient<NormalizedCacheObject>,
  after: string | null,
): Promise<{ cards: Card[]; next: string | null }> {
  const variables: ProductGridQueryVariables = { first: 24, after, sortKey: 'PRICE' };
  const { data } = await client.query({ query: ProductGridDocument, variables });
  const cards = data.products.edges.map(({ node }) => {
    const p = getFragmentData(ProductCardFragmentDoc, node);
    const min = p.priceRange.minVariantPrice;
    const card: Card = {
      href: `/products/${p.handle}`,
      title: p.title,
      price: formatTHB(min.amount),
      onSale: p.compareAtPriceRange !== null,
    };
    if (p.featuredImage) {
      // URL is a string on the wire.
      card.image = { src: p.featuredImage.url, alt: p.featuredImage.altText ?? p.title };
    }
    return card;
  });
  const { hasNextPage, endCursor } = data.products.pageInfo;
  return { cards, next: hasNextPage ? endCursor : null };
}

export async function productPage(client: ApolloClient<NormalizedCacheObject>, handle: string) {
  const { data } = await client.query({ query: ProductPageDocument, variables: { handle } });
  const product = data.product;
  if (!product) return null;
  // DateTime is an RFC 3339 string.
  const listed = new Date(product.createdAt);
  const variants = product.variants.edges.map(({ node }) => ({
    id: node.id,
    label: node.selectedOptions.map((o) => `${o.name}: ${o.value}`).join(', '),
    price: formatTHB(node.price.amount),
    currency: node.price.currencyCode,
    inStock: node.availableForSale,
  }));
  return { title: product.title, listed, breadcrumbs: product.category?.ancestors.map((c) => c.name) ?? [], variants };
}

export async function typesAreReal(client: ApolloClient<NormalizedCacheObject>) {
  // @ts-expect-error `first` is required by ProductGrid.
  await client.query({ query: ProductGridDocument, variables: { after: null } });
  // @ts-expect-error sortKey is an enum, and it has no POPULARITY.
  const unknownSort: ProductGridQueryVariables = { first: 1, sortKey: 'POPULARITY' };
  const grid = await client.query({ query: ProductGridDocument, variables: unknownSort });
  // @ts-expect-error a card's fields stay masked until read with getFragmentData.
  const masked: string = grid.data.products.edges[0].node.title;
  const page = await client.query({ query: ProductPageDocument, variables: { handle: 'x' } });
  const variant = page.data.product?.variants.edges[0]?.node;
  // @ts-expect-error Decimal is a string, never a number.
  const amount: number | undefined = variant?.price.amount;
  // @ts-expect-error DateTime is a string, not a Date.
  const created: Date | undefined = page.data.product?.createdAt;
  return [masked, amount, created];
}
