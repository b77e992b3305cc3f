/**
 * Registers tfjs's gradient functions. The CommonJS build of tfjs-core that
 * Node loads has no gradients; the `@tensorflow/tfjs` bundle registers all of
 * them in tfjs's global gradient registry, which every copy of the engine shares.
 * The backend layer loads this module; code that differentiates without the
 * layer imports `@rectifier/backend/gradients`.
 *
 * @module @rectifier/backend/gradients
 */
import "@tensorflow/tfjs"
