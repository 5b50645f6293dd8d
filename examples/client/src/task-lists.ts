/** A write of many tasks at once, as its answer tells a client. */
export type BulkWrite =
  | { kind: 'deleted'; ids: readonly string[] }
  | { kind: 'completed'; ids: readonly string[]; completed: boolean; count: number };

/** The arguments a cached `tasks` list was fetched with that decide which tasks it holds. */
export interface CachedListArgs {
  filter?: { completed?: boolean | null; search?: string | null } | null;
}

/**
 * What a bulk write means for one cached list: the tasks that no longer belong in it, and whether tasks now belong
 * that the list cannot place (their position is the server's to decide, so the list must be fetched again).
 */
export function bulkWriteEffect(write: BulkWrite, args: CachedListArgs): { leaving: ReadonlySet<string>; joining: boolean } {
  if (write.kind === 'deleted') return { leaving: new Set(write.ids), joining: false };
  const wanted = args.filter?.completed;
  if (wanted == null) return { leaving: new Set(), joining: false };
  if (wanted === write.completed) return { leaving: new Set(), joining: write.count > 0 };
  return { leaving: new Set(write.ids), joining: false };
}

/**
 * The cached list after the write: its edges without the leaving tasks and its totalCount lowered by as many; or
 * 'refetch' when that cannot be known (tasks join, or a leaving task may sit in a page not loaded yet).
 */
export function applyBulkWrite<Edge>(
  list: { edges: readonly Edge[]; totalCount?: number | null; hasNextPage?: boolean | null },
  idOf: (edge: Edge) => string | undefined,
  effect: { leaving: ReadonlySet<string>; joining: boolean },
): { edges: Edge[]; totalCount: number | null | undefined } | 'refetch' {
  if (effect.joining) return 'refetch';
  const edges = list.edges.filter((edge) => !effect.leaving.has(idOf(edge) ?? ''));
  const removed = list.edges.length - edges.length;
  if (removed < effect.leaving.size && list.hasNextPage) return 'refetch';
  return { edges, totalCount: typeof list.totalCount === 'number' ? list.totalCount - removed : list.totalCount };
}
