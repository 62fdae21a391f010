// A child process for the crash test: opens the embedded database in the folder given as its argument
// and inserts numbered rows one by one, printing each number once its commit is acknowledged, until killed.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Database from "../../persistence/Database.js"
import { testConfig } from "./fixtures.js"

const dataDir = process.argv[2] ?? ""

const program = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS acknowledged (n int PRIMARY KEY)`
  for (let n = 1; ; n++) {
    yield* sql`INSERT INTO acknowledged VALUES (${n})`
    process.stdout.write(`${n}\n`)
  }
})

Effect.runPromise(program.pipe(Effect.provide(Database.layer(testConfig({ dataDir }))))).catch(
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  },
)
