// The bench dispatcher: `npm run bench -- <name>` runs the `run()` exported by bench/<name>.ts.
// An unknown or missing name prints the benches there are and exits with status 2.
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))

/** Every bench/<name>.ts except this dispatcher (helpers live in bench/lib/). */
const benches = (): string[] =>
  readdirSync(here)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && file !== "run.ts")
    .map((file) => file.slice(0, -".ts".length))
    .sort()

const name = process.argv[2]
const known = benches()
if (name === undefined || !known.includes(name)) {
  console.error(name === undefined ? "usage: npm run bench -- <name>" : `unknown bench "${name}"`)
  console.error(`benches: ${known.join(", ")}`)
  process.exit(2)
}

const module = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run?: unknown }
if (typeof module.run !== "function") {
  console.error(`bench/${name}.ts exports no run() function`)
  process.exit(2)
}
await (module.run as () => Promise<unknown>)()
// Benches may leave timers or handles behind; the measurement is over.
process.exit(0)
