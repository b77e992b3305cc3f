/**
 * Preloaded into CLI processes by tests (`NODE_OPTIONS=--import <this file>`,
 * which sweep workers inherit): keeps fetch on the loopback interface. A
 * request to any other host goes to a closed loopback port and fails at once,
 * as it would offline, so a test's mirror is the only address that answers and
 * a dataset's official address is never reached.
 */
const realFetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  return url.hostname === "127.0.0.1" ? realFetch(input, init) : realFetch("http://127.0.0.1:9/", init)
}
