-- CreateTable
CREATE TABLE "User" (
    "id" VARCHAR(128) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" UUID NOT NULL,
    "title" VARCHAR(500) NOT NULL,
    "description" VARCHAR(5000),
    "completed" BOOLEAN NOT NULL DEFAULT false,
    "userId" VARCHAR(128) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Task_userId_createdAt_id_idx" ON "Task"("userId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Task_userId_updatedAt_id_idx" ON "Task"("userId", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "Task_userId_title_id_idx" ON "Task"("userId", "title", "id");

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Guards the schema cannot express: they back the API's validation.
ALTER TABLE "User" ADD CONSTRAINT "User_id_not_empty" CHECK (char_length("id") >= 1);
ALTER TABLE "Task" ADD CONSTRAINT "Task_title_not_blank" CHECK (char_length(btrim("title")) >= 1);
