import { type PageArgs, taskPageSize } from './paging.js';

/**
 * A complexity function that names the arguments it reads: the cost budget (src/plugins/query-limits.ts) is priced
 * once per document and values of these, not per request. A complexity function without the list is priced anew
 * whenever any variable in its field's arguments changes.
 */
export type PricedByArguments<Args, Price> = ((args: Args) => Price) & { readonly argumentNames: readonly (keyof Args & string)[] };

export function pricedBy<Args, Price>(argumentNames: readonly (keyof Args & string)[], price: (args: Args) => Price): PricedByArguments<Args, Price> {
  return Object.assign(price, { argumentNames });
}

/**
 * Cost of a task connection for the cost budget: everything selected under it counts once per task the page can
 * hold, so nested `first: 100` pages multiply as their database work does.
 */
export const taskPageComplexity = pricedBy(['first', 'last'], (args: Pick<PageArgs, 'first' | 'last'>) => {
  const requested = args.first ?? args.last ?? taskPageSize.default;
  return { field: 1, multiplier: Math.min(Math.max(requested, 0), taskPageSize.max) };
});
