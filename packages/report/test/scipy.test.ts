/**
 * Every p-value a sweep report states, against SciPy on fixed cases: the
 * paired t-test (`ttest_rel`), both one-sided tests of TOST and their max
 * (`ttest_1samp` with `alternative`), and Holm's adjustment of the families
 * they form. SciPy is Debian's (`python3-scipy` for /usr/bin/python3, which
 * `bash scripts/setup.sh --test` installs); without it this test fails and
 * says so rather than skipping.
 */
import { assert, describe, it } from "@effect/vitest"
import { holm, pairedTTest, tost } from "@rectifier/report"
import { spawnSync } from "node:child_process"

/**
 * Relative, on every t and p. Both sides compute in float64 and their t tails
 * are good to about 1e-14 (ours, StudentT.ts: measured 3e-13 off SciPy up to
 * df 1001, where its series is longest); the inputs are the same doubles, but
 * numpy and simple-statistics sum the mean and sd in different orders, which
 * moves t by a few ulps and p by up to df times that. Measured worst over these
 * cases: 4.2e-15. 1e-9 sits well above that rounding and far below what a
 * mistake gives (a wrong df, tail or sign is off by percent) or what a report
 * prints (three digits).
 */
const RELATIVE = 1e-9

interface Case {
  readonly name: string
  readonly a: ReadonlyArray<number>
  readonly b: ReadonlyArray<number>
  /** TOST margin, in error units. */
  readonly margin: number
}

/** Per-seed test errors of two cells (a and b, seed by seed). */
const cases: ReadonlyArray<Case> = [
  { name: "n=2 (df 1)", a: [0.0187, 0.0191], b: [0.0275, 0.0262], margin: 0.002 },
  { name: "n=3, Table 1 sized gap", a: [0.0182, 0.019, 0.0189], b: [0.0268, 0.0291, 0.0266], margin: 0.002 },
  { name: "n=3, two pairs tied", a: [0.02, 0.021, 0.019], b: [0.02, 0.0205, 0.019], margin: 0.002 },
  { name: "n=5, repeated differences", a: [0.015, 0.016, 0.017, 0.018, 0.019], b: [0.014, 0.015, 0.016, 0.0175, 0.017], margin: 0.002 },
  {
    name: "n=10, equivalent within 0.2 pp",
    a: [0.0181, 0.0185, 0.0179, 0.0190, 0.0183, 0.0187, 0.0180, 0.0184, 0.0188, 0.0182],
    b: [0.0183, 0.0182, 0.0181, 0.0186, 0.0184, 0.0184, 0.0182, 0.0185, 0.0184, 0.0183],
    margin: 0.002
  },
  {
    name: "n=10, noisy: neither different nor equivalent",
    a: [0.031, 0.018, 0.026, 0.012, 0.029, 0.021, 0.017, 0.034, 0.015, 0.022],
    b: [0.019, 0.027, 0.016, 0.025, 0.018, 0.030, 0.024, 0.014, 0.028, 0.020],
    margin: 0.002
  },
  {
    name: "n=10, large effect",
    a: [0.0508, 0.0511, 0.0507, 0.0509, 0.0510, 0.0506, 0.0512, 0.0508, 0.0509, 0.0510],
    b: [0.0187, 0.0189, 0.0186, 0.0188, 0.0188, 0.0185, 0.0190, 0.0187, 0.0187, 0.0189],
    margin: 0.002
  },
  { name: "n=3, huge effect (p about 1e-13)", a: [0.2, 0.2000001, 0.2000002], b: [0.1, 0.1, 0.1000001], margin: 0.002 },
  { name: "n=4, mean difference near -margin, margin 0.5 pp", a: [0.012, 0.011, 0.0125, 0.0118], b: [0.0168, 0.0161, 0.0172, 0.0169], margin: 0.005 }
]

/** Holm families beyond the report-like one: tied p-values, the cap at 1, an order to restore, one test, none. */
const extraFamilies: ReadonlyArray<ReadonlyArray<number>> = [
  [0.01, 0.04, 0.03, 0.04, 0.5, 0.9, 0.001],
  [0.02, 0.021],
  [0.7],
  []
]

interface Reference {
  readonly cases: ReadonlyArray<{
    readonly t: number
    readonly p: number
    readonly lowerT: number
    readonly lowerP: number
    readonly upperT: number
    readonly upperP: number
    readonly tost: number
  }>
  readonly holm: ReadonlyArray<ReadonlyArray<number>>
}

