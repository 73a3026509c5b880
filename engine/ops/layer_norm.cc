#include "engine/ops/layer_norm.h"

#include <cstring>

#include "engine/core/dnnl_context.h"
#include "engine/core/profile.h"

namespace tserve::engine {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

dnnl::memory CopyToMemory(const std::vector<float>& values) {
  dnnl::memory m({{static_cast<int64_t>(values.size())}, dt::f32, tag::a}, CpuEngine());
  std::memcpy(m.get_data_handle(), values.data(), values.size() * sizeof(float));
  return m;
}

}  // namespace

LayerNorm::LayerNorm(const std::vector<float>& gamma, const std::vector<float>& beta,
                     float epsilon)
    : width_(static_cast<int64_t>(gamma.size())),
      epsilon_(epsilon),
      gamma_(CopyToMemory(gamma)),
      beta_(CopyToMemory(beta)) {}

dnnl::layer_normalization_forward LayerNorm::CreatePrimitive(int64_t rows) const {
  dnnl::memory::desc md({rows, width_}, dt::f32, tag::ab);
  auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
  dnnl::layer_normalization_forward::desc desc(dnnl::prop_kind::forward_inference, md, epsilon_,
                                               flags);
  return dnnl::layer_normalization_forward(
      dnnl::layer_normalization_forward::primitive_desc(desc, CpuEngine()));
}

void LayerNorm::Forward(const float* x, int64_t rows, float* y) const {
  if (rows == 0) return;
  const ProfileScope profile("layer norms");
  auto primitive = primitives_.Get(rows, [this](int64_t r) { return CreatePrimitive(r); });
  dnnl::memory::desc md({rows, width_}, dt::f32, tag::ab);
  dnnl::memory src(md, CpuEngine(), const_cast<float*>(x));
  dnnl::memory dst(md, CpuEngine(), y);
  dnnl::stream& stream = ThreadStream();
  primitive.execute(stream, {{DNNL_ARG_SRC, src},
                             {DNNL_ARG_DST, dst},
                             {DNNL_ARG_SCALE, gamma_},
                             {DNNL_ARG_SHIFT, beta_}});
  stream.wait();
}

}  // namespace tserve::engine
