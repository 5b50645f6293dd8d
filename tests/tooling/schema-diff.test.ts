import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { declaresBreakingChange, diffSchemas } from '../../scripts/schema/changes.js';

const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');

describe('schema:diff', () => {
  it('finds no change between the committed schema and itself', () => {
    expect(diffSchemas(committed, committed)).toEqual({ breaking: [], dangerous: [] });
  });

  it('reports a removed field as breaking', () => {
    const withoutCompleted = committed.replace(/\n\s*"""Whether the task is done\."""\n\s*completed: Boolean!/, '');
    expect(withoutCompleted).not.toBe(committed);
    expect(diffSchemas(committed, withoutCompleted).breaking).toEqual([
      { type: 'FIELD_REMOVED', description: 'Task.completed was removed.' },
    ]);
  });

  it('reports a new required argument as breaking', () => {
    const stricter = committed.replace('taskEvents(\n', 'taskEvents(\n    since: String!\n');
    expect(diffSchemas(committed, stricter).breaking.map((change) => change.type)).toEqual(['REQUIRED_ARG_ADDED']);
  });

  it('reports a new enum value as dangerous, not breaking', () => {
    const moreEvents = committed.replace('enum TaskEventType {\n', 'enum TaskEventType {\n  RESTORED\n');
    expect(diffSchemas(committed, moreEvents)).toMatchObject({
      breaking: [],
      dangerous: [{ type: 'VALUE_ADDED_TO_ENUM' }],
    });
  });

  it('reports a new optional field or argument as neither', () => {
    const additive = committed.replace('type TaskEvent {\n', 'type TaskEvent {\n  at: DateTime\n');
    expect(diffSchemas(committed, additive)).toEqual({ breaking: [], dangerous: [] });
  });

  it('takes a commit line starting "BREAKING CHANGE:" as the declaration, and nothing else', () => {
    expect(declaresBreakingChange(['Remove Task.completed\n\nBREAKING CHANGE: use status instead.'])).toBe(true);
    expect(declaresBreakingChange(['Remove Task.completed (a breaking change: see notes)'])).toBe(false);
    expect(declaresBreakingChange(['Fix typo', ''])).toBe(false);
  });
});
