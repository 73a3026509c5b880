#include "engine/ops/linear.h"

#include <cstring>
#include <unordered_map>

#include "engine/core/dnnl_context.h"

namespace tserve::engine {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// Row count used to ask oneDNN for its preferred weight layout. Decoder steps
// use a few rows, encoder batches thousands; the layout chosen here is kept
// for every row count.
constexpr int64_t kLayoutProbeRows = 64;

dnnl::primitive_attr AttrFor(Epilogue epilogue) {
  dnnl::post_ops ops;
  switch (epilogue) {
    case Epilogue::kNone:
      break;
    case Epilogue::kRelu:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      break;
    case Epilogue::kSwish:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_swish, 1.f, 0.f);
      break;
    case Epilogue::kGelu:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_gelu_erf, 0.f, 0.f);
      break;
    case Epilogue::kAccumulate:
      ops.append_sum(1.f);
      break;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

dnnl::matmul::primitive_desc MatmulDesc(int64_t rows, int64_t in, int64_t out,
                                        const dnnl::memory::desc& weights_md, bool has_bias,
                                        Epilogue epilogue) {
  dnnl::memory::desc src_md({rows, in}, dt::f32, tag::ab);
  dnnl::memory::desc dst_md({rows, out}, dt::f32, tag::ab);
  dnnl::memory::desc bias_md = has_bias ? dnnl::memory::desc({1, out}, dt::f32, tag::ab)
                                        : dnnl::memory::desc();
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, weights_md, bias_md, dst_md),
                                      AttrFor(epilogue), CpuEngine());
}

}  // namespace

Linear::Linear(const std::vector<float>& weight, const std::vector<float>& bias,
               int64_t in_features, int64_t out_features, Epilogue epilogue)
    : in_features_(in_features),
      out_features_(out_features),
      epilogue_(epilogue),
      has_bias_(!bias.empty()) {
  // W is [out, in] row-major, which is the {in, out} matrix Wᵀ in "ba" order.
  dnnl::memory::desc plain_md({in_features, out_features}, dt::f32, tag::ba);
  dnnl::memory::desc any_md({in_features, out_features}, dt::f32, tag::any);
  auto probe = MatmulDesc(kLayoutProbeRows, in_features, out_features, any_md, has_bias_, epilogue);
  weights_ = dnnl::memory(probe.weights_desc(), CpuEngine());
  dnnl::memory plain(plain_md, CpuEngine(), const_cast<float*>(weight.data()));
  dnnl::reorder(plain, weights_).execute(ThreadStream(), plain, weights_);
  if (has_bias_) {
    bias_ = dnnl::memory({{1, out_features}, dt::f32, tag::ab}, CpuEngine());
    std::memcpy(bias_.get_data_handle(), bias.data(), bias.size() * sizeof(float));
  }
  ThreadStream().wait();
}

dnnl::matmul Linear::CreatePrimitive(int64_t rows) const {
  return dnnl::matmul(
      MatmulDesc(rows, in_features_, out_features_, weights_.get_desc(), has_bias_, epilogue_));
}

void Linear::Forward(const float* x, int64_t rows, float* y) const {
  if (rows == 0) return;
  dnnl::matmul matmul =
      primitives_.Get(rows, [this](int64_t r) { return CreatePrimitive(r); });
  dnnl::memory src({{rows, in_features_}, dt::f32, tag::ab}, CpuEngine(), const_cast<float*>(x));
  dnnl::memory dst({{rows, out_features_}, dt::f32, tag::ab}, CpuEngine(), y);
  std::unordered_map<int, dnnl::memory> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst}};
  if (has_bias_) args.emplace(DNNL_ARG_BIAS, bias_);
  dnnl::stream& stream = ThreadStream();
  matmul.execute(stream, args);
  stream.wait();
}

}  // namespace tserve::engine
