// The Database layer against both backends: a query round trip, several pooled connections at once,
// transactions kept apart; the embedded database's data surviving a restart and its folder lock; and an
// unreachable server failing fast with the address and what to check.
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import type { AddressInfo, Server, Socket } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { SqlClient } from "@effect/sql"
import { PGlite } from "@electric-sql/pglite"
import { describe, expect, it, layer } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Option, Redacted } from "effect"
import * as Database from "../../persistence/Database.js"
import { DurableNodeFS, durableStartParams } from "../../persistence/internal/durableNodeFs.js"
import { BackendConfig, backends, tempDir, testConfig } from "./fixtures.js"

const projectRoot = fileURLToPath(new URL("../../..", import.meta.url))

for (const backend of backends) {
  describe.skipIf(backend.skip)(`Database (${backend.name})`, () => {
    layer(backend.layer(), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
      it.effect("answers a query round trip and says where it is and what a commit survives", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const database = yield* Database.Database
          yield* sql`CREATE TABLE round_trip (id int PRIMARY KEY, body jsonb NOT NULL, at timestamptz NOT NULL)`
          const at = new Date("2025-01-02T03:04:05.678Z")
          yield* sql`INSERT INTO round_trip ${sql.insert({ id: 1, body: JSON.stringify({ ok: [1, "two"] }), at })}`
          const rows = yield* sql<{
            id: number
            body: unknown
            at: Date
          }>`SELECT id, body, at FROM round_trip`
          expect(rows).toEqual([{ id: 1, body: { ok: [1, "two"] }, at }])

          const config = yield* BackendConfig
          expect(database.mode).toBe(backend.name)
          // What the database really runs with (CI's PostgreSQL may run with fsync off, for speed).
          const [settings] = yield* sql<{ fsync: string; synchronous_commit: string }>`
            SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit`
          expect(database.durability).toBe(
            Database.describeDurability(backend.name, {
              fsync: settings?.fsync ?? "",
              synchronousCommit: settings?.synchronous_commit ?? "",
            }),
          )
          if (backend.name === "embedded") expect(database.durability).toMatch(/flushed to disk \(fsync=on/)
          if (backend.name === "embedded") expect(database.target).toContain(config.dataDir)
          else {
            const url = Option.getOrThrow(config.url)
            const password = new URL(Redacted.value(url)).password
            if (password !== "") expect(database.target).not.toContain(password)
            expect(database.target).toContain(new URL(Redacted.value(url)).pathname)
          }
        }),
      )

      it.effect("serves several pooled connections at once, each getting its own statement's rows", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          // Parameters large enough to arrive in several reads, on distinct statements, sent at the same
          // moment on four connections held at once (a pool of one would wait here forever).
          const big = "x".repeat(200_000)
          const round = Effect.gen(function* () {
            const connections = yield* Effect.all(
              Array.from({ length: 4 }, () => sql.reserve),
              {
                concurrency: "unbounded",
              },
            )
            const results = yield* Effect.all(
              connections.map((connection, i) =>
                connection.execute(
                  `SELECT $1::int AS n, ${i} AS k, length($2::text) AS length`,
                  [i, big],
                  undefined,
                ),
              ),
              { concurrency: "unbounded" },
            )
            expect(results).toEqual(Array.from({ length: 4 }, (_, i) => [{ n: i, k: i, length: 200_000 }]))
          }).pipe(Effect.scoped)
          yield* Effect.repeatN(round, 9)
        }),
      )

      it.effect("keeps a transaction's uncommitted writes from every other connection", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE isolated (id int PRIMARY KEY)`
          const inserted = yield* Deferred.make<void>()
          const writer = yield* sql
            .withTransaction(
              Effect.gen(function* () {
                yield* sql`INSERT INTO isolated VALUES (1)`
                yield* Deferred.succeed(inserted, undefined)
                yield* Effect.sleep("300 millis")
                return yield* Effect.fail("roll back" as const)
              }),
            )
            .pipe(Effect.flip, Effect.fork)
          yield* Deferred.await(inserted)
          const [elapsed, rows] = yield* Effect.timed(
            sql<{ count: string }>`SELECT count(*) AS count FROM isolated`,
          )
          expect(rows).toEqual([{ count: "0" }])
          expect(yield* Fiber.join(writer)).toBe("roll back")
          // Embedded: one session, so the reader waits for the transaction to end; PostgreSQL reads at once.
          if (backend.name === "embedded") expect(Duration.toMillis(elapsed)).toBeGreaterThanOrEqual(250)
          else expect(Duration.toMillis(elapsed)).toBeLessThan(250)
        }),
      )

      it.effect("loses no update when concurrent transactions read, modify and write one row", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)`
          yield* sql`INSERT INTO counter VALUES (1, 0)`
          const increment = sql.withTransaction(
            Effect.gen(function* () {
              const [row] = yield* sql<{ value: number }>`SELECT value FROM counter WHERE id = 1 FOR UPDATE`
              yield* Effect.sleep("5 millis")
              yield* sql`UPDATE counter SET value = ${(row?.value ?? 0) + 1} WHERE id = 1`
            }),
          )
          yield* Effect.all(
            Array.from({ length: 20 }, () => increment),
            { concurrency: "unbounded" },
          )
          expect(yield* sql`SELECT value FROM counter`).toEqual([{ value: 20 }])
        }),
      )
    })
  })
}

