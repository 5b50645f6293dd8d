import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from '../builder.js';
import './scalars.js';
import './task/task.js';
import './task/mutations.js';
import './task/bulk-mutations.js';
import './task/subscription.js';
import './user.js';

export const schema = builder.toSchema();

export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
