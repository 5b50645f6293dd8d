#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded offline; `generate` never runs it.
echo "The native Prisma schema engine is not installed: use npm run db:migrate / db:migration:create." >&2
exit 1
