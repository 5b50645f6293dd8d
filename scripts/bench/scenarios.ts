import type { SeedData } from './dataset.js';

export type ScenarioName = 'list' | 'nested' | 'deep' | 'deepTitle' | 'create' | 'update' | 'mixed' | 'readMostly';

import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface GraphQLBody {
  operationName: string;
  /** Absent when the body names a trusted document by hash instead. */
  query?: string;
  variables: Record<string, unknown>;
  extensions?: { persistedQuery: { version: 1; sha256Hash: string } };
}

/** The baseline scenario each one is compared with; the baseline answers only list, deep, create and update. */
export const baselineFor: Partial<Record<ScenarioName, ScenarioName>> = {
  list: 'list',
  nested: 'list',
  deep: 'deep',
  create: 'create',
  update: 'update',
};

export interface Scenario {
  name: ScenarioName;
  description: string;
  reads: boolean;
  next(): GraphQLBody;
}

const taskFields = 'id title completed createdAt';

export const operations = {
  List: `query List($userId: ID!) { tasks(userId: $userId, first: 20) { edges { node { ${taskFields} } } } }`,
  Nested: `query Nested($userId: ID!) {
  user(id: $userId) { taskCount tasks(first: 20) { totalCount edges { node { id title user { id } } } } }
}`,
  DeepPage: `query DeepPage($userId: ID!, $after: String!) {
  tasks(userId: $userId, first: 20, after: $after) { edges { node { ${taskFields} } } }
}`,
  DeepTitlePage: `query DeepTitlePage($userId: ID!, $after: String!) {
  tasks(userId: $userId, first: 20, after: $after, orderBy: { field: TITLE, direction: ASC }) { edges { node { ${taskFields} } } }
}`,
  Create: `mutation Create($userId: ID!, $title: String!) {
  createTask(userId: $userId, input: { title: $title }) { ${taskFields} }
}`,
  Update: `mutation Update($userId: ID!, $id: ID!, $completed: Boolean!) {
  updateTask(userId: $userId, id: $id, input: { completed: $completed }) { ${taskFields} }
}`,
} as const;

const pick = <T>(items: readonly T[]): T => {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('cannot pick from an empty list');
  return item;
};

export function createScenarios(data: SeedData): Record<ScenarioName, Scenario> {
  let created = 0;
  const list = (): GraphQLBody => ({ operationName: 'List', query: operations.List, variables: { userId: pick(data.userIds) } });
  const nested = (): GraphQLBody => ({ operationName: 'Nested', query: operations.Nested, variables: { userId: pick(data.userIds) } });
  const deep = (): GraphQLBody => ({
    operationName: 'DeepPage',
    query: operations.DeepPage,
    variables: { userId: data.bigUserId, after: pick(data.deepCursors) },
  });
  const deepTitle = (): GraphQLBody => ({
    operationName: 'DeepTitlePage',
    query: operations.DeepTitlePage,
    variables: { userId: data.bigUserId, after: pick(data.deepTitleCursors) },
  });
  const create = (): GraphQLBody => {
    created += 1;
    return { operationName: 'Create', query: operations.Create, variables: { userId: pick(data.userIds), title: `bench ${created}` } };
  };
  const update = (): GraphQLBody => {
    const [userId, id] = pick(data.updateTargets);
    return { operationName: 'Update', query: operations.Update, variables: { userId, id, completed: Math.random() < 0.5 } };
  };
  const mixed = (): GraphQLBody => {
    const roll = Math.random();
    if (roll < 0.4) return list();
    if (roll < 0.65) return nested();
    if (roll < 0.8) return deep();
    return roll < 0.9 ? create() : update();
  };
  const readMostly = (): GraphQLBody => (Math.random() < 0.8 ? list() : create());
  return {
    list: { name: 'list', description: 'tasks(userId, first: 20): id title completed createdAt', reads: true, next: list },
    nested: {
      name: 'nested',
      description: 'user(id) { taskCount tasks(first: 20) { totalCount edges { node { id title user { id } } } } }',
      reads: true,
      next: nested,
    },
    deep: { name: 'deep', description: 'tasks(first: 20, after: a cursor 9,000 deep in the big user)', reads: true, next: deep },
    deepTitle: {
      name: 'deepTitle',
      description: 'tasks(first: 20, after: a cursor 9,000 deep in the big user, orderBy: TITLE ASC)',
      reads: true,
      next: deepTitle,
    },
    create: { name: 'create', description: 'createTask for a random user', reads: false, next: create },
    update: { name: 'update', description: 'updateTask(completed) of a random task', reads: false, next: update },
    mixed: { name: 'mixed', description: '40% list, 25% nested, 15% deep, 10% create, 10% update', reads: false, next: mixed },
    // The response cache's own case: clients re-reading one page between their writes (the measurement).
    readMostly: { name: 'readMostly', description: '80% list, 20% create', reads: false, next: readMostly },
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A manifest as the codegen client preset writes it ("sha256:<hash>": document) for the bench's own operations. */
export function trustedDocumentsManifest(): Record<string, string> {
  return Object.fromEntries(Object.values(operations).map((text) => [`sha256:${sha256(text)}`, text]));
}

/** The same scenario sent as a client of a server with TRUSTED_DOCUMENTS sends it: the hash instead of the text. */
export function byHash(scenario: Scenario): Scenario {
  return {
    ...scenario,
    next() {
      const { query, ...body } = scenario.next();
      if (query === undefined) return body;
      return { ...body, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
    },
  };
}

/** The same requests in PostGraphile's generated schema (Amber preset: rowId is the column, id the global id). */
export const postgraphileOperations = {
  List: `query List($userId: String!) {
  allTasks(condition: { userId: $userId }, orderBy: [CREATED_AT_DESC, ROW_ID_DESC], first: 20) {
    edges { node { rowId title completed createdAt } }
  }
}`,
  Nested: `query Nested($userId: String!) {
  userByRowId(rowId: $userId) {
    tasksByUserId(orderBy: [CREATED_AT_DESC, ROW_ID_DESC], first: 20) {
      totalCount edges { node { rowId title userByUserId { rowId } } }
    }
  }
}`,
  Create: `mutation Create($task: TaskInput!) {
  createTask(input: { task: $task }) { task { rowId title completed createdAt } }
}`,
} as const;

/**
 * PostGraphile's list, nested and create. The table has no database default for id and updatedAt (Prisma fills
 * them in the client), so its create sends both, as a client of PostGraphile on this schema would.
 */
export function postgraphileScenarios(data: SeedData): Scenario[] {
  const scenarios = createScenarios(data);
  let created = 0;
  const list = (): GraphQLBody => ({ operationName: 'List', query: postgraphileOperations.List, variables: { userId: pick(data.userIds) } });
  const nested = (): GraphQLBody => ({ operationName: 'Nested', query: postgraphileOperations.Nested, variables: { userId: pick(data.userIds) } });
  const create = (): GraphQLBody => {
    created += 1;
    const task = { rowId: uuidv7(), title: `bench ${created}`, userId: pick(data.userIds), updatedAt: new Date().toISOString() };
    return { operationName: 'Create', query: postgraphileOperations.Create, variables: { task } };
  };
  return [
    { ...scenarios.list, next: list },
    { ...scenarios.nested, description: `${scenarios.nested.description} (totalCount once)`, next: nested },
    { ...scenarios.create, next: create },
  ];
}
