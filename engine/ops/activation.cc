#include "engine/ops/activation.h"

#include <cmath>

#include "engine/core/profile.h"

namespace tserve::engine {

Epilogue EpilogueFor(Activation activation) {
  switch (activation) {
    case Activation::kRelu:
      return Epilogue::kRelu;
    case Activation::kSwish:
      return Epilogue::kSwish;
    case Activation::kGelu:
      return Epilogue::kGelu;
    case Activation::kGeluTanh:
      return Epilogue::kGeluTanh;
  }
  return Epilogue::kNone;
}

std::string_view EpilogueName(Epilogue epilogue) {
  switch (epilogue) {
    case Epilogue::kNone:
      return "none";
    case Epilogue::kRelu:
      return "relu";
    case Epilogue::kSwish:
      return "swish";
    case Epilogue::kGelu:
      return "gelu";
    case Epilogue::kGeluTanh:
      return "gelu_new";
    case Epilogue::kAccumulate:
      return "accumulate";
  }
  return "?";
}

float Gelu(float v) { return 0.5f * v * (1.f + std::erf(v * static_cast<float>(M_SQRT1_2))); }

float GeluTanh(float v) {
  // transformers' NewGELUActivation, term by term.
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  return 0.5f * v * (1.f + std::tanh(kSqrt2OverPi * (v + 0.044715f * (v * v * v))));
}

void GatedActivation(Activation activation, const float* in, int64_t rows, int64_t width,
                     float* out) {
  const ProfileScope profile("activations");
#pragma omp parallel for schedule(static) if (rows * width >= (1 << 16))
  for (int64_t r = 0; r < rows; ++r) {
    const float* a = in + r * 2 * width;
    const float* b = a + width;
    float* o = out + r * width;
    for (int64_t c = 0; c < width; ++c) {
      const float v = a[c];
      float activated = v;
      switch (activation) {
        case Activation::kRelu:
          activated = v > 0.f ? v : 0.f;
          break;
        case Activation::kSwish:
          activated = v / (1.f + std::exp(-v));
          break;
        case Activation::kGelu:
          activated = Gelu(v);
          break;
        case Activation::kGeluTanh:
          activated = GeluTanh(v);
          break;
      }
      o[c] = activated * b[c];
    }
  }
}

}  // namespace tserve::engine
