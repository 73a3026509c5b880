#include "engine/ops/linear.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace tserve::engine {
namespace {

constexpr int64_t kWidth = Linear::kPanelWidth;  // 3 AVX2 vectors
constexpr int kTileRows = 4;
// Rows processed per pass over all panels, so a block of inputs stays in
// cache while every panel streams past it.
constexpr int64_t kRowBlock = 128;

float Activate(Epilogue epilogue, float v) {
  switch (epilogue) {
    case Epilogue::kRelu:
      return v > 0.f ? v : 0.f;
    case Epilogue::kSwish:
      return v / (1.f + std::exp(-v));
    case Epilogue::kGelu:
      return 0.5f * v * (1.f + std::erf(v * static_cast<float>(M_SQRT1_2)));
    case Epilogue::kNone:
    case Epilogue::kAccumulate:
      return v;
  }
  return v;
}

// out[r][0..24) = Σ_k x[r][k] · panel[k][0..24) for r < 4, one FMA per k in
// order. Rows never mix, so a row's result is the same in any tile; fewer
// than four rows are computed by padding the tile with zero rows. The twelve
// accumulators are named variables so they stay in registers.
void MicroKernel4x24(const float* x, int64_t ldx, const float* panel, int64_t depth,
                     float out[kTileRows][kWidth]) {
  __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00;
  __m256 a10 = a00, a11 = a00, a12 = a00;
  __m256 a20 = a00, a21 = a00, a22 = a00;
  __m256 a30 = a00, a31 = a00, a32 = a00;
  const float* x0 = x;
  const float* x1 = x + ldx;
  const float* x2 = x + 2 * ldx;
  const float* x3 = x + 3 * ldx;
  for (int64_t k = 0; k < depth; ++k) {
    const float* w = panel + k * kWidth;
    const __m256 w0 = _mm256_loadu_ps(w);
    const __m256 w1 = _mm256_loadu_ps(w + 8);
    const __m256 w2 = _mm256_loadu_ps(w + 16);
    __m256 b = _mm256_broadcast_ss(x0 + k);
    a00 = _mm256_fmadd_ps(b, w0, a00);
    a01 = _mm256_fmadd_ps(b, w1, a01);
    a02 = _mm256_fmadd_ps(b, w2, a02);
    b = _mm256_broadcast_ss(x1 + k);
    a10 = _mm256_fmadd_ps(b, w0, a10);
    a11 = _mm256_fmadd_ps(b, w1, a11);
    a12 = _mm256_fmadd_ps(b, w2, a12);
    b = _mm256_broadcast_ss(x2 + k);
    a20 = _mm256_fmadd_ps(b, w0, a20);
    a21 = _mm256_fmadd_ps(b, w1, a21);
    a22 = _mm256_fmadd_ps(b, w2, a22);
    b = _mm256_broadcast_ss(x3 + k);
    a30 = _mm256_fmadd_ps(b, w0, a30);
    a31 = _mm256_fmadd_ps(b, w1, a31);
    a32 = _mm256_fmadd_ps(b, w2, a32);
  }
  _mm256_storeu_ps(out[0], a00), _mm256_storeu_ps(out[0] + 8, a01), _mm256_storeu_ps(out[0] + 16, a02);
  _mm256_storeu_ps(out[1], a10), _mm256_storeu_ps(out[1] + 8, a11), _mm256_storeu_ps(out[1] + 16, a12);
  _mm256_storeu_ps(out[2], a20), _mm256_storeu_ps(out[2] + 8, a21), _mm256_storeu_ps(out[2] + 16, a22);
  _mm256_storeu_ps(out[3], a30), _mm256_storeu_ps(out[3] + 8, a31), _mm256_storeu_ps(out[3] + 16, a32);
}

}  // namespace

Linear::Linear(const std::vector<float>& weight, const std::vector<float>& bias,
               int64_t in_features, int64_t out_features, Epilogue epilogue)
    : in_features_(in_features),
      out_features_(out_features),
      num_panels_((out_features + kWidth - 1) / kWidth),
      epilogue_(epilogue),
      panels_(static_cast<size_t>(num_panels_ * in_features * kWidth), 0.f),
      bias_(static_cast<size_t>(num_panels_ * kWidth), 0.f) {
  for (int64_t o = 0; o < out_features; ++o) {
    float* column = panels_.data() + (o / kWidth) * in_features * kWidth + o % kWidth;
    const float* row = weight.data() + o * in_features;
    for (int64_t k = 0; k < in_features; ++k) column[k * kWidth] = row[k];
  }
  if (!bias.empty()) std::copy(bias.begin(), bias.end(), bias_.begin());
}

void Linear::Forward(const float* x, int64_t rows, float* y) const {
  if (rows == 0) return;
  const int64_t depth = in_features_;
  const int64_t panel_floats = depth * kWidth;
  // Work under ~64k multiply-adds is not worth forking the OpenMP team.
  const bool parallel = rows * out_features_ * depth >= (int64_t{1} << 16) && num_panels_ > 1;
  for (int64_t block = 0; block < rows; block += kRowBlock) {
    const int64_t block_rows = std::min(kRowBlock, rows - block);
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t p = 0; p < num_panels_; ++p) {
      alignas(32) float tile[kTileRows][kWidth];
      const float* panel = panels_.data() + p * panel_floats;
      const int64_t col0 = p * kWidth;
      const int64_t cols = std::min(kWidth, out_features_ - col0);
      for (int64_t r0 = block; r0 < block + block_rows; r0 += kTileRows) {
        const int tile_rows = static_cast<int>(std::min<int64_t>(kTileRows, block + block_rows - r0));
        if (tile_rows == kTileRows) {
          MicroKernel4x24(x + r0 * depth, depth, panel, depth, tile);
        } else {
          // A short tile reads its rows from a zero-padded copy.
          thread_local std::vector<float> padded;
          padded.assign(static_cast<size_t>(kTileRows * depth), 0.f);
          std::copy(x + r0 * depth, x + (r0 + tile_rows) * depth, padded.begin());
          MicroKernel4x24(padded.data(), depth, panel, depth, tile);
        }
        for (int r = 0; r < tile_rows; ++r) {
          float* out = y + (r0 + r) * out_features_ + col0;
          const float* b = bias_.data() + col0;
          if (epilogue_ == Epilogue::kAccumulate) {
            for (int64_t c = 0; c < cols; ++c) out[c] += tile[r][c] + b[c];
          } else {
            for (int64_t c = 0; c < cols; ++c) out[c] = Activate(epilogue_, tile[r][c] + b[c]);
          }
        }
      }
    }
  }
}

}  // namespace tserve::engine
