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
};

// The kernels for `isa`; the CPU must support it.
const Kernels& KernelsFor(Isa isa);

// Whether this CPU (and OS) runs `isa`.
bool CpuSupports(Isa isa);

// The best instruction set this CPU supports, unless TSERVE_GEMM_ISA names a
// lower one (`avx2`), which tests and benchmarks use to compare the two.
// Decided once per process: a model's packed weights and every call on them
// must use the same kernels.
const Kernels& SelectedKernels();

}  // namespace tserve::engine::gemm
