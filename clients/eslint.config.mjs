// ESLint over the GraphQL schema (graph/schema/*.graphqls) and the
// storefront documents (documents/*.graphql), with @graphql-eslint.
//
//   npm run lint:schema      (node lint.mjs: findings grouped by rule)
//
// The schema rules are the plugin's recommended schema set plus its Relay
// set, because every list we serve is a Relay connection and Relay-aware
// clients (Apollo's relayStylePagination, urql's relayPagination, Relay
// itself) depend on the exact shapes these rules check. The documents are
// checked against the schema with the recommended operation rules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';

// Run from the repository root (lint.mjs does): `files` below are relative
// to it. The GraphQL config resolves its own paths from the process's
// directory, so it gets absolute ones.
const root = process.env.LANGRAN_ROOT || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = 'graph/schema/*.graphqls';
const documents = 'clients/documents/*.graphql';
// The plugin loads one GraphQL config per run, from whichever file it lints
// first, so both blocks must give the same one.
const parserOptions = {
  graphQLConfig: { schema: path.join(root, schema), documents: path.join(root, documents) },
};

export default [
  {
    files: [schema],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      ...graphqlPlugin.configs['flat/schema-relay'].rules,
      // Partners and frontend teams read the schema in GraphiQL and in their
      // editors: every type, root field and directive says what it is.
      '@graphql-eslint/require-description': ['error', { types: true, rootField: true, DirectiveDefinition: true }],

      // Exceptions below: each is a decision about this schema, not an oversight.

      // One-line descriptions are "strings" and longer ones are """blocks""",
      // as gqlgen's SDL printer and Shopify's schema write them; the rule can
      // only demand one style everywhere.
      '@graphql-eslint/description-style': 'off',
      // Lists that are short by construction stay plain lists (images,
      // options, tags, values, selectedOptions, ancestors, children,
      // UserError.field), as do the `nodes` shortcut beside `edges` and
      // `nodes(ids:)`, as in Shopify's Storefront API; their cost is bounded
      // by @listSize in the schema. A list that can grow without bound is a
      // connection, which the other Relay rules check.
      '@graphql-eslint/relay-edge-types': ['error', {
        withEdgeSuffix: true,
        shouldImplementNode: true,
        listTypeCanWrapOnlyEdgeType: false,
      }],
      // Value objects have no identity and so no ID: connections, edges,
      // page info, money, price ranges, selected options, errors, and the
      // access tokens a sign-in returns (a secret, not an object to cache),
      // and what the catalog's CSV import and export answer (a file, a
      // summary, the problems with rows), and a variant's stock figures
      // (part of the variant, cached with it).
      // A made-up ID would make client caches merge values that are not the
      // same thing. A customer's data export (with its sessions and kinds of
      // data) is a snapshot made on request, not an object to cache. A Thai
      // province, a weight bracket and a shipping preview with its options
      // are values read with their parent (the options are keyed by their
      // handle, not an ID). So are a cart's figures, buyer, entered codes
      // and problems, a delivery address (a snapshot, not an address-book
      // entry) and an order's history entries: they change with their cart
      // or order and are cached inside it; delivery options are keyed by their handle.
      // A PromptPay code is its payment's value, cached inside the payment.
      '@graphql-eslint/strict-id-in-types': ['error', {
        acceptedIdNames: ['id'],
        acceptedIdTypes: ['ID'],
        exceptions: {
          types: ['PageInfo', 'Money', 'ProductPriceRange', 'SelectedOption', 'UserError',
            'CustomerDataExport', 'CustomerSession', 'PersonalDataKind',
            'ProductExport', 'ProductImportSummary', 'ProductImportRowError',
            'ThaiProvince', 'ShippingWeightBracket', 'ShippingPreview', 'ShippingPreviewOption',
            'CartLineCost', 'CartCost', 'CartBuyerIdentity', 'DeliveryAddress', 'CartDiscountCode', 'CartProblem',
            'OrderEvent', 'InventoryLevel', 'DeliveryOption', 'PromptPayCode'],
          suffixes: ['Connection', 'Edge', 'Payload', 'AccessToken'],
        },
      }],
    },
  },
  {
    files: [documents],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: graphqlPlugin.configs['flat/operations-recommended'].rules,
  },
];
