import { Effect, Logger } from "effect"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import { initialRbm, trainRbm, exactLogLikelihood, hiddenProbabilities, visibleInput, hiddenState, modelExpectations } from "../src/index.ts"
const guide = { learningRate: 0.1, batchSize: 10, method: "cd" as const, k: 1, reconstruction: "probabilities" as const, initialMomentum: 0.5, finalMomentum: 0.9, momentumSwitchEpoch: 5, weightCost: 2e-4, monitorSize: 1000, exactLikelihoodMaxHidden: 16 }
const pats = ["000000","111111","000111","111000","100100","010010","001001","110110","101101","011011"]
const bs = { inputs: Float32Array.from(pats.join(""), Number), count: 10, features: 6 }
const rep = (r: any, t: number) => { const a = new Float32Array(r.inputs.length*t); for (let i=0;i<t;i++) a.set(r.inputs, i*r.inputs.length); return { inputs: a, count: r.count*t, features: r.features } }
const prog = Effect.gen(function*() {
  for (const [lr, mom, ep] of [[0.05,0.9,150],[0.1,0.9,150],[0.05,0.5,150]]) {
    const data = rep(bs, 10)
    const init = initialRbm({ visibleUnits: "bernoulli", hiddenUnits: "bernoulli", hidden: 4, initialStd: 0.01 }, data, RandomStream.derive(11, "init"))
    const { rbm } = yield* trainRbm(init, { ...guide, method: "pcd", learningRate: lr!, finalMomentum: mom!, epochs: ep! }, data, bs, { order: RandomStream.derive(11, "order"), sampling: RandomStream.derive(11, "sampling") })
    console.log("pcd", lr, mom, exactLogLikelihood(init, bs), exactLogLikelihood(rbm, bs))
  }
  return
  const count = 3000, mu = [0.5, -2, 1]; const s = RandomStream.derive(12, "data"); const inputs = new Float32Array(count*3)
  for (let r=0;r<count;r++){ inputs[r*3]=mu[0]!+(s.uniform()<0.5?-1.5:1.5)+s.normal(); inputs[r*3+1]=mu[1]!+s.normal(); inputs[r*3+2]=mu[2]!+s.normal() }
  const data = { inputs, count, features: 3 }
  for (const [lr, ep, k, rec] of [[0.01,15,1,"probabilities"],[0.01,30,1,"probabilities"],[0.003,30,1,"probabilities"],[0.01,15,5,"samples"],[0.01,15,1,"samples"]] as const) {
    const init = initialRbm({ visibleUnits: "gaussian", hiddenUnits: "bernoulli", hidden: 4, initialStd: 0.01 }, data, RandomStream.derive(12, "init"))
    const { rbm } = yield* trainRbm(init, { ...guide, learningRate: lr, batchSize: 50, epochs: ep, k, reconstruction: rec }, data, undefined, { order: RandomStream.derive(12, "order"), sampling: RandomStream.derive(12, "sampling") })
    const m = modelExpectations(rbm); const p = hiddenProbabilities(rbm); const sm=[0,0,0]
    for (let st=0;st<p.length;st++){ const mean = visibleInput(rbm, hiddenState(4, st)); for (let i=0;i<3;i++) sm[i]! += p[st]!*(1+mean[i]!**2) }
    console.log("gauss", lr, ep, k, rec, Array.from(m.visible).map(x=>x.toFixed(3)), sm.map((x,i)=>Math.sqrt(x-m.visible[i]!**2).toFixed(3)))
  }
})
Effect.runPromise(Effect.scoped(Effect.provide(prog, TensorBackend.layer({ backend: "cpu" }))).pipe(Effect.provide(Logger.layer([])))).catch(e=>console.error(e))