describe("Database (embedded only)", () => {
  const open = (dataDir: string, embeddedFsync = true) =>
    Database.layer(testConfig({ dataDir, embeddedFsync }))

  it.live(
    "keeps its data across closing and reopening on the same folder, and locks the folder while open",
    () =>
      Effect.gen(function* () {
        const dataDir = yield* tempDir
        yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE kept (note text)`
          yield* sql`INSERT INTO kept VALUES ('before the restart')`
          // A second opening of the same folder would silently lose commits: it is refused.
          const locked = yield* Effect.flip(Effect.provide(Effect.void, open(dataDir)))
          expect(locked._tag).toBe("DataDirLocked")
          expect(locked.message).toContain(dataDir)
        }).pipe(Effect.provide(open(dataDir)))

        const notes = yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT note FROM kept`).pipe(
          Effect.provide(open(dataDir)),
        )
        expect(notes).toEqual([{ note: "before the restart" }])
      }).pipe(Effect.scoped),
    60_000,
  )

  it.live(
    "without fsync it still works, and says plainly what a power loss may cost",
    () =>
      Effect.gen(function* () {
        const dataDir = yield* tempDir
        const database = yield* Effect.provide(Database.Database, open(dataDir, false))
        expect(database.mode).toBe("embedded")
        expect(database.durability).toMatch(/power loss/)
        expect(database.durability).toMatch(/crash of this process loses nothing/)
      }).pipe(Effect.scoped),
    60_000,
  )
})

describe("Database (embedded, crashed process)", () => {
  it.live(
    "loses no acknowledged commit when its process is killed, and reopens past the dead process's lock",
    () =>
      Effect.gen(function* () {
        const dataDir = yield* tempDir
        const lastAcknowledged = yield* Effect.async<number, Error>((resume) => {
          // Node itself (not the tsx CLI, which would leave its own node child running when killed).
          const child = spawn(
            process.execPath,
            ["--import", "tsx", join(projectRoot, "runtime/test/persistence/crashWriter.ts"), dataDir],
            { cwd: projectRoot, env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] },
          )
          let output = ""
          let errors = ""
          let last = 0
          child.stdout.on("data", (chunk: Buffer) => {
            output += chunk.toString()
            const lines = output.split("\n")
            output = lines.pop() ?? ""
            last = Number(lines.at(-1) ?? last)
            if (last >= 200 && !child.killed) child.kill("SIGKILL")
          })
          child.stderr.on("data", (chunk: Buffer) => void (errors += chunk.toString()))
          child.once("exit", (_code, signal) =>
            resume(
              signal === "SIGKILL"
                ? Effect.succeed(last)
                : Effect.fail(new Error(`writer exited: ${errors}`)),
            ),
          )
        })
        const rows = yield* Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{
              count: number
              max: number
            }>`SELECT count(*)::int AS count, max(n) AS max FROM acknowledged`,
        ).pipe(Effect.provide(Database.layer(testConfig({ dataDir }))))
        expect(rows[0]?.max).toBeGreaterThanOrEqual(lastAcknowledged)
        expect(rows[0]?.count).toBe(rows[0]?.max)
      }).pipe(Effect.scoped),
    60_000,
  )
})

