import { type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { type TaskOrderFieldName, taskOrderFields } from './paging.js';

export type TaskColumn = 'id' | 'title' | 'titleKey' | 'description' | 'completed' | 'version' | 'createdAt' | 'updatedAt' | 'userId';

const columnOfField: Partial<Record<string, TaskColumn>> = {
  id: 'id',
  title: 'title',
  description: 'description',
  completed: 'completed',
  version: 'version',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  user: 'userId',
};

function* fieldsOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
): Generator<FieldNode> {
  if (!selectionSet) return;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* fieldsOf(selection.selectionSet, fragments);
    else yield* fieldsOf(fragments[selection.name.value]?.selectionSet, fragments);
  }
}

/**
 * The task columns a connection field's `edges { node { … } }` reads, plus what paging needs (id and the order
 * column), so a page of 20 rows maps only those: reading every column showed in profiles. @skip/@include are
 * ignored; reading a column too many is harmless.
 */
export function selectedTaskColumns(info: GraphQLResolveInfo, orderField: TaskOrderFieldName): readonly TaskColumn[] {
  // The field node belongs to the parsed document Yoga caches, so the walk runs once per document and ordering.
  const [fieldNode] = info.fieldNodes;
  if (!fieldNode) return readColumns(info, orderField);
  let byOrder = columnsByFieldNode.get(fieldNode);
  if (!byOrder) {
    byOrder = new Map();
    columnsByFieldNode.set(fieldNode, byOrder);
  }
  let columns = byOrder.get(orderField);
  if (!columns) {
    columns = readColumns(info, orderField);
    byOrder.set(orderField, columns);
  }
  return columns;
}

const columnsByFieldNode = new WeakMap<FieldNode, Map<TaskOrderFieldName, readonly TaskColumn[]>>();

function readColumns(info: GraphQLResolveInfo, orderField: TaskOrderFieldName): readonly TaskColumn[] {
  const columns = new Set<TaskColumn>(['id', taskOrderFields[orderField]]);
  for (const connection of info.fieldNodes) {
    for (const edges of fieldsOf(connection.selectionSet, info.fragments)) {
      if (edges.name.value !== 'edges') continue;
      for (const node of fieldsOf(edges.selectionSet, info.fragments)) {
        if (node.name.value !== 'node') continue;
        for (const field of fieldsOf(node.selectionSet, info.fragments)) {
          const column = columnOfField[field.name.value];
          if (column) columns.add(column);
        }
      }
    }
  }
  return [...columns].sort();
}
