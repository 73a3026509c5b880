// AMX kernels (compiled with -mamx-tile/-mamx-int8 besides AVX-512, called
// only where the CPU has AMX and the OS lets this process use it): int8
// products on TDPBUSD, a 16 × 64 u8 tile of activations times a 16 × 16
// tile of s8 weight quads into 16 × 16 int32 sums, exact. float32 and
// bfloat16 stay on the AVX-512 kernels (AMX multiplies bfloat16 activations
// only, which would round them).
//
// The weights keep the int8 panel layout of every kernel set,
// [quad][32 columns][4 k]: a tile of 16 quads of one half panel is 16 rows
// of 64 bytes at a stride of 128. The activations are read as quantized,
// row-major, so they need no packing; the rows are read in whole tiles of
// 16, the quantized buffer being readable that far (Kernels::int8_row_slack).
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "engine/ops/gemm_kernels.h"

namespace tserve::engine::gemm {

const Kernels& Avx512Kernels();

namespace {

constexpr int64_t kWidth = 32;      // panel width: two tiles of 16 columns
constexpr int64_t kTileRows = 16;   // rows of an activation tile
constexpr int64_t kTileBytes = 64;  // k of an activation tile (16 quads)

// The tile configuration of LDTILECFG, palette 1.
struct alignas(64) TileConfig {
  uint8_t palette_id;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};

// Tiles 0–3: sums of rows 0–15 / 16–31 × columns 0–15 / 16–31; 4, 5: the
// two row tiles of activations; 6, 7: the two column tiles of weights. All
// are 16 rows of 64 bytes. A constant in memory: GCC's _tile_loadconfig tells
// the compiler it reads 8 bytes only, so a configuration built on the stack
// just before it may be left half-written.
constexpr TileConfig MakeTileConfig() {
  TileConfig config{};
  config.palette_id = 1;
  for (int t = 0; t < 8; ++t) {
    config.colsb[t] = kTileBytes;
    config.rows[t] = kTileRows;
  }
  return config;
}
constexpr TileConfig kTileConfig = MakeTileConfig();

void LoadTileConfig() { _tile_loadconfig(&kTileConfig); }

// Every lane: the masked conversion, since GCC 12 warns that the unmasked
// one reads an undefined vector.
constexpr __mmask16 kAllLanes = 0xFFFF;

// sums[r·32 + c] for r in [r0, r0 + count) from the exact sums of those
// rows, acc[(r − r0)·32 + c]: Kernels::int8_panel_rows' dequantization.
void Dequantize(const int32_t* acc, int64_t r0, int64_t count, const Int8Scales& scales,
                float* sums) {
  const __m512i sum0 = _mm512_loadu_si512(scales.column_sum);
  const __m512i sum1 = _mm512_loadu_si512(scales.column_sum + 16);
  const __m512 scale0 = _mm512_loadu_ps(scales.column_scale);
  const __m512 scale1 = _mm512_loadu_ps(scales.column_scale + 16);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t r = r0 + i;
    const __m512i zero_point = _mm512_set1_epi32(scales.row_zero_point[r]);
    const __m512 row_scale = _mm512_set1_ps(scales.row_scale[r]);
    const __m512i exact0 = _mm512_sub_epi32(_mm512_loadu_si512(acc + i * kWidth),
                                            _mm512_mullo_epi32(zero_point, sum0));
    const __m512i exact1 = _mm512_sub_epi32(_mm512_loadu_si512(acc + i * kWidth + 16),
                                            _mm512_mullo_epi32(zero_point, sum1));
    _mm512_storeu_ps(sums + r * kWidth,
                     _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(kAllLanes, exact0), _mm512_mul_ps(row_scale, scale0)));
    _mm512_storeu_ps(sums + r * kWidth + 16,
                     _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(kAllLanes, exact1), _mm512_mul_ps(row_scale, scale1)));
  }
}

// The exact sums of kRowTiles row tiles (16 rows each) from row r0 on, by
// the two column tiles of the panel, into acc [16·kRowTiles][32]. The tile
// registers are named by constants, hence one instantiation per count.
template <int kRowTiles>
void RowTileSums(const uint8_t* x, int64_t stride, const int8_t* panel, int64_t steps,
                 int32_t* acc) {
  constexpr int64_t kStepBytes = (kTileBytes / 4) * kWidth * 4;  // 16 quads of the panel
  constexpr int64_t kPanelStride = kWidth * 4;
  constexpr int64_t kAccStride = kWidth * static_cast<int64_t>(sizeof(int32_t));
  _tile_zero(0);
  _tile_zero(1);
  if constexpr (kRowTiles == 2) {
    _tile_zero(2);
    _tile_zero(3);
  }
  for (int64_t s = 0; s < steps; ++s) {
    const int8_t* w = panel + s * kStepBytes;
    _tile_loadd(6, w, kPanelStride);
    _tile_loadd(7, w + 64, kPanelStride);
    _tile_loadd(4, x + s * kTileBytes, stride);
    _tile_dpbusd(0, 4, 6);
    _tile_dpbusd(1, 4, 7);
    if constexpr (kRowTiles == 2) {
      _tile_loadd(5, x + kTileRows * stride + s * kTileBytes, stride);
      _tile_dpbusd(2, 5, 6);
      _tile_dpbusd(3, 5, 7);
    }
  }
  _tile_stored(0, acc, kAccStride);
  _tile_stored(1, acc + 16, kAccStride);
  if constexpr (kRowTiles == 2) {
    _tile_stored(2, acc + kTileRows * kWidth, kAccStride);
    _tile_stored(3, acc + kTileRows * kWidth + 16, kAccStride);
  }
}

// Kernels::int8_panel_rows: two row tiles (32 rows) at a time, then one.
void Int8PanelRows(const uint8_t* x, int64_t stride, const int8_t* panel, int64_t quads,
                   int64_t rows, const Int8Scales& scales, float* sums) {
  const int64_t steps = quads / (kTileBytes / 4);
  alignas(64) int32_t acc[2 * kTileRows * kWidth];
  int64_t r0 = 0;
  for (; r0 + kTileRows < rows; r0 += 2 * kTileRows) {
    RowTileSums<2>(x + r0 * stride, stride, panel, steps, acc);
    Dequantize(acc, r0, std::min(2 * kTileRows, rows - r0), scales, sums);
  }
  if (r0 < rows) {  // one row tile left
    RowTileSums<1>(x + r0 * stride, stride, panel, steps, acc);
    Dequantize(acc, r0, rows - r0, scales, sums);
  }
}

}  // namespace

bool AmxUsable() {
  // The OS must have enabled the tile state (XCR0 bits 17 and 18) and must
  // grant it to this process: Linux asks for ARCH_REQ_XCOMP_PERM first.
  static const bool usable = [] {
    if ((_xgetbv(0) & 0x60000) != 0x60000) return false;
    constexpr long kArchReqXcompPerm = 0x1023;
    constexpr long kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return usable;
}

const Kernels& AmxKernels() {
  static const Kernels kernels = [] {
    Kernels k = Avx512Kernels();
    k.isa = Isa::kAmx;
    k.row_block = 128;  // whole pairs of row tiles
    k.int8_depth_step = kTileBytes;
    k.int8_row_slack = kTileRows - 1;
    k.int8_panel_rows = Int8PanelRows;
    // Measured (ops_bench, 512-deep products): at 4 rows VNNI is up to 2x
    // faster, from 16 rows AMX is 2x faster.
    k.int8_panel_rows_min = 8;
    k.prepare_thread = LoadTileConfig;
    return k;
  }();
  return kernels;
}

}  // namespace tserve::engine::gemm
