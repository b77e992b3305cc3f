// The N-API addon behind the native tfjs backend: OpenBLAS sgemm for matrix
// products, sparsity-aware products that skip the exact zeros of one operand,
// and plain loops for the element-wise, comparison, selection,
// reduction, copy and update kernels, each in the float mode setSubnormals
// chose. Every function works on caller-owned
// typed arrays (Float32Array; Uint8Array for booleans) and writes every
// element of its output, so the JavaScript side may hand in recycled buffers.
#include <napi.h>
#include <cblas.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}

namespace {

float* F32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
int32_t I32(const Napi::Value& v) { return v.As<Napi::Number>().Int32Value(); }
double F64(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }

// ---- configuration ----------------------------------------------------------

// Threads of the sparsity-aware products; setThreads sets them with OpenBLAS's.
int sparseThreads = 1;

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  openblas_set_num_threads(I32(info[0]));
  sparseThreads = I32(info[0]) > 1 ? I32(info[0]) : 1;
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

Napi::Value Config(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), openblas_get_config());
}

// Subnormal floats (0 < |x| < 2^-126) make x86 multiply-adds take a microcode
// assist, tens of times slower: the backward pass of a net that fits its
// training set (softplus, tanh) is full of them. setSubnormals(true) runs every
// kernel with the SSE control register's flush-to-zero (bit 15: subnormal
// results become 0) and denormals-are-zero (bit 6: subnormal operands read as
// 0) on, which changes results wherever a subnormal occurs. The mode is set on
// entry and restored on return, because V8's own double arithmetic runs on the
// same thread and must keep IEEE subnormals. Worker threads (OpenBLAS's, the
// sparse products') keep the default mode, so the JavaScript side allows
// flushing at one thread only.
bool flushSubnormals = false;

#if defined(__x86_64__) || defined(__i386__)
constexpr unsigned flushBits = 0x8040;

class FloatMode {
 public:
  FloatMode() : saved_(_mm_getcsr()) {
    if (flushSubnormals) _mm_setcsr(saved_ | flushBits);
  }
  ~FloatMode() { _mm_setcsr(saved_); }
  FloatMode(const FloatMode&) = delete;
  FloatMode& operator=(const FloatMode&) = delete;

 private:
  unsigned saved_;
};
constexpr bool canFlush = true;
#else
struct FloatMode {};
constexpr bool canFlush = false;
#endif

Napi::Value SetSubnormals(const Napi::CallbackInfo& info) {
  const bool flush = info[0].As<Napi::Boolean>().Value();
  if (flush && !canFlush) {
    Napi::Error::New(info.Env(), "flushing subnormals is implemented for x86 CPUs only").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  flushSubnormals = flush;
  return info.Env().Undefined();
}

// A kernel run in the chosen float mode.
template <Napi::Value (*Kernel)(const Napi::CallbackInfo&)>
Napi::Value InFloatMode(const Napi::CallbackInfo& info) {
  FloatMode mode;
  return Kernel(info);
}

// ---- matrix products --------------------------------------------------------

// gemm(transA, transB, batch, M, N, K, alpha, A, strideA, B, strideB, beta, C):
// C[i] = alpha op(A[i]) op(B[i]) + beta C[i] for each of `batch` row-major
// matrices; a stride of 0 broadcasts one operand across the batch. With beta
// 0 the old contents of C are never read, so C may be a recycled buffer.
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const bool ta = info[0].As<Napi::Boolean>().Value();
  const bool tb = info[1].As<Napi::Boolean>().Value();
  const int batch = I32(info[2]), M = I32(info[3]), N = I32(info[4]), K = I32(info[5]);
  const float alpha = (float)F64(info[6]);
  const float* A = F32(info[7]);
  const int64_t sa = I32(info[8]);
  const float* B = F32(info[9]);
  const int64_t sb = I32(info[10]);
  const float beta = (float)F64(info[11]);
  float* C = F32(info[12]);
  const int lda = ta ? M : K, ldb = tb ? K : N;
  for (int i = 0; i < batch; i++) {
    float* c = C + (int64_t)i * M * N;
    if (K == 0) {
      for (int64_t j = 0; j < (int64_t)M * N; j++) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A + i * sa, lda, B + i * sb, ldb, beta, c, N);
  }
  return info.Env().Undefined();
}

// ---- sparsity-aware products --------------------------------------------------
//
// A rectifier's outputs (and scaled pixels) are mostly exact zeros. These
// products store the rows of the sparse operand op(A) compressed (column
// index, value: CSR) and touch only the nonzeros, so their cost is the number
// of nonzeros instead of the operand's size. Each first counts the nonzeros
// and declines (writing nothing, returning the density) when the density is
// above the caller's limit, so the caller runs the dense sgemm instead.
//
// Rounding: each output is sum_p a_p b_p accumulated in index order (p
// ascending), each a_p b_p added by a fused multiply-add (one rounding, as
// std::fma; one instruction where the CPU has FMA) in the products with B
// untransposed, by a multiply then an add (a dot product in 16 fixed lanes,
// added up in lane order) in the gathered and masked ones; then
// alpha * sum + beta * c, each operation rounded to float32. That is
// deterministic and independent of the thread count (threads split the output
// rows, overRows) and of whether B is packed (packPanels), but it is not
// OpenBLAS's order (which blocks and fuses), so results agree with the dense
// product to rounding, not bit for bit. A zero
// of A is skipped, so where B holds an infinity or NaN that a dense product
// would multiply by that zero (giving NaN), these give the finite sum.

// The compressed rows of a sparse operand; one set per JavaScript thread (a
// process may load the addon in several worker threads), reused by its calls.
struct Compressed {
  std::vector<int32_t> start;  // rows + 1 offsets into index and value
  std::vector<int32_t> index;
  std::vector<float> value;
};
thread_local Compressed compressedA;
thread_local Compressed compressedDy;
thread_local Compressed compressedScratch;  // op(A)'s rows on the way to its columns

int64_t countNonzero(const float* x, int64_t n) {
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++) count += x[i] != 0.0f;  // NaN counts as nonzero and propagates
  return count;
}

// Slots past the last nonzero that compressRows may write (a vector's worth).
constexpr int64_t compressSlack = 16;

