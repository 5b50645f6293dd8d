import { badUserInput } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';

export const taskPageSize = { default: 20, max: 100 } as const;

// TITLE sorts by the database-computed titleKey (migration 20261201190100_task_title_key), never by the raw title.
export const taskOrderFields = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', TITLE: 'titleKey' } as const;
export type TaskOrderFieldName = keyof typeof taskOrderFields;
export type SortDirection = 'ASC' | 'DESC';

/** A TaskOrder argument's value. */
export interface TaskOrderInput {
  field: TaskOrderFieldName;
  direction: SortDirection;
}

/** A TaskFilter argument's value. */
export interface TaskFilterInput {
  completed?: boolean | null;
  search?: string | null;
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export const defaultTaskOrder: TaskOrderInput = { field: 'CREATED_AT', direction: 'DESC' };

// Validated search text holds no NUL; the completed flag is one character, so the key is unambiguous.
export const taskFilterKey = (filter: TaskFilterInput | null | undefined) =>
  `${filter?.completed == null ? '-' : filter.completed ? 't' : 'f'}${filter?.search ?? ''}`;

export function taskFilterWhere(filter: TaskFilterInput | null | undefined): Prisma.TaskWhereInput {
  const where: Prisma.TaskWhereInput = {};
  if (filter?.completed != null) where.completed = filter.completed;
  if (filter?.search) {
    const contains = escapeLikePattern(filter.search);
    where.OR = [
      { title: { contains, mode: 'insensitive' } },
      { description: { contains, mode: 'insensitive' } },
    ];
  }
  return where;
}

// Prisma passes `contains` into LIKE unescaped; users searching for "50%" mean the characters.
function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

type CursorValue = string;
interface Cursor {
  value: CursorValue;
  id: string;
}

/** The task fields a cursor is made of. */
export interface CursorSource {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  titleKey: string;
}

export function encodeCursor(order: TaskOrderInput, task: CursorSource) {
  const column = taskOrderFields[order.field];
  const value = column === 'titleKey' ? task.titleKey : task[column].toISOString();
  return Buffer.from(JSON.stringify([order.field, value, task.id])).toString('base64url');
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(argName: 'after' | 'before', cursor: string, order: TaskOrderInput): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 3 ||
    typeof decoded[1] !== 'string' ||
    typeof decoded[2] !== 'string' ||
    !uuidPattern.test(decoded[2])
  ) {
    throw badUserInput(argName, `${argName} is not a cursor returned by this API.`);
  }
  const [field, value, id] = decoded as [unknown, string, string];
  if (field !== order.field) {
    throw badUserInput(argName, `${argName} is a cursor for another orderBy field; use cursors from the same ordering.`);
  }
  if (field !== 'TITLE' && Number.isNaN(Date.parse(value))) {
    throw badUserInput(argName, `${argName} is not a cursor returned by this API.`);
  }
  return { value, id };
}

function pageSize(name: 'first' | 'last', value: number | null | undefined): number | undefined {
  if (value == null) return undefined;
  if (value < 0 || value > taskPageSize.max) {
    throw badUserInput(name, `${name} must be between 0 and ${taskPageSize.max} (got ${value}).`);
  }
  return value;
}

export interface TaskPagePlan {
  /** Equal for equal page arguments: with the filter and user it keys the page loader. */
  key: string;
  where: Prisma.TaskWhereInput | undefined;
  orderBy: Prisma.TaskOrderByWithRelationInput[];
  take: number;
  size: number;
  backward: boolean;
}

/** Validates the page arguments and turns them into a keyset query: cursors seek through the index, never OFFSET. */
export function planTaskPage(args: PageArgs, order: TaskOrderInput): TaskPagePlan {
  const first = pageSize('first', args.first);
  const last = pageSize('last', args.last);
  if (first !== undefined && last !== undefined) {
    throw badUserInput('last', 'Pass either first or last, not both.');
  }
  const after = args.after == null ? undefined : decodeCursor('after', args.after, order);
  const before = args.before == null ? undefined : decodeCursor('before', args.before, order);
  const backward = last !== undefined;
  const size = last ?? first ?? taskPageSize.default;
  const ascending = (order.direction === 'ASC') !== backward;
  const column = taskOrderFields[order.field];
  const direction = ascending ? 'asc' : 'desc';
  const bounds: Prisma.TaskWhereInput[] = [];
  if (after) bounds.push(seek(column, after, order.direction === 'ASC' ? 'gt' : 'lt'));
  if (before) bounds.push(seek(column, before, order.direction === 'ASC' ? 'lt' : 'gt'));
  return {
    key: `${order.field} ${order.direction} ${backward ? 'last' : 'first'} ${size} ${args.after ?? ''} ${args.before ?? ''}`,
    where: bounds.length === 0 ? undefined : bounds.length === 1 ? bounds[0] : { AND: bounds },
    orderBy: [{ [column]: direction }, { id: direction }],
    take: size + 1,
    size,
    backward,
  };
}

function seek(column: (typeof taskOrderFields)[TaskOrderFieldName], cursor: Cursor, comparison: 'gt' | 'lt') {
  const value = column === 'titleKey' ? cursor.value : new Date(cursor.value);
  // The redundant inclusive bound lets PostgreSQL start the index scan at the cursor; the OR alone is only a filter,
  // which read every row before the cursor (deep pages were an OFFSET scan in disguise).
  return {
    [column]: { [comparison === 'lt' ? 'lte' : 'gte']: value },
    OR: [{ [column]: { [comparison]: value } }, { [column]: value, id: { [comparison]: cursor.id } }],
  } satisfies Prisma.TaskWhereInput;
}

/** The tasks a list is drawn from: its totalCount counts them. */
export interface TaskListScope {
  userId: string;
  filter: TaskFilterInput | null | undefined;
}

/** What a task connection field resolves to: the page and its scope. */
export interface TaskConnectionResult<Node> extends TaskListScope {
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

// The cursor is encoded on demand: most clients never select it, and encoding one per row showed in profiles. A class
// keeps the getter on the prototype; an object literal with a getter made a closure per edge.
class TaskEdge<Node extends CursorSource> {
  constructor(
    private readonly order: TaskOrderInput,
    readonly node: Node,
  ) {}

  get cursor(): string {
    return encodeCursor(this.order, this.node);
  }
}

export function toConnection<Node extends CursorSource>(
  rows: Node[],
  plan: TaskPagePlan,
  args: PageArgs,
  order: TaskOrderInput,
  scope: TaskListScope,
): TaskConnectionResult<Node> {
  const hasMore = rows.length > plan.size;
  const page = rows.slice(0, plan.size);
  if (plan.backward) page.reverse();
  const edges = page.map((node) => new TaskEdge(order, node));
  return {
    edges,
    pageInfo: {
      hasNextPage: plan.backward ? args.before != null : hasMore,
      hasPreviousPage: plan.backward ? hasMore : args.after != null,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    ...scope,
  };
}
