#include "engine/ops/gemm_kernels.h"

#include <cstdlib>
#include <string_view>

namespace tserve::engine::gemm {

// Defined in gemm_avx2.cc and gemm_avx512.cc, each compiled for its own
// instruction set.
const Kernels& Avx2Kernels();
const Kernels& Avx512Kernels();

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

bool CpuSupports(Isa isa) {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c");
  switch (isa) {
    case Isa::kAvx2:
      return avx2;
    case Isa::kAvx512:
      return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

const Kernels& KernelsFor(Isa isa) { return isa == Isa::kAvx512 ? Avx512Kernels() : Avx2Kernels(); }

const Kernels& SelectedKernels() {
  static const Kernels& selected = [&]() -> const Kernels& {
    const char* requested = std::getenv("TSERVE_GEMM_ISA");
    if (requested != nullptr && std::string_view(requested) == IsaName(Isa::kAvx2)) {
      return Avx2Kernels();
    }
    return CpuSupports(Isa::kAvx512) ? Avx512Kernels() : Avx2Kernels();
  }();
  return selected;
}

}  // namespace tserve::engine::gemm
