import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { PothosValidationError } from '@pothos/core';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type DocumentNode, getOperationAST, type GraphQLError, type GraphQLSchema, Kind, type ValidationContext } from 'graphql';
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
const operationDocuments = new WeakMap<DocumentNode, Map<string | undefined, DocumentNode | null>>();

function documentOfOperation(document: DocumentNode, operationName: string | undefined): DocumentNode | null {
  let byName = operationDocuments.get(document);
  if (!byName) {
    byName = new Map();
    operationDocuments.set(document, byName);
  }
  let selected = byName.get(operationName);
  if (selected === undefined) {
    const operation = getOperationAST(document, operationName);
    const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
    selected = operation ? { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } : null;
    byName.set(operationName, selected);
  }
  return selected;
}

function costOf(schema: GraphQLSchema, document: DocumentNode, request: ReturnType<typeof requestParamsOf>): number | undefined {
  const operation = documentOfOperation(document, request.operationName);
  if (!operation) return undefined;
  try {
    return complexityFromQuery(operation, { schema, variables: request.variables, ctx: {} }).complexity;
  } catch (error) {
    // Variables that do not coerce are execution's to report, with their own code.
    if (error instanceof PothosValidationError || (error instanceof Error && error.name === 'GraphQLError')) return undefined;
    throw error;
  }
}

/**
 * Refuses abusive documents before execution: GraphQL Armor for tokens (while parsing), depth, aliases and
 * directives (validation rules, cached with the document), and the Pothos complexity budget, in which task pages
 * count by their size. The budget depends on the variables, so it is priced per request, after Yoga's validation
 * cache, and reported with the validation errors.
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
