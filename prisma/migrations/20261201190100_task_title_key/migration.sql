-- TITLE order is alphabetical and identical on PGlite and PostgreSQL: NFKD, combining accents removed
-- (U+0300-036F, 1AB0-1AFF, 1DC0-1DFF, 20D0-20FF, FE20-FE2F), lower-cased by ICU's root locale (lower() under
-- "C" changes ASCII only), ß as ss, cut to 500 characters so the index entry stays under btree's size limit.
-- Stored and compared under "C" (code point order), so the order never depends on the server's locale.
-- Prisma describes it as @default(dbgenerated(...)): it never writes the column.
ALTER TABLE "Task" ADD COLUMN "titleKey" TEXT COLLATE "C" NOT NULL GENERATED ALWAYS AS (
  left(replace(lower(regexp_replace(normalize("title" COLLATE "C", NFKD), '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g') COLLATE "und-x-icu"), 'ß', 'ss'), 500)
) STORED;

-- DropIndex
DROP INDEX "Task_userId_title_id_idx";

-- CreateIndex
CREATE INDEX "Task_userId_titleKey_id_idx" ON "Task"("userId", "titleKey", "id");
