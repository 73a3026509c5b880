#include "engine/ops/gemm_kernels.h"

#include <cpuid.h>

#include <cstdlib>
#include <string_view>

namespace tserve::engine::gemm {

// Defined in gemm_avx2.cc, gemm_avx512.cc and gemm_amx.cc, each compiled for
// its own instruction set.
const Kernels& Avx2Kernels();
const Kernels& Avx512Kernels();
const Kernels& AmxKernels();
// Whether the OS has enabled AMX's tile state and grants it to this process
// (asked for on the first call); the CPU must report AMX.
bool AmxUsable();

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAmx:
      return "amx";
  }
  return "unknown";
}

namespace {

// CPUID leaf 7: EDX bit 24 is AMX-TILE, bit 25 AMX-INT8.
bool CpuHasAmxInt8() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (edx & (1u << 24)) != 0 && (edx & (1u << 25)) != 0;
}

}  // namespace

bool CpuSupports(Isa isa) {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  switch (isa) {
    case Isa::kAvx2:
      return avx2;
    case Isa::kAvx512:
      return avx512;
    case Isa::kAmx:
      return avx512 && CpuHasAmxInt8() && AmxUsable();
  }
  return false;
}

const Kernels& KernelsFor(Isa isa) {
  switch (isa) {
    case Isa::kAvx2:
      return Avx2Kernels();
    case Isa::kAvx512:
      return Avx512Kernels();
    case Isa::kAmx:
      return AmxKernels();
  }
  return Avx2Kernels();
}

const Kernels& SelectedKernels() {
  static const Kernels& selected = [&]() -> const Kernels& {
    // The best supported set at or below the one asked for.
    const char* requested = std::getenv("TSERVE_GEMM_ISA");
    std::string_view ceiling = requested != nullptr ? requested : "";
    for (Isa isa : {Isa::kAmx, Isa::kAvx512}) {
      if (ceiling == IsaName(Isa::kAvx2)) break;
      if (ceiling == IsaName(Isa::kAvx512) && isa == Isa::kAmx) continue;
      if (CpuSupports(isa)) return KernelsFor(isa);
    }
    return Avx2Kernels();
  }();
  return selected;
}

}  // namespace tserve::engine::gemm
