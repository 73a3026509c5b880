// Reader of the data.pkl that torch.save() writes for a state dict (the zip
// serialization of PyTorch 1.6 and later). It is not an unpickler: it knows the
// handful of opcodes and globals that a dict of tensors needs, builds plain data
// from them and refuses everything else, so a checkpoint can never run code.
// Tensors come out as descriptions (storage key, dtype, offset, shape, stride); the
// bytes stay in the archive's data/<key> entries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tserve::engine {

// One tensor of the state dict, as torch._utils._rebuild_tensor_v2 describes it.
struct PickledTensor {
  std::string name;
  // The storage: the archive entry data/<storage_key>, `storage_numel` elements of
  // `dtype`. Tensors that are views of one storage share its key.
  std::string storage_key;
  // The safetensors name of the storage's element type: "F32", "F16", "BF16", and
  // for the other storage types "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", so
  // that a tensor the model does not use (e.g. an int64 buffer) does not stop the
  // checkpoint from loading.
  std::string dtype;
  int64_t storage_numel = 0;
  int64_t storage_offset = 0;  // in elements
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;  // in elements
};

// Bounds on what a pickle may make the reader allocate, whatever its size (at
// most about 100 MB): a state dict needs about ten objects and thirty references
// per tensor, so these allow some 100,000 tensors.
inline constexpr int64_t kMaxPickleObjects = int64_t{1} << 20;
// References held on the stack, in the memo and in containers, counted over the
// whole parse.
inline constexpr int64_t kMaxPickleReferences = int64_t{1} << 22;

// Parses `pickle`, which must evaluate to a dict of tensor name -> tensor. A dict
// whose values are not all tensors is unwrapped when its "state_dict" or else its
// "model" entry is such a dict (training checkpoints wrap the state dict so);
// otherwise it is refused. Tensors come in the dict's order; a name given twice
// keeps its last tensor, as Python's dict does. Errors say what is wrong and, for
// the byte stream, at which offset.
absl::StatusOr<std::vector<PickledTensor>> ParseStateDictPickle(std::string_view pickle);

}  // namespace tserve::engine
