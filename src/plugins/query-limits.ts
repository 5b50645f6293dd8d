import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { type GraphQLError, validate, type ValidationContext } from 'graphql';
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

/**
 * Refuses abusive documents before execution: GraphQL Armor for tokens (while parsing), depth, aliases and
 * directives (validation rules, cached with the document), and the Pothos complexity budget, in which task pages
 * count by their size. The budget depends on the variables, so it is checked per request, outside Yoga's validation
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
      // After Yoga's validation cache has stored the document's result: the cost is added per request.
      return ({ result, setResult }) => {
        const request = requestParamsOf(context);
        const costRule = createComplexityRule({
          context: {},
          variableValues: request.variables,
          operationName: request.operationName,
          validate: ({ complexity }, report) => {
            if (complexity > limits.cost) {
              report(
                limitExceeded(
                  ErrorCode.MaxCostExceeded,
                  `Query cost limit of ${limits.cost} exceeded, found ${complexity}. Ask for smaller pages or fewer nested lists.`,
                ),
              );
            }
          },
        });
        // Other errors of this rule (variables that do not coerce, an unknown operation) are execution's to report.
        const refusals = validate(params.schema, params.documentAST, [costRule]).filter(
          (error) => error.extensions.code === ErrorCode.MaxCostExceeded,
        );
        if (refusals.length > 0) setResult([...result, ...refusals]);
      };
    },
  };
}
