import { DateTimeResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'A point in time, serialized as an ISO-8601 string in UTC with milliseconds: 2026-01-31T09:30:00.000Z.',
});

export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: {
    ASC: { description: 'Smallest (oldest, A to Z) first.' },
    DESC: { description: 'Largest (newest, Z to A) first.' },
  },
});
