#include "engine/ops/linear.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/core/profile.h"
#include "engine/ops/gemm_float.h"
#include "engine/ops/vector_math.h"

namespace tserve::engine {
namespace {

using gemm::kMaxPanelWidth;
using gemm::kMaxRowBlock;

// Depth processed per pass over a block's tiles, so the slice of a panel
// stays in L1 while every tile of the block reuses it: 128 k × 32 columns is
// 16 KB in float32 (a whole panel, 64 KB at depth 512, would not fit); int8
// takes proportionally more k.
constexpr int64_t kFloatSlice = 128;
constexpr int64_t kInt8Slice = 512;  // a multiple of 4 (quads)

// out[r·ld + c] = epilogue(sums[r·width + c] + bias[c]). The epilogue is
// chosen outside the loops so the common ones (none, accumulate, ReLU)
// vectorize.
void WriteRows(Epilogue epilogue, const float* sums, int64_t width, const float* bias, int64_t rows,
               int64_t cols, float* out, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = sums + r * width;
    float* o = out + r * ld;
    switch (epilogue) {
      // `omp simd`: the output never overlaps the sums or the bias, which the
      // compiler cannot prove on its own.
      case Epilogue::kNone:
#pragma omp simd
        for (int64_t c = 0; c < cols; ++c) o[c] = s[c] + bias[c];
        break;
      case Epilogue::kAccumulate:
#pragma omp simd
        for (int64_t c = 0; c < cols; ++c) o[c] += s[c] + bias[c];
        break;
      case Epilogue::kRelu:
#pragma omp simd
        for (int64_t c = 0; c < cols; ++c) {
          const float v = s[c] + bias[c];
          o[c] = v > 0.f ? v : 0.f;
        }
        break;
      case Epilogue::kSwish:
        SwishBiased(s, bias, cols, o);
        break;
      case Epilogue::kGelu:
        for (int64_t c = 0; c < cols; ++c) o[c] = Gelu(s[c] + bias[c]);
        break;
      case Epilogue::kGeluTanh:
        for (int64_t c = 0; c < cols; ++c) o[c] = GeluTanh(s[c] + bias[c]);
        break;
    }
  }
}

// What tile `tile` of `tiles` (one block's pass over a slice of a panel)
// prefetches for the kernel (gemm::Prefetch): its share of the slice that
// follows the one at byte `offset` of a weight buffer — the next slice, or
// the next panel's first — so the requests are spread over every tile's
// work; nothing where that slice would run past the end of the buffer.
template <typename Buffer>
gemm::Prefetch TileShare(const Buffer& buffer, int64_t offset, int64_t slice_bytes, int64_t tile,
                         int64_t tiles) {
  const int64_t size = static_cast<int64_t>(buffer.size() * sizeof(buffer[0]));
  const int64_t next = offset + slice_bytes;
  if (next + slice_bytes > size) return {};
  const int64_t lines = slice_bytes / 64;
  const int64_t share = (lines + tiles - 1) / tiles;
  const int64_t first = tile * share;
  if (first >= lines) return {};
  return {reinterpret_cast<const char*>(buffer.data()) + next + 64 * first,
          std::min(share, lines - first)};
}

// A block's rows cut into tiles of near-equal size, at most `max_rows` each:
// 28 rows make two tiles of 14 rather than 12 + 12 + 4. Fewer, fuller tiles
// read each weight slice from L1 fewer times and keep every FMA chain busy.
struct RowTiling {
  int64_t count;
  int64_t base;   // rows of every tile ...
  int64_t extra;  // ... plus one for the first `extra` tiles

  RowTiling(int64_t block_rows, int64_t max_rows)
      : count((block_rows + max_rows - 1) / max_rows),
        base(block_rows / count),
        extra(block_rows % count) {}
  int64_t rows(int64_t t) const { return base + (t < extra ? 1 : 0); }
  int64_t first_row(int64_t t) const { return t * base + std::min(t, extra); }
};

// The block's activations as the kernels read them: tile t's rows
// interleaved k-major, packed[first_row(t)·depth + k·rows(t) + r] =
// x[(first_row(t) + r)·ld + k], for 4-byte elements (a float32 value, or a
// quad of int8 levels, which the int8 kernels take four k at a time).
void PackTile(const void* x, int64_t ld, int64_t rows, int64_t depth, void* packed) {
  const char* in = static_cast<const char*>(x);
  char* out = static_cast<char*>(packed);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < depth; ++k)
      std::memcpy(out + 4 * (k * rows + r), in + 4 * (r * ld + k), 4);
  }
}

}  // namespace