/**
 * SciPy 1.10 (Debian 12) has no Holm adjustment, so the reference is R's
 * p.adjust formula in numpy over SciPy's own p-values: sort, scale the k-th
 * smallest by m - k, running maximum, cap at 1, unsort.
 */
const python = `
import json, sys
import numpy as np
from scipy import stats
request = json.load(sys.stdin)
cases = []
for c in request["cases"]:
    a, b = np.array(c["a"]), np.array(c["b"])
    d = a - b
    paired = stats.ttest_rel(a, b)
    lower = stats.ttest_1samp(d, -c["margin"], alternative="greater")
    upper = stats.ttest_1samp(d, c["margin"], alternative="less")
    cases.append({"t": float(paired.statistic), "p": float(paired.pvalue),
                  "lowerT": float(lower.statistic), "lowerP": float(lower.pvalue),
                  "upperT": float(upper.statistic), "upperP": float(upper.pvalue),
                  "tost": float(max(lower.pvalue, upper.pvalue))})
def holm(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return adjusted.tolist()
report = [x for c in cases for x in (c["p"], c["tost"])]
print(json.dumps({"cases": cases, "holm": [holm(report)] + [holm(f) for f in request["families"]]}))
`

const scipy = (() => {
  let reference: Reference | undefined
  return (): Reference => {
    if (reference !== undefined) return reference
    const run = spawnSync("/usr/bin/python3", ["-c", python], {
      input: JSON.stringify({ cases, families: extraFamilies }),
      encoding: "utf8"
    })
    const install = "install Debian's python3-scipy (apt-get install -y python3-scipy; bash scripts/setup.sh --test does it)"
    if (run.error !== undefined) throw new Error(`SciPy reference: cannot run /usr/bin/python3 (${run.error.message}); ${install}`)
    if (run.status !== 0) throw new Error(`SciPy reference: /usr/bin/python3 failed; ${install}\n${run.stderr}`)
    reference = JSON.parse(run.stdout) as Reference
    return reference
  }
})()

const close = (what: string, ours: number, theirs: number) =>
  assert.isTrue(
    Math.abs(ours - theirs) <= RELATIVE * Math.abs(theirs),
    `${what}: ours ${ours}, SciPy ${theirs} (relative difference ${Math.abs(ours - theirs) / Math.abs(theirs)})`
  )

describe("p-values against SciPy", () => {
  it("paired t-test, two-sided, df = n - 1 (ttest_rel)", () => {
    cases.forEach((c, i) => {
      const ours = pairedTTest(c.a, c.b)!
      const theirs = scipy().cases[i]!
      assert.strictEqual(ours.df, c.a.length - 1)
      close(`${c.name}: t`, ours.t, theirs.t)
      close(`${c.name}: p`, ours.pValue, theirs.p)
    })
  })

  it("TOST: both one-sided paired t-tests and their max (ttest_1samp, greater / less)", () => {
    cases.forEach((c, i) => {
      const ours = tost(c.a, c.b, c.margin)!
      const theirs = scipy().cases[i]!
      close(`${c.name}: lower t`, ours.lower.t, theirs.lowerT)
      close(`${c.name}: lower p`, ours.lower.pValue, theirs.lowerP)
      close(`${c.name}: upper t`, ours.upper.t, theirs.upperT)
      close(`${c.name}: upper p`, ours.upper.pValue, theirs.upperP)
      close(`${c.name}: TOST p`, ours.pValue, theirs.tost)
    })
  })

  it("Holm adjustment of a report's p-values and of edge-case families", () => {
    const report = cases.flatMap((c) => [pairedTTest(c.a, c.b)!.pValue, tost(c.a, c.b, c.margin)!.pValue])
    const families = [report, ...extraFamilies]
    families.forEach((family, f) => {
      const ours = holm(family)
      const theirs = scipy().holm[f]!
      assert.strictEqual(ours.length, theirs.length)
      ours.forEach((p, i) => close(`family ${f}, p ${i}`, p, theirs[i]!))
    })
  })

  it("the cases cover what the report decides on", () => {
    const p = scipy().cases.map((c) => c.p)
    const equivalent = scipy().cases.map((c) => c.tost)
    // Significant and not, equivalent and not, and a p-value small enough to need the series tail.
    assert.isTrue(p.some((x) => x < 1e-9) && p.some((x) => x > 0.5))
    assert.isTrue(equivalent.some((x) => x < 0.05) && equivalent.some((x) => x > 0.5))
  })
})
