/**
 * Tail probabilities of Student's t distribution for a whole number of
 * degrees of freedom, which is all a paired test on seeds needs (df = n - 1).
 *
 * For whole df the distribution of |T| has a closed form (Abramowitz and
 * Stegun 26.7.3 and 26.7.4). With q = |t| / sqrt(df), s = q / sqrt(1 + q^2),
 * c = 1 / sqrt(1 + q^2) and the terms u_k = prod_{j<=k} r_j c^2, where
 * r_j = (2j - 1) / (2j) for even df and 2j / (2j + 1) for odd df:
 *   even df: P(|T| < |t|) = s sum_{k < df/2} u_k
 *   odd df:  P(|T| < |t|) = (2 / pi) (atan(q) + s c sum_{k < (df-1)/2} u_k)
 * The full series sum to 1 / s (even) and atan(1 / q) / (s c) (odd), so the
 * two-sided p-value is the rest of the series, a sum of positive terms. When
 * p is small it is summed that way, which keeps its relative accuracy where
 * 1 - P(|T| < |t|) would cancel; when p >= 1/2 the finite form is exact enough.
 * simple-statistics has no t distribution, and jstat stops its continued
 * fraction at a relative step of 3e-7 (measured 9e-8 off SciPy), hence this.
 */

const check = (df: number) => {
  if (!Number.isInteger(df) || df < 1) {
    throw new RangeError(`Student t: degrees of freedom must be a whole number >= 1, got ${df}`)
  }
}

/** Two-sided tail P(|T| >= |t|) for `df` degrees of freedom (a whole number >= 1). */
export const studentTTwoSided = (t: number, df: number): number => {
  check(df)
  if (Number.isNaN(t)) return Number.NaN
  const q = Math.abs(t) / Math.sqrt(df)
  if (q === Infinity) return 0
  const h = Math.hypot(1, q)
  const s = q / h
  const c2 = 1 / (h * h)
  const odd = df % 2 === 1
  const ratio = (k: number) => odd ? (c2 * (2 * k)) / (2 * k + 1) : (c2 * (2 * k - 1)) / (2 * k)
  const factor = odd ? (2 / Math.PI) * s / h : s
  const headTerms = Math.floor(df / 2)
  let k = 0
  let term = 1
  let head = 0
  for (; k < headTerms; k++) {
    head += term
    term *= ratio(k + 1)
  }
  const inside = (odd ? (2 / Math.PI) * Math.atan(q) : 0) + factor * head
  if (inside <= 0.5) return 1 - inside
  // The terms fall faster than c^2 = 1 - s^2, so what is left after `term` is below term / s^2.
  let tail = 0
  for (; term > 1e-17 * tail * s * s; k++) {
    tail += term
    term *= ratio(k + 1)
  }
  return factor * tail
}

/** Upper tail P(T >= t) for `df` degrees of freedom (a whole number >= 1). */
export const studentTUpper = (t: number, df: number): number => {
  const half = studentTTwoSided(t, df) / 2
  return t >= 0 ? half : 1 - half
}
