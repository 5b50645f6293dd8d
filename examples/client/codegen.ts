// Types for the operations in operations/*.graphql, from the committed schema.graphql (GraphQL Code Generator,
// client-preset). Run from the repository root: npm run client:codegen
import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

// Overridable so a test can generate a copy against another schema.
const schema = process.env.CODEGEN_SCHEMA ?? 'schema.graphql';
const documents = process.env.CODEGEN_DOCUMENTS ?? 'examples/client/operations/**/*.graphql';
const output = process.env.CODEGEN_OUTPUT ?? 'examples/client/src/gql/';

const config: CodegenConfig = {
  schema,
  documents,
  ignoreNoDocuments: false,
  // ESM imports with .js extensions (the example is type-checked with NodeNext resolution).
  emitLegacyCommonJSImports: false,
  generates: {
    [output]: {
      preset: 'client',
      // persisted-documents.json (hash -> document) is the manifest a server with TRUSTED_DOCUMENTS runs from; each
      // generated document carries its hash in __meta__.hash, which the clients send instead of the text.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      // The server runs the manifest's text, not what the client would have sent: it must select __typename
      // wherever Apollo's and urql's normalized caches need it.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        emitLegacyCommonJSImports: false,
        strictScalars: true,
        scalars: { DateTime: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
