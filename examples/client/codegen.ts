// Types for the operations in operations/*.graphql, from the committed schema.graphql (GraphQL Code Generator,
// client-preset). Run from the repository root: npm run client:codegen
import type { CodegenConfig } from '@graphql-codegen/cli';

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
      presetConfig: { fragmentMasking: false },
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