// The activations in the form the kernels read, prepared once per block.
struct Linear::Inputs {
  RowTiling tiling{1, 1};                          // the block's tiles
  const float* packed = nullptr;                   // float32 and bfloat16, in PackTile's layout
  const uint8_t* packed_quads = nullptr;           // int8 levels, in PackTile's layout
  const gemm::QuantizedRows* quantized = nullptr;  // int8: the rows' scales and zero points
  bool int8_unpacked = false;  // int8: the block goes to Kernels::int8_panel_rows
};

Linear::Linear(const std::vector<float>& weight, const std::vector<float>& bias,
               int64_t in_features, int64_t out_features, Epilogue epilogue,
               ComputeType compute_type, const gemm::Kernels* kernels)
    : in_features_(in_features),
      out_features_(out_features),
      kernels_(kernels != nullptr ? kernels : &gemm::SelectedKernels()),
      panel_width_(kernels_->panel_width),
      num_panels_((out_features + panel_width_ - 1) / panel_width_),
      packed_depth_(in_features),
      epilogue_(epilogue),
      compute_type_(compute_type),
      bias_(static_cast<size_t>(num_panels_ * panel_width_), 0.f) {
  switch (compute_type) {
    case ComputeType::kFloat32:
      float_panels_ = gemm::PackFloatPanels(weight, in_features, out_features, panel_width_);
      break;
    case ComputeType::kBfloat16:
      bfloat16_panels_ = gemm::PackBfloat16Panels(weight, in_features, out_features, panel_width_);
      break;
    case ComputeType::kInt8:
      int8_panels_ = gemm::PackInt8Panels(weight, in_features, out_features, panel_width_,
                                          kernels_->int8_depth_step);
      packed_depth_ = int8_panels_.padded_depth;
      break;
  }
  if (!bias.empty()) std::copy(bias.begin(), bias.end(), bias_.begin());
}

int64_t Linear::weight_bytes() const {
  return static_cast<int64_t>(
      float_panels_.size() * sizeof(float) + bfloat16_panels_.size() * sizeof(uint16_t) +
      int8_panels_.weights.size() + int8_panels_.column_scale.size() * sizeof(float) +
      int8_panels_.column_sum.size() * sizeof(int32_t) + bias_.size() * sizeof(float));
}

void Linear::WeightRow(int64_t row, float* dst) const {
  // Panel p holds rows p·W .. p·W+W−1 side by side: [in_features][W].
  const int64_t width = panel_width_;
  const int64_t first = (row / width) * packed_depth_ * width + row % width;
  if (compute_type_ == ComputeType::kFloat32) {
    const float* column = float_panels_.data() + first;
    for (int64_t k = 0; k < in_features_; ++k) dst[k] = column[k * width];
  } else {
    const uint16_t* column = bfloat16_panels_.data() + first;
    for (int64_t k = 0; k < in_features_; ++k) gemm::WidenBfloat16(column + k * width, 1, dst + k);
  }
}