describe("DurableNodeFS (embedded durability)", () => {
  /** Emscripten's NODEFS operations inside a PGlite instance: reached into here to count fsyncs. */
  const nodefsOps = (db: PGlite) =>
    (
      db.Module.FS as unknown as {
        filesystems: { NODEFS: { stream_ops: { fsync?: (s: unknown) => number } } }
      }
    ).filesystems.NODEFS.stream_ops

  it.live(
    "has PostgreSQL flush every commit to the files, where stock PGlite flushes nothing",
    () =>
      Effect.gen(function* () {
        const dataDir = yield* tempDir
        const count = (db: PGlite) =>
          Effect.promise(async () => {
            const ops = nodefsOps(db)
            const original = ops.fsync
            let calls = 0
            if (original !== undefined) {
              ops.fsync = (stream) => {
                calls++
                return original(stream)
              }
            }
            await db.exec("CREATE TABLE IF NOT EXISTS flushed (n int)")
            for (let n = 0; n < 20; n++) await db.query("INSERT INTO flushed VALUES ($1)", [n])
            const settings = await db.query<{ fsync: string; wal_sync_method: string }>(
              "SELECT current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS wal_sync_method",
            )
            await db.close()
            return { calls, settings: settings.rows[0] }
          })
        const durable = yield* count(
          yield* Effect.promise(() =>
            PGlite.create({
              fs: new DurableNodeFS(join(dataDir, "durable")),
              startParams: durableStartParams(),
            }),
          ),
        )
        expect(durable.settings).toEqual({ fsync: "on", wal_sync_method: "fsync" })
        expect(durable.calls).toBeGreaterThanOrEqual(20)
        const stock = yield* count(
          yield* Effect.promise(() => PGlite.create({ dataDir: join(dataDir, "stock") })),
        )
        expect(stock).toEqual({ calls: 0, settings: { fsync: "off", wal_sync_method: "fdatasync" } })
      }).pipe(Effect.scoped),
    60_000,
  )
})

/** A TCP server on a free loopback port that accepts connections and never says a word. */
const silentServer = Effect.acquireRelease(
  Effect.async<{ server: Server; sockets: Array<Socket> }>((resume) => {
    const sockets: Array<Socket> = []
    const server = createServer((socket) => void sockets.push(socket))
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets })))
  }),
  ({ server, sockets }) =>
    Effect.async<void>((resume) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resume(Effect.void))
    }),
).pipe(Effect.map(({ server }) => (server.address() as AddressInfo).port))

/** A loopback port nothing listens on (briefly bound, then released). */
const closedPort = Effect.acquireRelease(
  Effect.async<Server>((resume) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  () => Effect.void,
).pipe(
  Effect.flatMap((server) =>
    Effect.async<number>((resume) => {
      const port = (server.address() as AddressInfo).port
      server.close(() => resume(Effect.succeed(port)))
    }),
  ),
)

describe("Database (unreachable PostgreSQL)", () => {
  const connect = (port: number, connectTimeoutMs: number) =>
    Effect.provide(
      Effect.void,
      Database.layer(
        testConfig({
          url: Option.some(Redacted.make(`postgres://lvlup:s3cret@127.0.0.1:${port}/lvlup`)),
          connectTimeoutMs,
        }),
      ),
    ).pipe(Effect.flip, Effect.timed)

  it.live("fails at once with DatabaseUnavailable naming host:port when nothing listens there", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const [elapsed, error] = yield* connect(port, 5000)
      expect(error._tag).toBe("DatabaseUnavailable")
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expect(error.message).toMatch(/is the PostgreSQL server running/)
      expect(error.message).not.toContain("s3cret")
      expect(Duration.toMillis(elapsed)).toBeLessThan(5000)
    }).pipe(Effect.scoped),
  )

  it.live("fails within the connect timeout when the server accepts but never answers", () =>
    Effect.gen(function* () {
      const port = yield* silentServer
      const [elapsed, error] = yield* connect(port, 1000)
      expect(error._tag).toBe("DatabaseUnavailable")
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expect(error.message).toMatch(/LVLUP_DB_CONNECT_TIMEOUT_MS/)
      expect(Duration.toMillis(elapsed)).toBeGreaterThanOrEqual(900)
      expect(Duration.toMillis(elapsed)).toBeLessThan(4000)
    }).pipe(Effect.scoped),
  )
})
