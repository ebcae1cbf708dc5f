// graphql-codegen as a storefront team runs it: the schema from the
// repository's SDL files (so it works offline and needs no introspection,
// which production switches off), the storefront's documents, and the client
// preset's typed documents. Every custom scalar must be mapped
// (strictScalars), so a new scalar in the schema fails here until clients
// are told what it looks like on the wire.
//
//   npm run codegen && npm run typecheck
//
// LANGRAN_SCHEMA overrides the schema source, e.g. a running server's
// http://127.0.0.1:8080/schema.graphql, and LANGRAN_CODEGEN_OUT the output
// folder (src/gql/ by default, which src/storefront.ts imports).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: process.env.LANGRAN_SCHEMA || '../graph/schema/*.graphqls',
  documents: ['documents/*.graphql'],
  ignoreNoDocuments: false,
  errorsOnly: true,
  generates: {
    [process.env.LANGRAN_CODEGEN_OUT || 'src/gql/']: {
      preset: 'client',
      config: {
        strictScalars: true,
        // Decimal is a string so that no client parses money as a float.
        // Upload is a file sent in a multipart request (staff imports).
        scalars: { Decimal: 'string', DateTime: 'string', URL: 'string', Upload: 'File' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: {
        fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
      },
    },
  },
};

export default config;
