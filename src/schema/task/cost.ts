import { type PageArgs, taskPageSize } from './paging.js';

/**
 * Cost of a task connection for the cost budget: everything selected under it counts once per task the page can
 * hold, so nested `first: 100` pages multiply as their database work does.
 */
export function taskPageComplexity(args: PageArgs): { field: number; multiplier: number } {
  const requested = args.first ?? args.last ?? taskPageSize.default;
  return { field: 1, multiplier: Math.min(Math.max(requested, 0), taskPageSize.max) };
}
