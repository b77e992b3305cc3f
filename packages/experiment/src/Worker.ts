/**
 * One run of a sweep, in its own process: `node Worker.ts <run folder> <sweep pid>`.
 * tfjs's engine and backend are process-global, so runs in parallel need
 * separate processes (WorkerProcess.ts starts them).
 *
 * This bootstrap imports nothing heavy. Before anything else it checks that
 * its parent is the sweep named in argv (a sweep killed while the worker
 * started is gone, and the worker exits), then watches for the sweep going
 * away: its stdin (the sweep holds the other end) closing, or its parent
 * changing. It loads the run (WorkerMain.ts) only when the sweep writes its
 * start line (the job, Job.ts's `WorkerStart`) on stdin, after the sweep has
 * locked the run folder in the worker's name.
 */

const [folder = "", parentText = ""] = process.argv.slice(2)
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
  const newline = input.indexOf("\n")
  if (!started && newline >= 0) {
    started = true
    // From here on this process writes the run folder: say so where ps (and the tests) look.
    process.title = `rectifier worker: ${folder}`
    const line = input.slice(0, newline)
    void import("./WorkerMain.ts").then((main) => main.runJob(line))
  }
})
// The sweep's end of the pipe closes when it exits, however it dies.
process.stdin.on("end", () => process.exit(orphaned))
process.stdin.on("error", () => process.exit(orphaned))
