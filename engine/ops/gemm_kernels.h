#pragma once

#include <cstdint>
#include <string_view>

// The register-tiled micro-kernels under Linear (engine/ops/linear.h), one set
// per instruction set, chosen once per process.
//
// Weights are packed at load into panels of `panel_width` output columns,
// laid out [panel][k][panel_width] for float32 (bfloat16 weights are widened
// to that layout a slice at a time) and [panel][k / 4][panel_width][4] for
// int8, whose dot-product instructions read four consecutive k of a column.
// A tile multiplies up to `tile_rows` input rows by one panel.
//
// Every kernel computes each output element with the same sequence of
// instructions whatever the number of rows it is given (rows never mix, a
// row's accumulators see the same k in the same order), which is what makes
// Linear batch-invariant.
namespace tserve::engine::gemm {

enum class Isa {
  kAvx2,    // AVX2 + FMA (x86-64-v3): the floor
  kAvx512,  // AVX-512 F/BW/DQ/VL with VNNI (Cascade Lake, Ice Lake, Sapphire Rapids, Zen 4 on)
  kAmx,     // kAvx512 plus AMX-INT8 for int8 products (Sapphire Rapids on, where the OS allows)
};

std::string_view IsaName(Isa isa);

// Largest panel width and row block over every kernel set, for buffers.
constexpr int64_t kMaxPanelWidth = 32;
constexpr int64_t kMaxRowBlock = 132;

// Cache lines [begin, begin + 64·lines) of one buffer, to prefetch; lines is
// at most twice the kernel's steps. Null begin and zero lines: nothing.
struct Prefetch {
  const char* begin = nullptr;
  int64_t lines = 0;
};

// What turns a panel's exact int8 sums into float32 (gemm_int8.h): per row
// (from the block's first) and per column (from the panel's first).
struct Int8Scales {
  const float* row_scale;
  const int32_t* row_zero_point;
  const float* column_scale;
  const int32_t* column_sum;
};

struct Kernels {
  Isa isa;
  int64_t panel_width;
  // Most rows of one tile.
  int64_t tile_rows;
  // Rows per pass over all panels (≤ kMaxRowBlock).
  int64_t row_block;
  // Largest activation level of int8's unsigned per-row quantization: 127
  // where the u8·s8 pair sum saturates at 16 bits (AVX2), 255 with VNNI.
  int32_t activation_levels;

  // acc[r·W + c] += Σ_{k<depth} x[k·rows + r] · panel[k·W + c], r < rows ≤ tile_rows,
  // one FMA per k in order (W = panel_width). The tile's rows come packed,
  // k-major (Linear interleaves them once per block of rows): one pointer walks them,
  // where a pointer per row would outnumber the general registers. Slices of
  // k called one after the other with the same acc give exactly the sums of
  // one call.
  //
  // `ahead` is weight memory the caller reads next: the AVX-512 kernels ask
  // for its cache lines to be brought into L2, one per step of k (per quad
  // for int8; two per step where there are more lines than steps), so the
  // next slice streams in while this one is multiplied. The AVX2 kernels
  // ignore it.
  void (*float_tile)(const float* x, const float* panel, int64_t depth, int64_t rows, float* acc,
                     Prefetch ahead);
  // acc[r·W + c] += Σ_{q<quads} Σ_{j<4} x[(q·rows + r)·4 + j] · panel[(q·W + c)·4 + j],
  // exact; r < rows ≤ tile_rows, the rows packed k-major by quads.
  void (*int8_tile)(const uint8_t* x, const int8_t* panel, int64_t quads, int64_t rows,
                    int32_t* acc, Prefetch ahead);

  // int8 depth is padded to a multiple of this many k (weights and
  // activations alike; the padding is zero on both sides).
  int64_t int8_depth_step = 4;
  // Where set (AMX), int8 products take the quantized rows as they are,
  // row-major, instead of packed tiles, and return them dequantized:
  // sums[r·W + c] = (Σ_{q<quads} Σ_{j<4} x[r·stride + 4q + j] · panel[(q·W + c)·4 + j]
  //                  − zero_point[r] · column_sum[c]) · (scale[r] · column_scale[c])
  // for r < rows ≤ row_block, the exact int32 sum converted once, as Linear
  // dequantizes the other kernels' sums (the results are bit-identical).
  // Rows are read in whole tiles: up to `int8_row_slack` rows past the last
  // are read (the buffer must hold them), never used.
  void (*int8_panel_rows)(const uint8_t* x, int64_t stride, const int8_t* panel, int64_t quads,
                          int64_t rows, const Int8Scales& scales, float* sums) = nullptr;
  // Fewer rows than this go to int8_tile instead (a tile of 16 rows costs
  // the same for one row; the results are the same either way).
  int64_t int8_panel_rows_min = 0;
  int64_t int8_row_slack = 0;
  // Where set, called on each thread before it runs kernels of this set in a
  // parallel region (AMX: loads the tile configuration).
  void (*prepare_thread)() = nullptr;
};

// The kernels for `isa`; the CPU must support it.
const Kernels& KernelsFor(Isa isa);

// Whether this CPU (and OS) runs `isa`.
bool CpuSupports(Isa isa);

// The best instruction set this CPU supports, unless TSERVE_GEMM_ISA names a
// lower one (`avx2`, `avx512`), which tests and benchmarks use to compare them.
// Decided once per process: a model's packed weights and every call on them
// must use the same kernels.
const Kernels& SelectedKernels();

}  // namespace tserve::engine::gemm
