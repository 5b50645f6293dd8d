import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';

export interface SchemaChange {
  type: string;
  description: string;
}

export interface SchemaDiff {
  breaking: SchemaChange[];
  dangerous: SchemaChange[];
}

/** graphql-js's own classification: breaking changes fail existing operations, dangerous ones may change results. */
export function diffSchemas(previousSdl: string, currentSdl: string): SchemaDiff {
  const previous = buildSchema(previousSdl);
  const current = buildSchema(currentSdl);
  return { breaking: findBreakingChanges(previous, current), dangerous: findDangerousChanges(previous, current) };
}

/** A commit declares a breaking change with a line starting `BREAKING CHANGE:` (Conventional Commits). */
export const breakingChangeDeclaration = /^BREAKING[ -]CHANGE:/m;

export function declaresBreakingChange(commitMessages: string[]): boolean {
  return commitMessages.some((message) => breakingChangeDeclaration.test(message));
}
