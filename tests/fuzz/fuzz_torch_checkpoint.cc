// libFuzzer target: the readers of pytorch_model.bin. An input starting with 'P'
// (as a zip does) is read as a whole checkpoint; any other as the data.pkl of
// one. Every input is also read as a bare zip archive. Each must give either a
// result or an error status: never a crash, a hang, a read outside the input or
// an allocation beyond the readers' limits.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/model/pickle_reader.h"
#include "engine/model/torch_checkpoint.h"
#include "engine/model/zip_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto archive = tserve::engine::ZipArchive::Parse(bytes, "<fuzz>");
  if (archive.ok()) {
    for (const tserve::engine::ZipEntry& e : archive->entries()) {
      // Entry data must lie inside the input; ASan flags any read past it.
      if (!e.data.empty()) {
        volatile char sink = e.data.front() ^ e.data.back();
        (void)sink;
      }
      (void)archive->Find(e.name);
    }
  }

  if (!bytes.empty() && bytes.front() == 'P') {
    auto checkpoint = tserve::engine::TorchCheckpoint::FromBytes(bytes);
    if (!checkpoint.ok()) return 0;
    for (const tserve::engine::TensorEntry& t : (*checkpoint)->tensors()) {
      // Every byte read belongs to the input, so the allocation is bounded by it.
      auto values = (*checkpoint)->ReadFloat32(t.name, t.shape);
      if (values.ok() && !values->empty()) {
        volatile float sink = values->front() + values->back();
        (void)sink;
      }
      std::vector<int64_t> wrong = t.shape;
      wrong.push_back(1);
      (void)(*checkpoint)->ReadFloat32(t.name, wrong);
    }
  } else {
    auto tensors = tserve::engine::ParseStateDictPickle(bytes);
    if (tensors.ok()) {
      for (const tserve::engine::PickledTensor& t : *tensors) {
        volatile size_t sink = t.name.size() + t.shape.size() + t.stride.size();
        (void)sink;
      }
    }
  }
  return 0;
}
