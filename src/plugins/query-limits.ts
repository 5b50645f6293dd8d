import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { PothosValidationError } from '@pothos/core';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  getOperationAST,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  TypeInfo,
  type ValidationContext,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryLimits } from '../config.js';
import { ErrorCode, limitExceeded } from '../errors.js';

// Armor words its messages as syntax errors; ours carry a code instead.
const armorMessage = (error: GraphQLError) => error.message.replace(/^Syntax Error: /, '');

function reportAs(code: ErrorCode): { propagateOnRejection: false; onReject: ((context: ValidationContext | null, error: GraphQLError) => void)[] } {
  return {
    propagateOnRejection: false,
    onReject: [
      (context, error) => {
        const refusal = limitExceeded(code, armorMessage(error));
        if (!context) throw refusal;
        context.reportError(refusal);
      },
    ],
  };
}

function requestParamsOf(context: unknown): { variables: Record<string, unknown>; operationName?: string } {
  const params = typeof context === 'object' && context !== null && 'params' in context ? context.params : undefined;
  if (typeof params !== 'object' || params === null) return { variables: {} };
  const variables = 'variables' in params && typeof params.variables === 'object' && params.variables !== null ? params.variables : {};
  const operationName = 'operationName' in params && typeof params.operationName === 'string' ? params.operationName : undefined;
  return { variables: variables as Record<string, unknown>, operationName };
}

// Pothos prices a document's first operation, so the one that runs is priced on its own, with the fragments.
interface PricedOperation {
  document: DocumentNode;
  /** The variables the price depends on: those in arguments that a field's complexity function reads. */
  costVariables: readonly string[];
  /** Prices already computed, by the values of costVariables; bounded, dropped when full. */
  costs: Map<string, number>;
}

const pricedOperations = new WeakMap<DocumentNode, Map<string | undefined, PricedOperation | null>>();
const maxCostsPerOperation = 256;

function variablesIn(value: ValueNode, names: Set<string>): void {
  if (value.kind === Kind.VARIABLE) names.add(value.name.value);
  else if (value.kind === Kind.LIST) for (const item of value.values) variablesIn(item, names);
  else if (value.kind === Kind.OBJECT) for (const field of value.fields) variablesIn(field.value, names);
}

/** Variables used in the arguments read by complexity functions (all of a field's arguments when it does not say which). */
function costVariablesOf(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const complexity = typeInfo.getFieldDef()?.extensions.complexity;
        if (typeof complexity !== 'function') return;
        const read = 'argumentNames' in complexity && Array.isArray(complexity.argumentNames) ? complexity.argumentNames : undefined;
        for (const argument of node.arguments ?? []) {
          if (!read || read.includes(argument.name.value)) variablesIn(argument.value, names);
        }
      },
    }),
  );
  return [...names].sort();
}

function pricedOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): PricedOperation | null {
  let byName = pricedOperations.get(document);
  if (!byName) {
    byName = new Map();
    pricedOperations.set(document, byName);
  }
  let priced = byName.get(operationName);
  if (priced === undefined) {
    const operation = getOperationAST(document, operationName);
    const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
    const selected: DocumentNode | null = operation ? { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } : null;
    priced = selected && { document: selected, costVariables: costVariablesOf(schema, selected), costs: new Map() };
    byName.set(operationName, priced);
  }
  return priced;
}

function costOf(schema: GraphQLSchema, document: DocumentNode, request: ReturnType<typeof requestParamsOf>): number | undefined {
  const operation = pricedOperation(schema, document, request.operationName);
  if (!operation) return undefined;
  // A variable left out takes its default, which null does not: the key tells them apart.
  const key = operation.costVariables
    .map((name) => (Object.hasOwn(request.variables, name) ? (JSON.stringify(request.variables[name]) ?? 'undefined') : ''))
    .join('\u0000');
  const known = operation.costs.get(key);
  if (known !== undefined) return known;
  let cost: number;
  try {
    cost = complexityFromQuery(operation.document, { schema, variables: request.variables, ctx: {} }).complexity;
  } catch (error) {
    // Variables that do not coerce are execution's to report, with their own code; nothing is remembered for them.
    if (error instanceof PothosValidationError || (error instanceof Error && error.name === 'GraphQLError')) return undefined;
    throw error;
  }
  if (operation.costs.size >= maxCostsPerOperation) operation.costs.clear();
  operation.costs.set(key, cost);
  return cost;
}

/**
 * Refuses abusive documents before execution: GraphQL Armor for tokens (while parsing), depth, aliases and
 * directives (validation rules, cached with the document), and the Pothos complexity budget, in which task pages
 * count by their size. The budget depends on the variables (page sizes), so it is checked per request, after Yoga's
 * validation cache, and reported with the validation errors; the price itself is remembered per document and the
 * values of the variables the complexity functions read (src/schema/task/cost.ts).
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  const tokenLimit = maxTokensPlugin({ n: limits.tokens, ...reportAs(ErrorCode.MaxTokensExceeded) });
  const documentRules = [
    maxDepthRule({ n: limits.depth, ...reportAs(ErrorCode.MaxDepthExceeded) }),
    maxAliasesRule({ n: limits.aliases, ...reportAs(ErrorCode.MaxAliasesExceeded) }),
    maxDirectivesRule({ n: limits.directives, ...reportAs(ErrorCode.MaxDirectivesExceeded) }),
  ];
  return {
    onParse: tokenLimit.onParse,
    onValidate({ addValidationRule, params, context }) {
      for (const rule of documentRules) addValidationRule(rule);
      return ({ result, setResult }) => {
        // Yoga caches validation results per document, this refusal included: drop a cached one and price anew.
        const documentErrors = result.filter((error) => error.extensions.code !== ErrorCode.MaxCostExceeded);
        const cost = costOf(params.schema, params.documentAST, requestParamsOf(context));
        if (cost === undefined || cost <= limits.cost) {
          if (documentErrors.length !== result.length) setResult(documentErrors);
          return;
        }
        setResult([
          ...documentErrors,
          limitExceeded(
            ErrorCode.MaxCostExceeded,
            `Query cost limit of ${limits.cost} exceeded, found ${cost}. Ask for smaller pages or fewer nested lists.`,
          ),
        ]);
      };
    },
  };
}