// The nonzeros of the row-major rows x cols matrix x, row by row.
void compressRows(const float* x, int64_t rows, int64_t cols, int64_t nonzero, Compressed& out) {
  out.start.resize((size_t)rows + 1);
  out.index.resize((size_t)(nonzero + compressSlack));
  out.value.resize((size_t)(nonzero + compressSlack));
  int32_t* index = out.index.data();
  float* value = out.value.data();
  int64_t p = 0;
  for (int64_t r = 0; r < rows; r++) {
    out.start[r] = (int32_t)p;
    const float* row = x + r * cols;
    int64_t c = 0;
#if defined(__AVX512F__)
    // Sixteen at a time: the nonzeros (NaN included, as x != 0) packed to the front of a register
    // and stored whole; the slots past them are overwritten by the next store or left as slack.
    __m512i columns = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; c + 16 <= cols; c += 16) {
      const __m512 v = _mm512_loadu_ps(row + c);
      const __mmask16 keep = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
      _mm512_storeu_ps(value + p, _mm512_maskz_compress_ps(keep, v));
      _mm512_storeu_si512(index + p, _mm512_maskz_compress_epi32(keep, columns));
      p += __builtin_popcount((unsigned)keep);
      columns = _mm512_add_epi32(columns, _mm512_set1_epi32(16));
    }
#endif
    // Branch-free: every element is written at p, which moves on only past a nonzero.
    for (; c < cols; c++) {
      index[p] = (int32_t)c;
      value[p] = row[c];
      p += row[c] != 0.0f;
    }
  }
  out.start[rows] = (int32_t)p;
}

// The nonzeros of the transpose of the row-major rows x cols matrix x (its
// columns, each in ascending row order): x's rows compressed into `scratch`,
// then counted and placed column by column.
void compressColumns(const float* x, int64_t rows, int64_t cols, int64_t nonzero, Compressed& scratch,
                     Compressed& out) {
  compressRows(x, rows, cols, nonzero, scratch);
  const int32_t* index = scratch.index.data();
  const float* value = scratch.value.data();
  out.start.assign((size_t)cols + 1, 0);
  out.index.resize((size_t)nonzero);
  out.value.resize((size_t)nonzero);
  for (int64_t p = 0; p < nonzero; p++) out.start[index[p] + 1]++;
  for (int64_t c = 0; c < cols; c++) out.start[c + 1] += out.start[c];
  std::vector<int32_t> next(out.start.begin(), out.start.end() - 1);
  for (int64_t r = 0; r < rows; r++) {
    for (int32_t p = scratch.start[r]; p < scratch.start[r + 1]; p++) {
      const int32_t q = next[index[p]]++;
      out.index[q] = (int32_t)r;
      out.value[q] = value[p];
    }
  }
}

// Sixteen lanes of float32, added lane by lane: a dot product that the
// compiler vectorises without reassociating (GCC and Clang vector types).
typedef float Lanes __attribute__((vector_size(64)));
constexpr int laneCount = 16;

