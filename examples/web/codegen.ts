// Typed documents for the web app from the committed schema.graphql (GraphQL Code Generator, client preset), and the
// manifest of its trusted documents (src/gql/persisted-documents.json). Run from the repository root:
//   npm run web:codegen
import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

// Overridable so a test can generate a copy and compare it with the committed one.
const output = process.env.CODEGEN_OUTPUT ?? 'examples/web/src/gql/';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'examples/web/operations/**/*.graphql',
  ignoreNoDocuments: false,
  generates: {
    [output]: {
      preset: 'client',
      // The manifest's text is what a server with TRUSTED_DOCUMENTS runs: it selects __typename wherever Apollo's
      // normalized cache needs it, since the server never sees the document Apollo would have sent.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
