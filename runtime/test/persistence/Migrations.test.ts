// Migrations against both backends: a fresh database gets the runtime's schema and a second run does
// nothing; a failing migration is named and leaves nothing of its batch; malformed or changed lists are
// refused; and migrators started together apply each migration once.
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Database from "../../persistence/Database.js"
import type { Migration } from "../../persistence/Migrations.js"
import * as Migrations from "../../persistence/Migrations.js"
import * as SqlPersistence from "../../persistence/SqlPersistence.js"
import { BackendConfig, backends } from "./fixtures.js"

const tableExists = (name: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ present: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS present`.pipe(
      Effect.map((rows) => rows[0]?.present === true),
    ),
  )

const versions = (namespace: string) =>
  Migrations.applied(namespace).pipe(Effect.map((rows) => rows.map((row) => `${row.version} ${row.name}`)))

for (const backend of backends) {
  describe.skipIf(backend.skip)(`Migrations (${backend.name})`, () => {
    layer(backend.layer(), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
      it.effect("gives a fresh database the runtime's schema, and a second run applies nothing", () =>
        Effect.gen(function* () {
          expect(yield* Migrations.applied()).toEqual([])
          yield* Layer.build(Migrations.layer())
          expect(yield* versions("runtime")).toEqual([
            "1 create journal",
            "2 create snapshots",
            "3 create schedules",
          ])

          // The schema takes what the actor system's SQL persistence writes, and gives it back.
          const envelope = (id: string, seq: number) => ({
            envelope: {
              id,
              type: "guardian.scan.requested",
              payload: { path: "src", seq },
              from: "external",
              to: "guardian",
              correlationId: `c-${id}`,
              causationId: null,
              sentAt: 1_732_500_000_000 + seq,
            },
            seq,
          })
          yield* SqlPersistence.commitBatch({
            appended: [envelope("m1", 1), envelope("m2", 2), envelope("m3", 3)],
            processed: [{ id: "m1", outcome: "processed" }],
            snapshots: [
              {
                address: "guardian",
                plugin: "guardian",
                kind: null,
                parent: null,
                input: null,
                seq: 1,
                state: { value: "idle" },
              },
              {
                address: "guardian/scan-1",
                plugin: "guardian",
                kind: "scan",
                parent: "guardian",
                input: { path: "src" },
                seq: 0,
                state: { value: "running" },
              },
            ],
            removed: [],
          })
          const recovered = yield* SqlPersistence.recoverAddress("guardian")
          expect(recovered.snapshot).toMatchObject({ seq: 1, state: { value: "idle" }, input: null })
          expect(recovered.pending.map((entry) => [entry.seq, entry.envelope.payload])).toEqual([
            [2, { path: "src", seq: 2 }],
            [3, { path: "src", seq: 3 }],
          ])
          expect(recovered.lastSeq).toBe(3)
          expect((yield* SqlPersistence.childrenOf("guardian")).map((child) => child.input)).toEqual([
            { path: "src" },
          ])
          // One position per address's stream.
          expect(
            yield* Effect.flip(
              SqlPersistence.commitBatch({
                appended: [envelope("m4", 3)],
                processed: [],
                snapshots: [],
                removed: [],
              }),
            ),
          ).toBeDefined()

          expect(
            yield* Migrations.run([{ namespace: "runtime", migrations: Migrations.runtimeMigrations }]),
          ).toEqual([])
          expect(yield* versions("runtime")).toHaveLength(3)
        }).pipe(Effect.scoped),
      )

      it.effect("names a failing migration, applies nothing of its batch, and applies it once fixed", () =>
        Effect.gen(function* () {
          const first: Migration = {
            version: 1,
            name: "create notes",
            sql: "CREATE TABLE failing_notes (id int)",
          }
          const broken: Migration = {
            version: 2,
            name: "index notes",
            sql: "CREATE TABLE failing_tags (id int); CREATE INDEX ON failing_notes (no_such_column)",
          }
          const error = yield* Effect.flip(
            Migrations.run([{ namespace: "failing", migrations: [first, broken] }]),
          )
          expect(error).toMatchObject({
            _tag: "MigrationFailed",
            namespace: "failing",
            version: 2,
            name: "index notes",
          })
          expect(error.message).toMatch(/no_such_column/)
          expect(yield* tableExists("failing_notes")).toBe(false)
          expect(yield* tableExists("failing_tags")).toBe(false)
          expect(yield* versions("failing")).toEqual([])

          const fixed = {
            ...broken,
            sql: "CREATE TABLE failing_tags (id int); CREATE INDEX ON failing_notes (id)",
          }
          const applied = yield* Migrations.run([{ namespace: "failing", migrations: [first, fixed] }])
          expect(applied.map((m) => m.version)).toEqual([1, 2])
          expect(yield* tableExists("failing_tags")).toBe(true)
        }),
      )

      it.effect("runs a migration written as a program, and reports the program's failure", () =>
        Effect.gen(function* () {
          const seed: Migration = {
            version: 1,
            name: "seed levels",
            sql: (sql) =>
              Effect.gen(function* () {
                yield* sql`CREATE TABLE program_levels (level int PRIMARY KEY)`
                yield* sql`INSERT INTO program_levels ${sql.insert([{ level: 1 }, { level: 2 }])}`
              }),
          }
          const refuse: Migration = {
            version: 2,
            name: "refuse",
            sql: (sql) =>
              Effect.zipRight(sql`DELETE FROM program_levels`, Effect.fail(new Error("levels are sacred"))),
          }
          const error = yield* Effect.flip(
            Migrations.run([{ namespace: "program", migrations: [seed, refuse] }]),
          )
          expect(error).toMatchObject({ _tag: "MigrationFailed", namespace: "program", name: "refuse" })
          expect(error.message).toContain("levels are sacred")

          yield* Migrations.run([{ namespace: "program", migrations: [seed] }])
          const sql = yield* SqlClient.SqlClient
          expect(yield* sql`SELECT level FROM program_levels ORDER BY level`).toEqual([
            { level: 1 },
            { level: 2 },
          ])
        }),
      )

      it.effect(
        "refuses duplicate versions, a changed migration, and one slipped in below applied versions",
        () =>
          Effect.gen(function* () {
            const one: Migration = { version: 1, name: "one", sql: "CREATE TABLE strict_one (id int)" }
            const three: Migration = { version: 3, name: "three", sql: "CREATE TABLE strict_three (id int)" }
            const twin = yield* Effect.flip(
              Migrations.run([{ namespace: "strict", migrations: [one, { ...one, name: "uno" }] }]),
            )
            expect(twin.message).toMatch(/version 1 is also declared/)
            expect(yield* tableExists("strict_one")).toBe(false)

            yield* Migrations.run([{ namespace: "strict", migrations: [one, three] }])
            const renamed = yield* Effect.flip(
              Migrations.run([{ namespace: "strict", migrations: [{ ...one, name: "first" }, three] }]),
            )
            expect(renamed.message).toMatch(/was applied as "one"/)
            const late = yield* Effect.flip(
              Migrations.run([
                {
                  namespace: "strict",
                  migrations: [one, { version: 2, name: "two", sql: "SELECT 1" }, three],
                },
              ]),
            )
            expect(late).toMatchObject({ _tag: "MigrationFailed", version: 2, name: "two" })
            expect(late.message).toMatch(/higher versions/)
          }),
      )

      it.effect("applies each migration once when migrators start together on several connections", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE race_log (version int NOT NULL)`
          const migrations: ReadonlyArray<Migration> = [1, 2, 3].map((version) => ({
            version,
            name: `step ${version}`,
            sql: (sql: SqlClient.SqlClient) =>
              Effect.zipRight(sql`INSERT INTO race_log VALUES (${version})`, Effect.sleep("30 millis")),
          }))
          const sets = [{ namespace: "race", migrations }]
          const results = yield* Effect.all(
            Array.from({ length: 4 }, () => Migrations.run(sets)),
            { concurrency: "unbounded" },
          )
          expect(results.flat().map((m) => m.version)).toEqual([1, 2, 3])
          expect(yield* sql`SELECT version FROM race_log ORDER BY version`).toEqual([
            { version: 1 },
            { version: 2 },
            { version: 3 },
          ])

          if (backend.name === "postgres") {
            // Two processes: a second pool of its own on the same database.
            const config = yield* BackendConfig
            const twoProcesses = [1, 2].map(() =>
              Migrations.run([{ namespace: "race-pools", migrations }]).pipe(
                Effect.provide(Database.layer(config)),
              ),
            )
            const applied = yield* Effect.all(twoProcesses, { concurrency: "unbounded" })
            expect(applied.flat().map((m) => m.version)).toEqual([1, 2, 3])
            expect(yield* sql`SELECT count(*)::int AS count FROM race_log`).toEqual([{ count: 6 }])
          }
        }),
      )
    })
  })
}
