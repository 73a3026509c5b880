// libFuzzer target: any byte string handed to the safetensors parser must yield either
// a valid file or an error status, never a crash, a hang or a read outside the input.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto file = tserve::engine::SafetensorsFile::FromBytes(bytes);
  if (!file.ok()) return 0;
  for (const tserve::engine::TensorEntry& t : (*file)->tensors()) {
    // A parsed entry must lie inside the input; ASan flags any read past it.
    (void)(*file)->Find(t.name);
    // Reading with the tensor's own shape exercises the conversions; every byte read
    // belongs to the input, so the allocation is bounded by the input size.
    auto values = (*file)->ReadFloat32(t.name, t.shape);
    if (values.ok() && !values->empty()) {
      volatile float sink = values->front() + values->back();
      (void)sink;
    }
    // A mismatched shape must be an error, not a read.
    std::vector<int64_t> wrong = t.shape;
    wrong.push_back(1);
    (void)(*file)->ReadFloat32(t.name, wrong);
  }
  return 0;
}
