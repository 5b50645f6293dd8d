import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Context } from './context.js';
import { badUserInput } from './errors.js';
import type PrismaTypes from './generated/pothos-types.js';
import { getDatamodel } from './generated/pothos-types.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
}>({
  plugins: [ComplexityPlugin, ValidationPlugin, RelayPlugin, PrismaPlugin],
  // The budget is enforced before execution (src/plugins/query-limits.ts); no per-resolver check is needed.
  complexity: { disabled: true },
  defaultFieldNullability: false,
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    // A prismaField resolver must pass the query it is given to Prisma, or relations would load one by one.
    onUnusedQuery: 'error',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    pageInfoTypeOptions: { description: 'Where a page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'Whether more tasks follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether tasks precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first task on the page; pass it as before.' },
    endCursorFieldOptions: { description: 'Cursor of the last task on the page; pass it as after.' },
    // The connection field multiplies by the page size already (src/schema/task/cost.ts).
    edgesFieldOptions: { nullable: false, description: 'The tasks of this page, in order.', complexity: { field: 1, multiplier: 1 } },
    pageInfoFieldOptions: { description: 'Cursors and whether more pages exist.' },
    cursorFieldOptions: { description: 'Opaque position of this task in the list.' },
    nodeFieldOptions: { nullable: false, description: 'The task.' },
    firstArgOptions: { description: 'Page size counted from the start (or from after): 0 to 100, default 20.' },
    lastArgOptions: { description: 'Page size counted from the end (or from before): 0 to 100.' },
    afterArgOptions: { description: 'Return tasks after this cursor.' },
    beforeArgOptions: { description: 'Return tasks before this cursor.' },
  },
  validation: {
    validationError: (failure) => {
      const [issue] = failure.issues;
      const field = (issue?.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment)).join('.');
      return badUserInput(field, issue?.message ?? 'Invalid input.');
    },
  },
});

builder.queryType({ description: 'Reads. Every task read is scoped to the user it names.' });
builder.mutationType({ description: 'Writes. Every task write is scoped to the user it names.' });
builder.subscriptionType({ description: 'Live updates over Server-Sent Events. Every stream is scoped to the user it names.' });
