// Makes embedded PGlite durable on Node. PGlite starts PostgreSQL with fsync off (`-F`), and its Node
// filesystem (Emscripten's NODEFS) has no fsync operation, so commits stop at the OS page cache. Here
// fsync is switched back on and routed to the real file, so PostgreSQL's own protocol (WAL at commit,
// data files at checkpoint) reaches the disk. The casts into Emscripten's internals stay in this file.
import { closeSync, fsyncSync, openSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { NodeFS } from "@electric-sql/pglite/nodefs"

type EmscriptenOptions = Parameters<NodeFS["init"]>[1]
type PostgresModule = Parameters<NonNullable<EmscriptenOptions["preRun"]>[number]>[0]

/** The parts of Emscripten's NODEFS used here (not in PGlite's typings). */
interface NodeFsInternals {
  readonly stream_ops: { fsync?: (stream: { readonly nfd?: number; readonly node: unknown }) => number }
  readonly realPath: (node: unknown) => string
  readonly tryFSOperation: <A>(operation: () => A) => A
}

const fsyncPath = (path: string): void => {
  const fd = openSync(path, "r")
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** PGlite's start parameters with fsync on; `fsync` is the one WAL sync method that reaches NODEFS. */
export const durableStartParams = (): Array<string> => [
  ...PGlite.defaultStartParams.filter((param) => param !== "-F"),
  "-c",
  "wal_sync_method=fsync",
]

/** NODEFS with a working fsync: files by their descriptor, directories by path. */
export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, options: EmscriptenOptions) {
    const result = await super.init(pg, options)
    const patch = (mod: PostgresModule) => {
      const filesystems = (mod.FS as unknown as { filesystems: { NODEFS: NodeFsInternals } }).filesystems
      const nodefs = filesystems.NODEFS
      // Errors become Emscripten errno values, so PostgreSQL sees a failed fsync and refuses to go on.
      nodefs.stream_ops.fsync = (stream) =>
        nodefs.tryFSOperation(() => {
          if (stream.nfd !== undefined) fsyncSync(stream.nfd)
          else fsyncPath(nodefs.realPath(stream.node))
          return 0
        })
    }
    return {
      emscriptenOpts: { ...result.emscriptenOpts, preRun: [...(result.emscriptenOpts.preRun ?? []), patch] },
    }
  }
}

/** Flushes a whole folder tree (files, then their directory): once, for a freshly initialised cluster. */
export const fsyncTree = (dir: string): void => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) fsyncTree(path)
    else if (entry.isFile()) fsyncPath(path)
  }
  fsyncPath(dir)
}
