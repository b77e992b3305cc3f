/**
 * One run of a sweep, in its own process:
 * `node Worker.ts '<job json>' <sweep pid>`. tfjs's engine and backend are
 * process-global, so runs in parallel need separate processes.
 *
 * This bootstrap imports nothing heavy. Before anything else it checks that
 * its parent is the sweep named in argv (a sweep killed while the worker
 * started is gone, and the worker exits), then watches for the sweep going
 * away: its stdin (the sweep holds the other end) closing, or its parent
 * changing. It loads the run (WorkerMain.ts) only when the sweep writes "go"
 * on stdin, after the sweep has locked the run folder in the worker's name.
 */

const [jobText = "", parentText = ""] = process.argv.slice(2)
const parent = Number(parentText)
const orphaned = 70

if (!(Number.isInteger(parent) && parent > 0) || process.ppid !== parent) {
  process.stderr.write(`worker: its sweep (process ${parentText || "?"}) is gone; nothing was run\n`)
  process.exit(orphaned)
}

const watchdog = setInterval(() => {
  if (process.ppid !== parent) process.exit(orphaned)
}, 500)
watchdog.unref()

let started = false
let input = ""
process.stdin.setEncoding("utf8")
process.stdin.on("data", (chunk: string) => {
  input += chunk
  if (!started && input.includes("go\n")) {
    started = true
    // From here on this process writes the run folder: say so where ps (and the tests) look.
    try {
      process.title = `rectifier worker: ${(JSON.parse(jobText) as { folder: string }).folder}`
    } catch {
      // the job does not decode; WorkerMain reports it
    }
    void import("./WorkerMain.ts").then((main) => main.runJob(jobText))
  }
})
// The sweep's end of the pipe closes when it exits, however it dies.
process.stdin.on("end", () => process.exit(orphaned))
process.stdin.on("error", () => process.exit(orphaned))