inline Lanes loadLanes(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline float sumLanes(Lanes v) {
  float s = 0.0f;
  for (int l = 0; l < laneCount; l++) s += v[l];
  return s;
}

// sum_k a[k] b[k] over contiguous rows: 16 lanes, then the tail in order.
inline float denseDot(const float* a, const float* b, int64_t n) {
  Lanes acc = {};
  int64_t k = 0;
  for (; k + laneCount <= n; k += laneCount) acc += loadLanes(a + k) * loadLanes(b + k);
  float s = sumLanes(acc);
  for (; k < n; k++) s += a[k] * b[k];
  return s;
}

// sum_p value[p] b[index[p]] for p in [from, to): the nonzeros of a compressed row against a dense row.
inline float gatherDot(const int32_t* index, const float* value, int32_t from, int32_t to, const float* b) {
  float lanes[laneCount] = {};
  int32_t p = from;
  for (; p + laneCount <= to; p += laneCount) {
    for (int l = 0; l < laneCount; l++) lanes[l] += value[p + l] * b[index[p + l]];
  }
  float s = 0.0f;
  for (int l = 0; l < laneCount; l++) s += lanes[l];
  for (; p < to; p++) s += value[p] * b[index[p]];
  return s;
}

// denseDot of a against four rows b[0..3] at once, each result by denseDot's own operations in
// its order (so bit for bit the same): four independent chains of adds, whose latency overlaps
// where one chain waits on each add, and one load of a for four products.
inline void denseDots4(const float* a, const float* const* b, int64_t n, float* out) {
  Lanes acc0 = {}, acc1 = {}, acc2 = {}, acc3 = {};
  int64_t k = 0;
  for (; k + laneCount <= n; k += laneCount) {
    const Lanes av = loadLanes(a + k);
    acc0 += av * loadLanes(b[0] + k);
    acc1 += av * loadLanes(b[1] + k);
    acc2 += av * loadLanes(b[2] + k);
    acc3 += av * loadLanes(b[3] + k);
  }
  float s[4] = {sumLanes(acc0), sumLanes(acc1), sumLanes(acc2), sumLanes(acc3)};
  for (; k < n; k++) {
    for (int t = 0; t < 4; t++) s[t] += a[k] * b[t][k];
  }
  for (int t = 0; t < 4; t++) out[t] = s[t];
}

// Below this many multiply-adds a product runs on the calling thread alone:
// starting a thread costs tens of microseconds.
constexpr double threadedFrom = 4e6;

// How many contiguous parts overRows splits `rows` into for `work`
// multiply-adds: one per thread when that is worth it, else one.
int64_t partsFor(int64_t rows, double work) {
  return work < threadedFrom ? 1 : (rows < sparseThreads ? rows : sparseThreads);
}

// body(from, to, part) over the rows [0, rows), split into partsFor(rows,
// work) contiguous parts, one per thread (part 0 on the calling thread). Each
// output row is computed by one thread in the same order whatever the split,
// so results do not depend on the thread count.
template <typename F>
void overRows(int64_t rows, double work, F body) {
  const int64_t parts = partsFor(rows, work);
  if (parts <= 1) {
    body((int64_t)0, rows, (int64_t)0);
    return;
  }
  std::vector<std::thread> workers;
  for (int64_t t = 1; t < parts; t++) workers.emplace_back(body, rows * t / parts, rows * (t + 1) / parts, t);
  body((int64_t)0, rows / parts, (int64_t)0);
  for (auto& worker : workers) worker.join();
}

// acc + v b, each lane with one rounding (std::fma's).
inline Lanes multiplyAdd(float v, Lanes b, Lanes acc) {
#if defined(__AVX512F__)
  return (Lanes)_mm512_fmadd_ps(_mm512_set1_ps(v), (__m512)b, (__m512)acc);
#else
  for (int l = 0; l < laneCount; l++) acc[l] = std::fma(v, b[l], acc[l]);
  return acc;
#endif
}

// Columns of the output (and of B) computed together: 128 floats, eight
// registers of lanes, accumulated in registers while a row of op(A) runs over
// its nonzeros; B's block of k x 128 floats stays in cache across the rows.
constexpr int64_t columnBlock = 128;
constexpr int blockLanes = columnBlock / laneCount;

// c = alpha * sum + beta * c, without reading c when beta is 0.
inline float combine(float alpha, float sum, float beta, float c) {
  return beta == 0.0f ? alpha * sum : alpha * sum + beta * c;
}

// The columns [j0, j0 + width) of B (row-major k x n) copied into a panel of
// k x 128 floats, each row one 64-byte-aligned stretch of 8 lanes, zero-padded
// past `width`. Read in place, B's rows cost twice: a row of n = 1000 floats is
// 62.5 cache lines, so every other row's 64-byte loads straddle two lines (and
// at n = 1024 rows alias in the cache). A panel (512 KiB at k = 1000) is packed
// just before the rows run over it, so it is still in L2 when read. Packing
// reads B once, so it pays where each row of B serves several rows of op(A)
// (packFrom).
void packPanel(const float* B, int64_t k, int64_t n, int64_t j0, int64_t width, float* panel) {
  for (int64_t r = 0; r < k; r++) {
    std::memcpy(panel + r * columnBlock, B + r * n + j0, (size_t)width * sizeof(float));
    if (width < columnBlock) std::memset(panel + r * columnBlock + width, 0, (size_t)(columnBlock - width) * sizeof(float));
  }
}

// Nonzeros of op(A) per row of B from which the products pack B: measured
// (bench products, forward product at 1000 x 1000) packing wins from about 4.
constexpr int64_t packFrom = 4;

// Room for `parts` panels of k x 128 floats, 64-byte aligned; one per JavaScript thread, reused.
thread_local std::vector<float> panelStorage;

float* panelsFor(int64_t parts, int64_t k) {
  const size_t floats = (size_t)(parts * k * columnBlock) + laneCount;
  if (panelStorage.size() < floats) panelStorage.resize(floats);
  float* base = panelStorage.data();
  while ((uintptr_t)base % sizeof(Lanes) != 0) base++;
  return base;
}

// acc[j] = sum_p value[p] row_p[j] over the nonzeros of row i of op(A), row_p
// = rows + index[p] * stride, for the 128 columns held in eight registers.
inline void rowTimesRows(const Compressed& a, int64_t i, const float* rows, int64_t stride, float* acc) {
  const int32_t* index = a.index.data();
  const float* value = a.value.data();
  Lanes lanes[blockLanes] = {};
  for (int32_t p = a.start[i]; p < a.start[i + 1]; p++) {
    const float v = value[p];
    const float* row = rows + (int64_t)index[p] * stride;
    for (int l = 0; l < blockLanes; l++) lanes[l] = multiplyAdd(v, loadLanes(row + l * laneCount), lanes[l]);
  }
  std::memcpy(acc, lanes, sizeof lanes);
}

// Row i of op(A) (compressed in `a`) times the columns [j0, j0 + width) of B
// (row-major, n columns) into acc: acc[j] = sum_p value[p] B[index[p], j0 + j].
inline void rowTimesBlock(const Compressed& a, int64_t i, const float* B, int64_t n, int64_t j0, int64_t width,
                          float* acc) {
  if (width == columnBlock) {
    rowTimesRows(a, i, B + j0, n, acc);
    return;
  }
  const int32_t* index = a.index.data();
  const float* value = a.value.data();
  for (int64_t j = 0; j < width; j++) acc[j] = 0.0f;
  for (int32_t p = a.start[i]; p < a.start[i + 1]; p++) {
    const float v = value[p];
    const float* row = B + (int64_t)index[p] * n + j0;
    for (int64_t j = 0; j < width; j++) acc[j] = std::fma(v, row[j], acc[j]);
  }
}

// C = alpha op(A) op(B) + beta C with op(A) (m x k) compressed in `a`; B is
// row-major k x n, or n x k when transposed. Rows of op(A) with no nonzeros
// leave C untouched when beta is 1 (the fused SGD update adds nothing there).
void compressedProduct(const Compressed& a, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                       const float* B, float beta, float* C) {
  const double work = (double)a.start[m] * (double)n;
  if (!tb) {
    float* panels = a.start[m] >= packFrom * k ? panelsFor(partsFor(m, work), k) : nullptr;
    overRows(m, work, [&](int64_t i0, int64_t i1, int64_t part) {
      alignas(sizeof(Lanes)) float acc[columnBlock];
      float* panel = panels == nullptr ? nullptr : panels + part * k * columnBlock;
      for (int64_t j0 = 0; j0 < n; j0 += columnBlock) {
        const int64_t width = n - j0 < columnBlock ? n - j0 : columnBlock;
        if (panel != nullptr) packPanel(B, k, n, j0, width, panel);
        for (int64_t i = i0; i < i1; i++) {
          if (a.start[i] == a.start[i + 1] && beta == 1.0f) continue;
          if (panel != nullptr) rowTimesRows(a, i, panel, columnBlock, acc);
          else rowTimesBlock(a, i, B, n, j0, width, acc);
          float* c = C + i * n + j0;
          // combine's arithmetic, in two loops that vectorise.
          if (beta == 0.0f) {
            for (int64_t j = 0; j < width; j++) c[j] = alpha * acc[j];
          } else {
            for (int64_t j = 0; j < width; j++) c[j] = alpha * acc[j] + beta * c[j];
          }
        }
      }
    });
    return;
  }
  overRows(m, work, [&](int64_t i0, int64_t i1, int64_t) {
    for (int64_t i = i0; i < i1; i++) {
      const int32_t from = a.start[i], to = a.start[i + 1];
      if (from == to && beta == 1.0f) continue;
      float* c = C + i * n;
      for (int64_t j = 0; j < n; j++) {
        c[j] = combine(alpha, gatherDot(a.index.data(), a.value.data(), from, to, B + j * k), beta, c[j]);
      }
    }
  });
}

// sparseGemm(transA, transB, M, N, K, alpha, A, B, beta, C, maxDensity):
// C = alpha op(A) op(B) + beta C (row-major, as gemm) skipping the zeros of
// A, when the fraction of nonzeros in A is at most maxDensity; otherwise C is
// not touched. Returns that fraction (0 for an empty A).
Napi::Value SparseGemm(const Napi::CallbackInfo& info) {
  const bool ta = info[0].As<Napi::Boolean>().Value();
  const bool tb = info[1].As<Napi::Boolean>().Value();
  const int64_t M = I32(info[2]), N = I32(info[3]), K = I32(info[4]);
  const float alpha = (float)F64(info[5]);
  const float* A = F32(info[6]);
  const float* B = F32(info[7]);
  const float beta = (float)F64(info[8]);
  float* C = F32(info[9]);
  const double maxDensity = F64(info[10]);
  const int64_t size = M * K;
  const int64_t nonzero = countNonzero(A, size);
  const double density = size == 0 ? 0.0 : (double)nonzero / (double)size;
  if (density > maxDensity) return Napi::Number::New(info.Env(), density);
  if (ta) compressColumns(A, K, M, nonzero, compressedScratch, compressedA);
  else compressRows(A, M, K, nonzero, compressedA);
  compressedProduct(compressedA, tb, M, N, K, alpha, B, beta, C);
  return Napi::Number::New(info.Env(), density);
}

// Rows of B (the weights) per block of the masked product: 32 rows of 1000
// floats, 128 KiB, stay in cache while every row of dy runs over them.
constexpr int64_t maskRowBlock = 32;

// A compressed row of dy is read by gathers when at most this fraction of it
// is nonzero, else dy's dense row is read in full (gathers cost several loads).
constexpr double gatherBelow = 0.25;

// maskedGemmNT(M, N, K, A, B, X, C, maxDensity): the rectifier's input
// gradient C = (A B^T) * step(X), A m x k (dy), B n x k (the weights, [in,
// out]), X and C m x n, computing only the entries where X > 0: C is the dot
// product there, 0 where X <= 0, NaN where X is NaN (as y * step(x), except
// that an infinite or NaN product where X <= 0 gives 0, not NaN). Only when
// the fraction of X > 0 is at most maxDensity; otherwise C is not touched.
// Returns that fraction (0 for an empty X).
Napi::Value MaskedGemmNT(const Napi::CallbackInfo& info) {
  const int64_t M = I32(info[0]), N = I32(info[1]), K = I32(info[2]);
  const float* A = F32(info[3]);
  const float* B = F32(info[4]);
  const float* X = F32(info[5]);
  float* C = F32(info[6]);
  const double maxDensity = F64(info[7]);
  const int64_t size = M * N;
  int64_t kept = 0;
  for (int64_t i = 0; i < size; i++) kept += X[i] > 0.0f;
  const double density = size == 0 ? 0.0 : (double)kept / (double)size;
  if (density > maxDensity) return Napi::Number::New(info.Env(), density);
  compressRows(A, M, K, countNonzero(A, M * K), compressedDy);
  // This thread's compressed rows, by reference: inside the workers' lambda the
  // name compressedDy would be each worker's own (empty) thread_local.
  const Compressed& dyRows = compressedDy;
  const int32_t* index = dyRows.index.data();
  const float* value = dyRows.value.data();
  overRows(M, (double)kept * (double)K, [&](int64_t i0, int64_t i1, int64_t) {
    for (int64_t j0 = 0; j0 < N; j0 += maskRowBlock) {
      const int64_t j1 = N - j0 < maskRowBlock ? N : j0 + maskRowBlock;
      for (int64_t i = i0; i < i1; i++) {
        const int32_t from = dyRows.start[i], to = dyRows.start[i + 1];
        const bool gather = (double)(to - from) <= gatherBelow * (double)K;
        const float* x = X + i * N;
        float* c = C + i * N;
        // The kept entries of this block; a dense row of dy runs over four rows of the weights at a
        // time (bit for bit one at a time; 1.3x as fast at 30% kept). Grouping the gathered dot
        // products the same way measured no faster: their cost is the gathers, not the adds' latency.
        int64_t kept[maskRowBlock];
        int64_t count = 0;
        for (int64_t j = j0; j < j1; j++) {
          const float v = x[j];
          if (v > 0.0f) kept[count++] = j;
          else c[j] = std::isnan(v) ? v : 0.0f;
        }
        int64_t q = 0;
        for (; !gather && q + 4 <= count; q += 4) {
          const float* rows[4] = {B + kept[q] * K, B + kept[q + 1] * K, B + kept[q + 2] * K, B + kept[q + 3] * K};
          float dots[4];
          denseDots4(A + i * K, rows, K, dots);
          for (int t = 0; t < 4; t++) c[kept[q + t]] = dots[t];
        }
        for (; q < count; q++) {
          const int64_t j = kept[q];
          c[j] = gather ? gatherDot(index, value, from, to, B + j * K) : denseDot(A + i * K, B + j * K, K);
        }
      }
    }
  });
  return Napi::Number::New(info.Env(), density);
}

// density(x): the fraction of x's elements that are not zero (NaN counts), 0 for an empty x.
Napi::Value Density(const Napi::CallbackInfo& info) {
  auto xa = info[0].As<Napi::Float32Array>();
  const int64_t n = (int64_t)xa.ElementLength();
  return Napi::Number::New(info.Env(), n == 0 ? 0.0 : (double)countNonzero(xa.Data(), n) / (double)n);
}

// axpy(alpha, x, y): y += alpha * x, in place.
Napi::Value Axpy(const Napi::CallbackInfo& info) {
  auto x = info[1].As<Napi::Float32Array>();
  cblas_saxpy((int)x.ElementLength(), (float)F64(info[0]), x.Data(), 1, F32(info[2]), 1);
  return info.Env().Undefined();
}

// One xoroshiro128+ step on the 64-bit words s0, s1, returning the low 32 bits of s0 + s1 (all
// that pure-rand's `next()` hands out): s1 ^= s0, s0 = rotl(s0, 24) ^ s1 ^ (s1 << 16), s1 = rotl(s1, 37).
inline uint32_t xoroshiroNext(uint64_t& s0, uint64_t& s1) {
  const uint32_t out = (uint32_t)(s0 + s1);
  const uint64_t x = s1 ^ s0;
  s0 = ((s0 << 24) | (s0 >> 40)) ^ x ^ (x << 16);
  s1 = (x << 37) | (x >> 27);
  return out;
}

// bernoulli(state, p, out): out[i] = p[i] > u_i ? 1 : 0, u_i the i-th uniform of the stream whose
// xoroshiro128+ state is `state` (Int32Array [s0 high, s0 low, s1 high, s1 low], as pure-rand keeps
// it; advanced in place). u_i is pure-rand 8's uniformFloat64 of two outputs, (a & (2^26 - 1)) 2^-26 +
// (b & (2^27 - 1)) 2^-53, exact in double whatever the order, then rounded to float as JavaScript's
// Float32Array store rounds it (to nearest, ties to even): the draws, and so the states, of
// `RandomStream.fillUniform` followed by a comparison, bit for bit. Not run in the flush mode, which
// would read a subnormal p as 0 where JavaScript compares it as it is.
Napi::Value Bernoulli(const Napi::CallbackInfo& info) {
  int32_t* state = info[0].As<Napi::Int32Array>().Data();
  auto pa = info[1].As<Napi::Float32Array>();
  const float* p = pa.Data();
  float* out = F32(info[2]);
  const int64_t n = (int64_t)pa.ElementLength();
  uint64_t s0 = ((uint64_t)(uint32_t)state[0] << 32) | (uint32_t)state[1];
  uint64_t s1 = ((uint64_t)(uint32_t)state[2] << 32) | (uint32_t)state[3];
  for (int64_t i = 0; i < n; i++) {
    const uint32_t a = xoroshiroNext(s0, s1);
    const uint32_t b = xoroshiroNext(s0, s1);
    const double u = (double)(a & 0x3ffffffu) * 0x1p-26 + (double)(b & 0x7ffffffu) * 0x1p-53;
    out[i] = p[i] > (float)u ? 1.0f : 0.0f;
  }
  state[0] = (int32_t)(uint32_t)(s0 >> 32);
  state[1] = (int32_t)(uint32_t)s0;
  state[2] = (int32_t)(uint32_t)(s1 >> 32);
  state[3] = (int32_t)(uint32_t)s1;
  return info.Env().Undefined();
}

// fillRows(row, out): out[i] = row[i % row.length], a bias broadcast over the
// rows of a product before a gemm with beta 1 adds into it.
Napi::Value FillRows(const Napi::CallbackInfo& info) {
  auto rowArray = info[0].As<Napi::Float32Array>();
  auto outArray = info[1].As<Napi::Float32Array>();
  const float* row = rowArray.Data();
  float* out = outArray.Data();
  const int64_t n = (int64_t)rowArray.ElementLength(), size = (int64_t)outArray.ElementLength();
  for (int64_t start = 0; start + n <= size; start += n) std::memcpy(out + start, row, (size_t)n * sizeof(float));
  return info.Env().Undefined();
}

// sgdStep(w, g, v, rate, momentum, decay): the SGD update in place, written
// as the same sequence of rounded float32 operations that the functional tfjs
// update performs (the addon is built without floating-point contraction):
//   g' = g + decay * w   (decay > 0),
//   v = momentum * v - rate * g',  w = w + v   (v non-empty), or w = w - rate * g'.
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  auto wArray = info[0].As<Napi::Float32Array>();
  float* w = wArray.Data();
  const float* g = F32(info[1]);
  auto vArray = info[2].As<Napi::Float32Array>();
  float* v = vArray.Data();
  const float rate = (float)F64(info[3]), momentum = (float)F64(info[4]), decay = (float)F64(info[5]);
  const int64_t n = (int64_t)wArray.ElementLength();
  const bool withMomentum = vArray.ElementLength() > 0;
  for (int64_t i = 0; i < n; i++) {
    const float gi = decay > 0.0f ? g[i] + decay * w[i] : g[i];
    if (withMomentum) {
      v[i] = momentum * v[i] - rate * gi;
      w[i] = w[i] + v[i];
    } else {
      w[i] = w[i] - rate * gi;
    }
  }
  return info.Env().Undefined();
}

