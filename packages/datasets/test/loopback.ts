/**
 * The real fetch-based HTTP client, kept on the loopback interface: a request
 * to any other host goes to a closed loopback port instead. A test whose
 * mirror fails falls through to the dataset's official address, which a test
 * must never reach; here it fails at once, as it would offline.
 */
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"

export const loopbackOnly = Layer.effect(
  HttpClient.HttpClient,
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    return client.pipe(HttpClient.mapRequest((request) =>
      new URL(request.url).hostname === "127.0.0.1" ? request : HttpClientRequest.setUrl(request, "http://127.0.0.1:9/")
    ))
  })
).pipe(Layer.provide(FetchHttpClient.layer))