void Linear::PanelSums(const Inputs& inputs, int64_t p, int64_t block, int64_t block_rows,
                       float* sums) const {
  const gemm::Kernels& kernels = *kernels_;
  const int64_t width = panel_width_;
  const int64_t depth = packed_depth_;
  const RowTiling& tiling = inputs.tiling;
  // Tile t's rows from k0 on, in PackTile's layout.
  const auto packed_rows = [&](int64_t t, int64_t k0) {
    return inputs.packed + tiling.first_row(t) * depth + k0 * tiling.rows(t);
  };

  switch (compute_type_) {
    case ComputeType::kFloat32: {
      std::fill_n(sums, block_rows * width, 0.f);
      const float* panel = float_panels_.data() + p * depth * width;
      for (int64_t k0 = 0; k0 < depth; k0 += kFloatSlice) {
        const int64_t slice = std::min(kFloatSlice, depth - k0);
        const int64_t offset = (p * depth + k0) * width * static_cast<int64_t>(sizeof(float));
        const int64_t slice_bytes = slice * width * static_cast<int64_t>(sizeof(float));
        for (int64_t t = 0; t < tiling.count; ++t) {
          kernels.float_tile(packed_rows(t, k0), panel + k0 * width, slice, tiling.rows(t),
                             sums + tiling.first_row(t) * width,
                             TileShare(float_panels_, offset, slice_bytes, t, tiling.count));
        }
      }
      return;
    }
    case ComputeType::kBfloat16: {
      std::fill_n(sums, block_rows * width, 0.f);
      const uint16_t* panel = bfloat16_panels_.data() + p * depth * width;
      // Each slice is widened once and reused by every tile of the block.
      alignas(64) float widened[kFloatSlice * kMaxPanelWidth];
      for (int64_t k0 = 0; k0 < depth; k0 += kFloatSlice) {
        const int64_t slice = std::min(kFloatSlice, depth - k0);
        gemm::WidenBfloat16(panel + k0 * width, slice * width, widened);
        const int64_t offset = (p * depth + k0) * width * static_cast<int64_t>(sizeof(uint16_t));
        const int64_t slice_bytes = slice * width * static_cast<int64_t>(sizeof(uint16_t));
        for (int64_t t = 0; t < tiling.count; ++t) {
          kernels.float_tile(packed_rows(t, k0), widened, slice, tiling.rows(t),
                             sums + tiling.first_row(t) * width,
                             TileShare(bfloat16_panels_, offset, slice_bytes, t, tiling.count));
        }
      }
      return;
    }
    case ComputeType::kInt8: {
      const gemm::QuantizedRows& q = *inputs.quantized;
      const int8_t* panel = int8_panels_.weights.data() + p * depth * width;
      const float* column_scale = int8_panels_.column_scale.data() + p * width;
      const int32_t* column_sum = int8_panels_.column_sum.data() + p * width;
      if (inputs.int8_unpacked) {
        kernels.int8_panel_rows(
            q.values.data() + block * depth, depth, panel, depth / gemm::kInt8DepthStep,
            block_rows,
            {q.scale.data() + block, q.zero_point.data() + block, column_scale, column_sum}, sums);
        return;
      }
      alignas(64) int32_t acc[kMaxRowBlock * kMaxPanelWidth];
      std::fill_n(acc, block_rows * width, 0);
      for (int64_t k0 = 0; k0 < depth; k0 += kInt8Slice) {
        const int64_t slice = std::min(kInt8Slice, depth - k0);
        const int64_t quads = slice / gemm::kInt8DepthStep;
        for (int64_t t = 0; t < tiling.count; ++t) {
          // Byte k0 of a row is quad k0 / 4, at byte k0·rows of its tile.
          kernels.int8_tile(inputs.packed_quads + tiling.first_row(t) * depth + k0 * tiling.rows(t),
                            panel + k0 * width, quads, tiling.rows(t),
                            acc + tiling.first_row(t) * width,
                            TileShare(int8_panels_.weights, (p * depth + k0) * width, slice * width,
                                      t, tiling.count));
        }
      }
      for (int64_t r = 0; r < block_rows; ++r) {
        const int32_t* row = acc + r * width;
        float* out = sums + r * width;
        const int32_t zero_point = q.zero_point[block + r];
        const float row_scale = q.scale[block + r];
#pragma omp simd
        for (int64_t c = 0; c < width; ++c) {
          const int32_t exact = row[c] - zero_point * column_sum[c];
          out[c] = static_cast<float>(exact) * (row_scale * column_scale[c]);
        }
      }
      return;
    }
  }
}