// ---- element-wise binary with broadcasting ----------------------------------

enum Binary { ADD = 0, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQDIFF, PRELU };

template <int Op>
inline float apply2(float a, float b) {
  if constexpr (Op == ADD) return a + b;
  if constexpr (Op == SUB) return a - b;
  if constexpr (Op == MUL) return a * b;
  if constexpr (Op == DIV) return a / b;
  if constexpr (Op == MAXIMUM) return (a >= b || std::isnan(a)) ? a : b;
  if constexpr (Op == MINIMUM) return (a <= b || std::isnan(a)) ? a : b;
  if constexpr (Op == SQDIFF) return (a - b) * (a - b);
  // tfjs's Prelu: a is x, b the slope; NaN passes through.
  if constexpr (Op == PRELU) return a < 0.0f ? b * a : a;
  return 0.0f;
}

// Walks the output in row-major order; the inner dimension runs with the
// inputs' own strides (0 where broadcast), so the common cases (same shape,
// scalar, bias row) are tight loops. `f` maps an (a, b) pair to an output.
template <typename In, typename Out, typename F>
void broadcastLoop(const In* a, const In* b, Out* out, const int32_t* shape,
                   const int32_t* sa, const int32_t* sb, int rank, F f) {
  if (rank == 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const int inner = shape[rank - 1];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  std::vector<int32_t> idx(rank > 1 ? rank - 1 : 1, 0);
  int64_t offA = 0, offB = 0;
  for (int64_t o = 0; o < outer; o++) {
    const In* pa = a + offA;
    const In* pb = b + offB;
    Out* po = out + o * inner;
    if (ia == 1 && ib == 1) {
      for (int j = 0; j < inner; j++) po[j] = f(pa[j], pb[j]);
    } else if (ia == 1 && ib == 0) {
      const In vb = pb[0];
      for (int j = 0; j < inner; j++) po[j] = f(pa[j], vb);
    } else if (ia == 0 && ib == 1) {
      const In va = pa[0];
      for (int j = 0; j < inner; j++) po[j] = f(va, pb[j]);
    } else {
      for (int j = 0; j < inner; j++) po[j] = f(pa[j * ia], pb[j * ib]);
    }
    // Advance the outer multi-index.
    for (int d = rank - 2; d >= 0; d--) {
      idx[d]++;
      offA += sa[d];
      offB += sb[d];
      if (idx[d] < shape[d]) break;
      offA -= (int64_t)sa[d] * shape[d];
      offB -= (int64_t)sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

template <int Op>
void binaryLoop(const float* a, const float* b, float* out, const int32_t* shape,
                const int32_t* sa, const int32_t* sb, int rank) {
  broadcastLoop(a, b, out, shape, sa, sb, rank, [](float x, float y) { return apply2<Op>(x, y); });
}

// binary(op, a, b, out, shape, stridesA, stridesB)
Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  const int op = I32(info[0]);
  const float* a = F32(info[1]);
  const float* b = F32(info[2]);
  float* out = F32(info[3]);
  auto shape = info[4].As<Napi::Int32Array>();
  const int32_t* sa = info[5].As<Napi::Int32Array>().Data();
  const int32_t* sb = info[6].As<Napi::Int32Array>().Data();
  const int rank = (int)shape.ElementLength();
  switch (op) {
    case ADD: binaryLoop<ADD>(a, b, out, shape.Data(), sa, sb, rank); break;
    case SUB: binaryLoop<SUB>(a, b, out, shape.Data(), sa, sb, rank); break;
    case MUL: binaryLoop<MUL>(a, b, out, shape.Data(), sa, sb, rank); break;
    case DIV: binaryLoop<DIV>(a, b, out, shape.Data(), sa, sb, rank); break;
    case MAXIMUM: binaryLoop<MAXIMUM>(a, b, out, shape.Data(), sa, sb, rank); break;
    case MINIMUM: binaryLoop<MINIMUM>(a, b, out, shape.Data(), sa, sb, rank); break;
    case SQDIFF: binaryLoop<SQDIFF>(a, b, out, shape.Data(), sa, sb, rank); break;
    case PRELU: binaryLoop<PRELU>(a, b, out, shape.Data(), sa, sb, rank); break;
    default: Napi::Error::New(info.Env(), "unknown binary op").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// ---- comparisons, logical ops and selection (booleans as 0/1 bytes) --------

enum Comparison { GREATER = 0, GREATER_EQUAL, LESS, LESS_EQUAL, EQUAL, NOT_EQUAL };

// compare(op, a, b, out, shape, stridesA, stridesB): float32 inputs with
// broadcasting, a Uint8Array of 0/1 out. Any comparison with NaN is false
// except NOT_EQUAL, as in JavaScript (and tfjs's cpu kernels).
Napi::Value Compare(const Napi::CallbackInfo& info) {
  const int op = I32(info[0]);
  const float* a = F32(info[1]);
  const float* b = F32(info[2]);
  uint8_t* out = info[3].As<Napi::Uint8Array>().Data();
  auto shape = info[4].As<Napi::Int32Array>();
  const int32_t* sa = info[5].As<Napi::Int32Array>().Data();
  const int32_t* sb = info[6].As<Napi::Int32Array>().Data();
  const int rank = (int)shape.ElementLength();
  const int32_t* sh = shape.Data();
  switch (op) {
    case GREATER: broadcastLoop(a, b, out, sh, sa, sb, rank, [](float x, float y) -> uint8_t { return x > y; }); break;
    case GREATER_EQUAL: broadcastLoop(a, b, out, sh, sa, sb, rank, [](float x, float y) -> uint8_t { return x >= y; }); break;
    case LESS: broadcastLoop(a, b, out, sh, sa, sb, rank, [](float x, float y) -> uint8_t { return x < y; }); break;
    case LESS_EQUAL: broadcastLoop(a, b, out, sh, sa, sb, rank, [](float x, float y) -> uint8_t { return x <= y; }); break;
    case EQUAL: broadcastLoop(a, b, out, sh, sa, sb, rank, [](float x, float y) -> uint8_t { return x == y; }); break;
    case NOT_EQUAL: broadcastLoop(a, b, out, sh, sa, sb, rank, [](float x, float y) -> uint8_t { return x != y; }); break;
    default: Napi::Error::New(info.Env(), "unknown comparison").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

enum Logical { AND = 0, OR };

// logical(op, a, b, out, shape, stridesA, stridesB): boolean bytes in and
// out with broadcasting, as JavaScript's `a && b` and `a || b` on the bytes.
Napi::Value Logical(const Napi::CallbackInfo& info) {
  const int op = I32(info[0]);
  const uint8_t* a = info[1].As<Napi::Uint8Array>().Data();
  const uint8_t* b = info[2].As<Napi::Uint8Array>().Data();
  uint8_t* out = info[3].As<Napi::Uint8Array>().Data();
  auto shape = info[4].As<Napi::Int32Array>();
  const int32_t* sa = info[5].As<Napi::Int32Array>().Data();
  const int32_t* sb = info[6].As<Napi::Int32Array>().Data();
  const int rank = (int)shape.ElementLength();
  const int32_t* sh = shape.Data();
  switch (op) {
    case AND: broadcastLoop(a, b, out, sh, sa, sb, rank, [](uint8_t x, uint8_t y) -> uint8_t { return x ? y : x; }); break;
    case OR: broadcastLoop(a, b, out, sh, sa, sb, rank, [](uint8_t x, uint8_t y) -> uint8_t { return x ? x : y; }); break;
    default: Napi::Error::New(info.Env(), "unknown logical op").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// select(condition, t, e, out): t[i] where condition[i] is 1, else e[i]; all
// of one length (tfjs's Select takes exactly the byte value 1 as true).
Napi::Value Select(const Napi::CallbackInfo& info) {
  auto conditionArray = info[0].As<Napi::Uint8Array>();
  const uint8_t* condition = conditionArray.Data();
  const float* t = F32(info[1]);
  const float* e = F32(info[2]);
  float* out = F32(info[3]);
  const int64_t n = (int64_t)conditionArray.ElementLength();
  for (int64_t i = 0; i < n; i++) out[i] = condition[i] == 1 ? t[i] : e[i];
  return info.Env().Undefined();
}

// ---- copies -----------------------------------------------------------------

// copyRows(src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, length):
// for r < rows, dst[dstOffset + r dstStride + j] = src[srcOffset + r srcStride + j]
// for j < length. Concat and SplitV along any axis are one such call per part.
Napi::Value CopyRows(const Napi::CallbackInfo& info) {
  const float* src = F32(info[0]) + I32(info[1]);
  const int64_t srcStride = I32(info[2]);
  float* dst = F32(info[3]) + I32(info[4]);
  const int64_t dstStride = I32(info[5]);
  const int64_t rows = I32(info[6]), length = I32(info[7]);
  if (length > 0) {
    for (int64_t r = 0; r < rows; r++) {
      std::memcpy(dst + r * dstStride, src + r * srcStride, (size_t)length * sizeof(float));
    }
  }
  return info.Env().Undefined();
}

// ---- element-wise unary -----------------------------------------------------

enum Unary {
  RELU = 0, RELU6, SIGMOID, TANH, SOFTPLUS, EXP, LOG, NEG, SQUARE, STEP, ELU, LEAKY, ABS, SQRT, LOG1P,
  RECIPROCAL, SIGN, EXPM1, ERF
};

// e^x for the activations, in plain arithmetic so that loops over it vectorise
// (libm's expf and tanhf are scalar calls). Cody-Waite range reduction to
// r in [-ln2/2, ln2/2], the degree-6 minimax polynomial of Cephes' expf, and
// a scale by 2^n built in the exponent bits; about 1 ulp on the clamped range
// [-87.3, 88.7], which keeps the result normal and finite.
inline float expApprox(float x) {
  // NaN compares false throughout and is mapped to 0 here; callers restore it.
  x = x > -87.3f ? x : -87.3f;
  x = x < 88.7f ? x : 88.7f;
  // Round x / ln2 to the nearest integer n by adding 1.5 * 2^23: n then sits in
  // the low mantissa bits of t (plain arithmetic, so the loop vectorises).
  const float t = x * 1.44269504088896341f + 12582912.0f;
  const float n = t - 12582912.0f;
  int32_t tBits;
  std::memcpy(&tBits, &t, sizeof tBits);
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (tBits - 0x4B400000 + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

inline float sigmoidApprox(float x) {
  const float y = 1.0f / (1.0f + expApprox(-x));
  return std::isnan(x) ? x : y;
}

// tanh: an odd polynomial near 0 (Cephes' tanhf coefficients) where the
// exponential form would cancel, and 1 - 2 / (e^{2|x|} + 1) elsewhere.
inline float tanhApprox(float x) {
  const float a = std::fabs(x);
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float large = 1.0f - 2.0f / (expApprox(2.0f * a) + 1.0f);
  const float y = a < 0.625f ? small : std::copysign(large, x);
  return std::isnan(x) ? x : y;
}

// log(1 + t) for t in [0, 1] as 2 atanh(s), s = t / (2 + t) <= 1/3, by its odd
// series to s^13 (truncation below 1e-8 relative); no 1 + t is formed, so tiny
// t keeps its precision.
inline float log1pUnit(float t) {
  const float s = t / (2.0f + t);
  const float z = s * s;
  float p = 1.0f / 13.0f;
  p = p * z + 1.0f / 11.0f;
  p = p * z + 1.0f / 9.0f;
  p = p * z + 1.0f / 7.0f;
  p = p * z + 1.0f / 5.0f;
  p = p * z + 1.0f / 3.0f;
  p = p * z + 1.0f;
  return 2.0f * s * p;
}

// softplus(x) = max(x, 0) + log(1 + e^{-|x|}): no overflow, and vectorisable.
inline float softplus(float x) {
  const float y = (x > 0.0f ? x : 0.0f) + log1pUnit(expApprox(-std::fabs(x)));
  return std::isnan(x) ? x : y;
}

// (e^r - 1 - r) / r^2 by the Taylor series of e^r to r^13, in Horner form:
// the shared core of expDouble and expm1Float.
inline double expSeriesTail(double r) {
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  return p;
}

// e^x in double, in plain arithmetic so that loops over it vectorise: the
// same Cody-Waite reduction as expApprox with fdlibm's split of ln 2 (n ln2hi
// is exact), e^r by its Taylor series to r^13 (truncation below 1e-17 for
// |r| <= ln2/2), and 2^n built in the exponent bits. A few ulps of double, so
// rounded to float32 it agrees with V8's Math.exp except when the double
// lands within those ulps of a float32 rounding boundary. x is clamped to
// [-708, 709] (NaN becomes -708): callers keep NaN and treat the ends.
inline double expDouble(double x) {
  x = x > -708.0 ? x : -708.0;
  x = x < 709.0 ? x : 709.0;
  const double t = x * 1.4426950408889634 + 6755399441055744.0;  // 1.5 * 2^52: n in the low bits
  const double n = t - 6755399441055744.0;
  int64_t tBits;
  std::memcpy(&tBits, &t, sizeof tBits);
  const double r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  const double p = expSeriesTail(r) * r * r + r + 1.0;
  const int64_t bits = (tBits - 0x4338000000000000LL + 1023) << 52;
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// e^x - 1 in double: its Taylor series where |x| < 0.35 (no cancellation),
// e^x - 1 elsewhere (|result| > 0.29, so the subtraction loses nothing that
// float32 keeps). Rounded to float32 like the cpu kernel's Math.expm1.
inline float expm1Float(float v) {
  const double x = v;
  const double small = expSeriesTail(x) * x * x + x;
  const double large = expDouble(x) - 1.0;
  const float y = (float)(std::fabs(x) < 0.35 ? small : large);
  return std::isnan(v) ? v : y;  // +Infinity is clamped to 709 and still overflows float32 to Infinity
}

// erf as tfjs's cpu kernel computes it: Abramowitz & Stegun 7.1.26 (absolute
// error below 1.5e-7), evaluated in double in the same order with the same
// constants, then rounded to float32. Reproduced rather than replaced by
// std::erf, whose more accurate values would differ from the cpu backend by
// up to that 1.5e-7; the only difference left is expDouble against V8's exp
// in the last bits of a double, which float32 rounding almost always absorbs.
inline float erfAbramowitzStegun(float x) {
  const double xd = x;
  const double sign = xd > 0.0 ? 1.0 : (xd < 0.0 ? -1.0 : xd);  // Math.sign: keeps ±0 and NaN
  const double v = std::fabs(xd);
  const double t = 1.0 / (1.0 + 0.3275911 * v);
  const double poly = ((((1.061405429 * t + -1.453152027) * t) + 1.421413741) * t + -0.284496736) * t + 0.254829592;
  // e^(-v^2) is below 1e-307 where expDouble clamps, and 1 - poly t e^(-v^2) is then 1 either way.
  return (float)(sign * (1.0 - poly * t * expDouble(-v * v)));
}

template <int Op>
void unaryLoop(const float* x, float* out, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    if constexpr (Op == RELU) out[i] = v < 0.0f ? 0.0f : v;  // NaN passes through
    if constexpr (Op == RELU6) out[i] = v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
    if constexpr (Op == SIGMOID) out[i] = sigmoidApprox(v);
    if constexpr (Op == TANH) out[i] = tanhApprox(v);
    if constexpr (Op == SOFTPLUS) out[i] = softplus(v);
    if constexpr (Op == EXP) out[i] = std::exp(v);
    if constexpr (Op == LOG) out[i] = std::log(v);
    if constexpr (Op == NEG) out[i] = -v;
    if constexpr (Op == SQUARE) out[i] = v * v;
    if constexpr (Op == STEP) out[i] = std::isnan(v) ? v : (v > 0.0f ? 1.0f : alpha);
    if constexpr (Op == ELU) out[i] = v >= 0.0f ? v : std::exp(v) - 1.0f;
    if constexpr (Op == LEAKY) out[i] = v < 0.0f ? alpha * v : v;
    if constexpr (Op == ABS) out[i] = std::fabs(v);
    if constexpr (Op == SQRT) out[i] = std::sqrt(v);
    if constexpr (Op == LOG1P) out[i] = std::log1p(v);
    if constexpr (Op == RECIPROCAL) out[i] = 1.0f / v;
    if constexpr (Op == SIGN) out[i] = v < 0.0f ? -1.0f : (v > 0.0f ? 1.0f : 0.0f);  // NaN and -0 give 0
    if constexpr (Op == EXPM1) out[i] = expm1Float(v);
    if constexpr (Op == ERF) out[i] = erfAbramowitzStegun(v);
  }
}

// unary(op, x, out, alpha)
Napi::Value UnaryOp(const Napi::CallbackInfo& info) {
  const int op = I32(info[0]);
  auto xa = info[1].As<Napi::Float32Array>();
  const float* x = xa.Data();
  float* out = F32(info[2]);
  const float alpha = (float)F64(info[3]);
  const int64_t n = (int64_t)xa.ElementLength();
  switch (op) {
    case RELU: unaryLoop<RELU>(x, out, n, alpha); break;
    case RELU6: unaryLoop<RELU6>(x, out, n, alpha); break;
    case SIGMOID: unaryLoop<SIGMOID>(x, out, n, alpha); break;
    case TANH: unaryLoop<TANH>(x, out, n, alpha); break;
    case SOFTPLUS: unaryLoop<SOFTPLUS>(x, out, n, alpha); break;
    case EXP: unaryLoop<EXP>(x, out, n, alpha); break;
    case LOG: unaryLoop<LOG>(x, out, n, alpha); break;
    case NEG: unaryLoop<NEG>(x, out, n, alpha); break;
    case SQUARE: unaryLoop<SQUARE>(x, out, n, alpha); break;
    case STEP: unaryLoop<STEP>(x, out, n, alpha); break;
    case ELU: unaryLoop<ELU>(x, out, n, alpha); break;
    case LEAKY: unaryLoop<LEAKY>(x, out, n, alpha); break;
    case ABS: unaryLoop<ABS>(x, out, n, alpha); break;
    case SQRT: unaryLoop<SQRT>(x, out, n, alpha); break;
    case LOG1P: unaryLoop<LOG1P>(x, out, n, alpha); break;
    case RECIPROCAL: unaryLoop<RECIPROCAL>(x, out, n, alpha); break;
    case SIGN: unaryLoop<SIGN>(x, out, n, alpha); break;
    case EXPM1: unaryLoop<EXPM1>(x, out, n, alpha); break;
    case ERF: unaryLoop<ERF>(x, out, n, alpha); break;
    default: Napi::Error::New(info.Env(), "unknown unary op").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// eluGrad(dy, y, out): dy where y >= 0, dy * (y + 1) elsewhere (tfjs's EluGrad).
Napi::Value EluGrad(const Napi::CallbackInfo& info) {
  auto dya = info[0].As<Napi::Float32Array>();
  const float* dy = dya.Data();
  const float* y = F32(info[1]);
  float* out = F32(info[2]);
  const int64_t n = (int64_t)dya.ElementLength();
  for (int64_t i = 0; i < n; i++) out[i] = y[i] >= 0.0f ? dy[i] : dy[i] * (y[i] + 1.0f);
  return info.Env().Undefined();
}

// clip(x, out, low, high): high where x > high, low where x < low, else x
// (NaN passes through), as tfjs's ClipByValue. The bounds arrive already
// rounded to float32; comparing with them gives the same result as comparing
// with the unrounded double bounds, since they are the nearest floats.
Napi::Value Clip(const Napi::CallbackInfo& info) {
  auto xa = info[0].As<Napi::Float32Array>();
  const float* x = xa.Data();
  float* out = F32(info[1]);
  const float low = (float)F64(info[2]), high = (float)F64(info[3]);
  const int64_t n = (int64_t)xa.ElementLength();
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    out[i] = v > high ? high : (v < low ? low : v);
  }
  return info.Env().Undefined();
}

// stepProduct(y, x, out): y * step(x), where step(x) is 1 for x > 0, 0
// elsewhere and NaN for NaN: the rectifier's gradient in one pass, with the
// same result as the Step kernel followed by a multiplication.
Napi::Value StepProduct(const Napi::CallbackInfo& info) {
  auto ya = info[0].As<Napi::Float32Array>();
  const float* y = ya.Data();
  const float* x = F32(info[1]);
  float* out = F32(info[2]);
  const int64_t n = (int64_t)ya.ElementLength();
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    out[i] = y[i] * (std::isnan(v) ? v : (v > 0.0f ? 1.0f : 0.0f));
  }
  return info.Env().Undefined();
}

// ---- fused bias + activation (the tail of _FusedMatMul) ---------------------

// activateInPlace(op, x, alpha): x = f(x) for the fused activations.
Napi::Value ActivateInPlace(const Napi::CallbackInfo& info) {
  const int op = I32(info[0]);
  auto xa = info[1].As<Napi::Float32Array>();
  float* x = xa.Data();
  const float alpha = (float)F64(info[2]);
  const int64_t n = (int64_t)xa.ElementLength();
  switch (op) {
    case RELU: unaryLoop<RELU>(x, x, n, alpha); break;
    case RELU6: unaryLoop<RELU6>(x, x, n, alpha); break;
    case SIGMOID: unaryLoop<SIGMOID>(x, x, n, alpha); break;
    case TANH: unaryLoop<TANH>(x, x, n, alpha); break;
    case ELU: unaryLoop<ELU>(x, x, n, alpha); break;
    case LEAKY: unaryLoop<LEAKY>(x, x, n, alpha); break;
    default: Napi::Error::New(info.Env(), "unknown fused activation").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// ---- reductions -------------------------------------------------------------

// reduce(op, x, out, outer, size, inner): x viewed as [outer, size, inner],
// out[o, i] = sum (op 0) or max (op 1) over the middle axis. Sums accumulate
// in double, in index order, so results do not depend on threads.
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int op = I32(info[0]);
  const float* x = F32(info[1]);
  float* out = F32(info[2]);
  const int64_t outer = I32(info[3]), size = I32(info[4]), inner = I32(info[5]);
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      const float* p = x + o * size;
      if (op == 0) {
        double s = 0;
        for (int64_t r = 0; r < size; r++) s += p[r];
        out[o] = (float)s;
      } else {
        float m = size > 0 ? p[0] : -INFINITY;
        for (int64_t r = 1; r < size; r++) if (p[r] > m || std::isnan(p[r])) m = p[r];
        out[o] = m;
      }
    }
    return info.Env().Undefined();
  }
  std::vector<double> acc((size_t)inner);
  for (int64_t o = 0; o < outer; o++) {
    const float* base = x + o * size * inner;
    float* po = out + o * inner;
    if (op == 0) {
      for (int64_t i = 0; i < inner; i++) acc[i] = 0;
      for (int64_t r = 0; r < size; r++) {
        const float* row = base + r * inner;
        for (int64_t i = 0; i < inner; i++) acc[i] += row[i];
      }
      for (int64_t i = 0; i < inner; i++) po[i] = (float)acc[i];
    } else {
      if (size == 0) {
        for (int64_t i = 0; i < inner; i++) po[i] = -INFINITY;
        continue;
      }
      for (int64_t i = 0; i < inner; i++) po[i] = base[i];
      for (int64_t r = 1; r < size; r++) {
        const float* row = base + r * inner;
        for (int64_t i = 0; i < inner; i++) if (row[i] > po[i] || std::isnan(row[i])) po[i] = row[i];
      }
    }
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("config", Napi::Function::New(env, Config));
  exports.Set("setSubnormals", Napi::Function::New(env, SetSubnormals));
  exports.Set("gemm", Napi::Function::New(env, InFloatMode<Gemm>));
  exports.Set("sparseGemm", Napi::Function::New(env, InFloatMode<SparseGemm>));
  exports.Set("maskedGemmNT", Napi::Function::New(env, InFloatMode<MaskedGemmNT>));
  exports.Set("density", Napi::Function::New(env, InFloatMode<Density>));
  exports.Set("axpy", Napi::Function::New(env, InFloatMode<Axpy>));
  exports.Set("fillRows", Napi::Function::New(env, InFloatMode<FillRows>));
  exports.Set("bernoulli", Napi::Function::New(env, Bernoulli));
  exports.Set("sgdStep", Napi::Function::New(env, InFloatMode<SgdStep>));
  exports.Set("binary", Napi::Function::New(env, InFloatMode<BinaryOp>));
  exports.Set("unary", Napi::Function::New(env, InFloatMode<UnaryOp>));
  exports.Set("eluGrad", Napi::Function::New(env, InFloatMode<EluGrad>));
  exports.Set("stepProduct", Napi::Function::New(env, InFloatMode<StepProduct>));
  exports.Set("activateInPlace", Napi::Function::New(env, InFloatMode<ActivateInPlace>));
  exports.Set("reduce", Napi::Function::New(env, InFloatMode<Reduce>));
  exports.Set("compare", Napi::Function::New(env, InFloatMode<Compare>));
  exports.Set("logical", Napi::Function::New(env, InFloatMode<Logical>));
  exports.Set("select", Napi::Function::New(env, InFloatMode<Select>));
  exports.Set("copyRows", Napi::Function::New(env, InFloatMode<CopyRows>));
  exports.Set("clip", Napi::Function::New(env, InFloatMode<Clip>));
  return exports;
}

}  // namespace

NODE_API_MODULE(rectifier_native, Init)
