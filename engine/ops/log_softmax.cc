#include "engine/ops/log_softmax.h"

#include "engine/core/dnnl_context.h"
#include "engine/core/profile.h"

namespace tserve::engine {

void LogSoftmax::ForwardInPlace(float* x, int64_t rows) const {
  if (rows == 0) return;
  const ProfileScope profile("search: log-softmax");
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  auto primitive = primitives_.Get(rows, [this](int64_t r) {
    dnnl::memory::desc md({r, width_}, dt::f32, tag::ab);
    dnnl::logsoftmax_forward::desc desc(dnnl::prop_kind::forward_inference, md, /*axis=*/1);
    return dnnl::logsoftmax_forward(dnnl::logsoftmax_forward::primitive_desc(desc, CpuEngine()));
  });
  dnnl::memory data({{rows, width_}, dt::f32, tag::ab}, CpuEngine(), x);
  dnnl::stream& stream = ThreadStream();
  primitive.execute(stream, {{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}});
  stream.wait();
}

}  // namespace tserve::engine