void Linear::Forward(const float* x, int64_t rows, float* y) const {
  if (rows == 0) return;
  const ProfileScope profile(profile_label_);
  // Buffers kept per calling thread, so steady-state calls allocate nothing.
  thread_local gemm::QuantizedRows quantized;
  thread_local std::vector<float> packed;
  thread_local std::vector<uint8_t> packed_quads;
  const int64_t row_block = kernels_->row_block;
  const int64_t block_capacity = std::min(rows, row_block);
  // What is packed, in 4-byte elements: float32 values, or quads of int8 levels.
  const char* source = nullptr;
  int64_t row_elements = 0;
  char* packed_block = nullptr;  // the calling thread's buffer, filled by the whole team
  Inputs inputs;
  const bool int8 = compute_type_ == ComputeType::kInt8;
  // The calling thread's buffer, which the team fills (inside the parallel
  // region `quantized` would name each thread's own).
  gemm::QuantizedRows* const caller_quantized = &quantized;
  if (int8) {
    // Sized here; each block's rows are quantized by the team below.
    gemm::PrepareQuantizedRows(rows, in_features_, kernels_->int8_depth_step,
                               kernels_->int8_row_slack, quantized);
    inputs.quantized = &quantized;
    packed_quads.resize(static_cast<size_t>(block_capacity * packed_depth_));
    source = reinterpret_cast<const char*>(quantized.values.data());
    row_elements = packed_depth_ / gemm::kInt8DepthStep;
    packed_block = reinterpret_cast<char*>(packed_quads.data());
  } else {
    packed.resize(static_cast<size_t>(block_capacity * in_features_));
    source = reinterpret_cast<const char*>(x);
    row_elements = in_features_;
    packed_block = reinterpret_cast<char*>(packed.data());
  }

  // Work under ~64k multiply-adds is not worth forking the OpenMP team.
  const bool parallel =
      rows * out_features_ * in_features_ >= (int64_t{1} << 16) && num_panels_ > 1;
  for (int64_t block = 0; block < rows; block += row_block) {
    const int64_t block_rows = std::min(row_block, rows - block);
    const RowTiling tiling(block_rows, kernels_->tile_rows);
    // AMX's int8 kernel reads the quantized rows as they are.
    const bool unpacked =
        int8 && kernels_->int8_panel_rows != nullptr && block_rows >= kernels_->int8_panel_rows_min;
    const bool packs = !unpacked && block_rows > 1;
    const char* block_source = source + 4 * block * row_elements;
    // One row is its own packed form. float32's single tile is packed here,
    // cheaper than a second barrier in the team; int8's rows are quantized
    // by the team first, which is a barrier already, so the team packs them.
    const char* block_packed = block_rows == 1 ? block_source : packed_block;
    const bool team_packs = packs && int8;
    // float32 and bfloat16 blocks of several tiles: every thread packs the
    // whole block into its own buffer. That repeats the packing (a few % of
    // the products) but needs no barrier, and no thread reads rows packed in
    // another core's cache, which cost more where the products are small
    // (256 outputs: 8 panels).
    const bool each_packs = packs && !int8 && tiling.count > 1;
    if (packs && !team_packs && !each_packs) {
      PackTile(block_source, row_elements, block_rows, row_elements, packed_block);
    }
    Inputs block_inputs = inputs;
    block_inputs.tiling = tiling;
    block_inputs.int8_unpacked = unpacked;
    if (int8) {
      block_inputs.packed_quads = reinterpret_cast<const uint8_t*>(block_packed);
    } else {
      block_inputs.packed = reinterpret_cast<const float*>(block_packed);
    }
#pragma omp parallel if (parallel)
    {
      if (int8) {
#pragma omp for schedule(static)
        for (int64_t r = block; r < block + block_rows; ++r) {
          gemm::QuantizeOneRow(x, r, in_features_, kernels_->activation_levels, *caller_quantized);
        }
      }
      if (unpacked && kernels_->prepare_thread != nullptr) kernels_->prepare_thread();
      if (team_packs) {
        // The team packs the block's tiles, then (after the barrier) multiplies.
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tiling.count; ++t) {
          const int64_t offset = 4 * tiling.first_row(t) * row_elements;
          PackTile(block_source + offset, row_elements, tiling.rows(t), row_elements,
                   packed_block + offset);
        }
      }
      Inputs thread_inputs = block_inputs;
      if (each_packs) {
        // Declared here, so that every thread of the team runs its
        // initialisation (and registers its destructor) for its own copy.
        thread_local std::vector<float> own_packed;
        own_packed.resize(static_cast<size_t>(block_capacity * in_features_));
        char* own = reinterpret_cast<char*>(own_packed.data());
        for (int64_t t = 0; t < tiling.count; ++t) {
          const int64_t offset = 4 * tiling.first_row(t) * row_elements;
          PackTile(block_source + offset, row_elements, tiling.rows(t), row_elements, own + offset);
        }
        thread_inputs.packed = own_packed.data();
      }
#pragma omp for schedule(static)
      for (int64_t p = 0; p < num_panels_; ++p) {
        alignas(64) float sums[kMaxRowBlock * kMaxPanelWidth];
        PanelSums(thread_inputs, p, block, block_rows, sums);
        const int64_t col0 = p * panel_width_;
        const int64_t cols = std::min(panel_width_, out_features_ - col0);
        WriteRows(epilogue_, sums, panel_width_, bias_.data() + col0, block_rows, cols,
                  y + block * out_features_ + col0, out_features_);
      }
    }
  }
}

}  // namespace tserve::engine
