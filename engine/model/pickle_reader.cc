#include "engine/model/pickle_reader.h"

#include <bit>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/status_macros.h"
#include "engine/model/pickle_opcodes.h"

namespace tserve::engine {
namespace {

// absl::string_view is its own type in Debian's Abseil, not std::string_view.
std::string Escaped(std::string_view text) {
  return absl::CHexEscape(absl::string_view(text.data(), text.size()));
}

// What a global may stand for. Nothing else is ever looked up or called.
enum class Callable {
  kOrderedDict,
  kRebuildTensor,
  kRebuildParameter,
  kRebuildParameterWithState,
  kStorageType,
};

struct AllowedGlobal {
  std::string_view module;
  std::string_view name;
  Callable callable;
  std::string_view dtype;  // for storage types
};

constexpr AllowedGlobal kAllowedGlobals[] = {
    {"collections", "OrderedDict", Callable::kOrderedDict, ""},
    {"torch._utils", "_rebuild_tensor_v2", Callable::kRebuildTensor, ""},
    {"torch._utils", "_rebuild_parameter", Callable::kRebuildParameter, ""},
    {"torch._utils", "_rebuild_parameter_with_state", Callable::kRebuildParameterWithState, ""},
    {"torch", "FloatStorage", Callable::kStorageType, "F32"},
    {"torch", "HalfStorage", Callable::kStorageType, "F16"},
    {"torch", "BFloat16Storage", Callable::kStorageType, "BF16"},
    {"torch", "DoubleStorage", Callable::kStorageType, "F64"},
    {"torch", "LongStorage", Callable::kStorageType, "I64"},
    {"torch", "IntStorage", Callable::kStorageType, "I32"},
    {"torch", "ShortStorage", Callable::kStorageType, "I16"},
    {"torch", "CharStorage", Callable::kStorageType, "I8"},
    {"torch", "ByteStorage", Callable::kStorageType, "U8"},
    {"torch", "BoolStorage", Callable::kStorageType, "BOOL"},
};

constexpr std::string_view kAllowedGlobalsText =
    "collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
    "torch._utils._rebuild_parameter, torch._utils._rebuild_parameter_with_state and the torch "
    "storage types (FloatStorage, HalfStorage, BFloat16Storage, ...)";

enum class Kind {
  kNone,
  kBool,
  kInt,
  kFloat,
  kString,
  kTuple,
  kList,
  kDict,
  kGlobal,
  kStorage,
  kTensor
};

constexpr const char* kKindNames[] = {"None", "bool", "int",    "float",   "str",   "tuple",
                                      "list", "dict", "global", "storage", "tensor"};

const char* KindName(Kind kind) { return kKindNames[static_cast<int>(kind)]; }

// "an int", "a list", "None": for messages.
std::string Described(Kind kind) {
  if (kind == Kind::kNone) return "None";
  return absl::StrCat(kind == Kind::kInt ? "an " : "a ", KindName(kind));
}

// A value built by the pickle. Values live in the parser's arena and refer to
// each other by pointer, so shared and even cyclic references cost nothing. The
// fields are few and reused per kind: a pickle may make up to kMaxPickleObjects.
struct Value {
  explicit Value(Kind k, int64_t n = 0) : kind(k), number(n) {}
  Kind kind;
  // kBool, kInt: the value; kStorage: its number of elements; kTensor: its
  // storage offset.
  int64_t number;
  double real = 0;        // kFloat
  std::string_view text;  // kString (points into the pickle); kStorage: its key
  // kTuple, kList: the items; kDict: key, value, key, value, ...; kTensor: its
  // storage, size tuple and stride tuple.
  std::vector<Value*> items;
  // kGlobal: what it stands for; kStorage: its storage type (for the dtype).
  const AllowedGlobal* global = nullptr;
};

bool IsInt(const Value* v) { return v->kind == Kind::kInt; }

// The ints of a tuple (a tensor's size or stride); nullopt when it is not one.
std::optional<std::vector<int64_t>> IntTuple(const Value* v) {
  if (v->kind != Kind::kTuple) return std::nullopt;
  std::vector<int64_t> out;
  out.reserve(v->items.size());
  for (const Value* item : v->items) {
    if (!IsInt(item)) return std::nullopt;
    out.push_back(item->number);
  }
  return out;
}

// Runs the opcodes of a pickle over a stack of Values, as Python's unpickler
// does, but only those a state dict needs and with only the allowed globals.
class Parser {
 public:
  explicit Parser(std::string_view pickle) : pickle_(pickle) {}

  // The value the pickle evaluates to.
  absl::StatusOr<Value*> Run();

 private:
  // Runs the opcode at op_offset_; sets `stop` on STOP.
  absl::Status Step(uint8_t op, bool& stop);

  // Errors about the byte stream name the opcode being run and its offset.
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " (opcode ", pickle_op::Describe(static_cast<uint8_t>(pickle_[op_offset_])),
        " at offset ", op_offset_, ")"));
  }

  // The opcode's argument bytes.
  absl::StatusOr<std::string_view> Take(uint64_t n);
  // A little-endian unsigned integer of `bytes` bytes (at most 8).
  absl::StatusOr<uint64_t> TakeUnsigned(size_t bytes);
  absl::StatusOr<std::string_view> TakeLine();

  absl::Status CountReference();
  absl::StatusOr<Value*> New(Kind kind);
  absl::Status Push(Value* v);
  absl::StatusOr<Value*> Pop();
  absl::StatusOr<Value*> Top();
  // Removes the values above the last mark and the mark itself.
  absl::StatusOr<std::vector<Value*>> PopToMark();
  absl::Status PushInt(int64_t number);
  absl::Status PushString(uint64_t length);
  absl::Status PushGlobal(std::string_view module, std::string_view name);
  absl::Status PushTuple(std::vector<Value*> items);
  absl::Status Remember(uint64_t index);
  absl::Status Recall(uint64_t index);
  absl::Status SetItems(const std::vector<Value*>& pairs);
  absl::Status Append(const std::vector<Value*>& items);
  absl::Status Reduce();
  absl::StatusOr<Value*> RebuildTensor(const std::vector<Value*>& args);
  absl::Status Build();
  absl::Status PersistentLoad();

  std::string_view pickle_;
  uint64_t pos_ = 0;
  uint64_t op_offset_ = 0;
  std::deque<Value> arena_;
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Value*> memo_;
  std::unordered_map<std::string_view, Value*> storages_;  // by key
  int64_t references_ = 0;
  Value none_{Kind::kNone};
  Value true_{Kind::kBool, 1};
  Value false_{Kind::kBool, 0};
};

absl::StatusOr<std::string_view> Parser::Take(uint64_t n) {
  if (n > pickle_.size() - pos_) {
    return Error(absl::StrFormat("truncated: %d bytes of argument needed, %d left", n,
                                 pickle_.size() - pos_));
  }
  std::string_view out = pickle_.substr(pos_, n);
  pos_ += n;
  return out;
}

absl::StatusOr<uint64_t> Parser::TakeUnsigned(size_t bytes) {
  TSERVE_ASSIGN_OR_RETURN(std::string_view data, Take(bytes));
  uint64_t v = 0;
  std::memcpy(&v, data.data(), bytes);  // little-endian, like the pickle
  return v;
}

absl::StatusOr<std::string_view> Parser::TakeLine() {
  const size_t end = pickle_.find('\n', pos_);
  if (end == std::string_view::npos) return Error("truncated: no end of line");
  std::string_view line = pickle_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return line;
}

absl::Status Parser::CountReference() {
  if (++references_ > kMaxPickleReferences) {
    return Error(absl::StrFormat("more than %d references; a state dict needs far fewer",
                                 kMaxPickleReferences));
  }
  return absl::OkStatus();
}

absl::StatusOr<Value*> Parser::New(Kind kind) {
  if (static_cast<int64_t>(arena_.size()) >= kMaxPickleObjects) {
    return Error(
        absl::StrFormat("more than %d objects; a state dict needs far fewer", kMaxPickleObjects));
  }
  return &arena_.emplace_back(kind);
}

absl::Status Parser::Push(Value* v) {
  TSERVE_RETURN_IF_ERROR(CountReference());
  stack_.push_back(v);
  return absl::OkStatus();
}

absl::StatusOr<Value*> Parser::Top() {
  if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) {
    return Error("stack underflow");
  }
  return stack_.back();
}

absl::StatusOr<Value*> Parser::Pop() {
  TSERVE_ASSIGN_OR_RETURN(Value * v, Top());
  stack_.pop_back();
  return v;
}

absl::StatusOr<std::vector<Value*>> Parser::PopToMark() {
  if (marks_.empty()) return Error("no MARK before it");
  const size_t mark = marks_.back();
  marks_.pop_back();
  std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
  stack_.resize(mark);
  return items;
}

absl::Status Parser::PushInt(int64_t number) {
  TSERVE_ASSIGN_OR_RETURN(Value * v, New(Kind::kInt));
  v->number = number;
  return Push(v);
}

absl::Status Parser::PushString(uint64_t length) {
  TSERVE_ASSIGN_OR_RETURN(std::string_view text, Take(length));
  TSERVE_ASSIGN_OR_RETURN(Value * v, New(Kind::kString));
  v->text = text;
  return Push(v);
}

absl::Status Parser::PushGlobal(std::string_view module, std::string_view name) {
  for (const AllowedGlobal& g : kAllowedGlobals) {
    if (g.module == module && g.name == name) {
      TSERVE_ASSIGN_OR_RETURN(Value * v, New(Kind::kGlobal));
      v->global = &g;
      return Push(v);
    }
  }
  return Error(absl::StrFormat(
      "global '%s %s' is not allowed: a state dict needs only %s; the checkpoint may try to run "
      "code",
      Escaped(module), Escaped(name), kAllowedGlobalsText));
}

absl::Status Parser::PushTuple(std::vector<Value*> items) {
  TSERVE_ASSIGN_OR_RETURN(Value * v, New(Kind::kTuple));
  v->items = std::move(items);
  return Push(v);
}

absl::Status Parser::Remember(uint64_t index) {
  TSERVE_ASSIGN_OR_RETURN(Value * top, Top());
  TSERVE_RETURN_IF_ERROR(CountReference());
  memo_[index] = top;
  return absl::OkStatus();
}

absl::Status Parser::Recall(uint64_t index) {
  auto it = memo_.find(index);
  if (it == memo_.end()) return Error(absl::StrFormat("memo entry %d was never stored", index));
  return Push(it->second);
}

absl::Status Parser::SetItems(const std::vector<Value*>& pairs) {
  if (pairs.size() % 2 != 0) return Error("odd number of values: a key without its value");
  TSERVE_ASSIGN_OR_RETURN(Value * dict, Top());
  if (dict->kind != Kind::kDict) {
    return Error(absl::StrCat("items set on ", Described(dict->kind), ", not a dict"));
  }
  dict->items.insert(dict->items.end(), pairs.begin(), pairs.end());
  return absl::OkStatus();
}

absl::Status Parser::Append(const std::vector<Value*>& items) {
  TSERVE_ASSIGN_OR_RETURN(Value * list, Top());
  if (list->kind != Kind::kList) {
    return Error(absl::StrCat("appends to ", Described(list->kind), ", not a list"));
  }
  list->items.insert(list->items.end(), items.begin(), items.end());
  return absl::OkStatus();
}

absl::Status Parser::Reduce() {
  TSERVE_ASSIGN_OR_RETURN(Value * args, Pop());
  TSERVE_ASSIGN_OR_RETURN(Value * callable, Pop());
  if (callable->kind != Kind::kGlobal) {
    return Error(absl::StrCat("calls ", Described(callable->kind), ", not a function"));
  }
  const AllowedGlobal& global = *callable->global;
  if (global.callable == Callable::kStorageType) {
    return Error(
        absl::StrFormat("calls torch.%s; storages come only from persistent ids", global.name));
  }
  if (args->kind != Kind::kTuple) {
    return Error(absl::StrCat("arguments are ", Described(args->kind), ", not a tuple"));
  }
  const std::vector<Value*>& a = args->items;
  switch (global.callable) {
    case Callable::kOrderedDict: {
      if (!a.empty()) return Error("OrderedDict is called with arguments");
      TSERVE_ASSIGN_OR_RETURN(Value * dict, New(Kind::kDict));
      return Push(dict);
    }
    case Callable::kRebuildTensor: {
      TSERVE_ASSIGN_OR_RETURN(Value * tensor, RebuildTensor(a));
      return Push(tensor);
    }
    case Callable::kRebuildParameter:
    case Callable::kRebuildParameterWithState: {
      // (data, requires_grad, backward_hooks[, state]): the parameter is its data.
      const size_t arity = global.callable == Callable::kRebuildParameter ? 3 : 4;
      if (a.size() != arity || a[0]->kind != Kind::kTensor) {
        return Error(
            absl::StrFormat("%s takes %d arguments, the first a tensor", global.name, arity));
      }
      return Push(a[0]);
    }
    case Callable::kStorageType:
      break;
  }
  return absl::InternalError("unreachable: storage types are refused above");
}

// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
// backward_hooks[, metadata]).
absl::StatusOr<Value*> Parser::RebuildTensor(const std::vector<Value*>& args) {
  if (args.size() != 6 && args.size() != 7) {
    return Error(absl::StrFormat("_rebuild_tensor_v2 takes 6 or 7 arguments, got %d", args.size()));
  }
  if (args[0]->kind != Kind::kStorage) {
    return Error(absl::StrCat("_rebuild_tensor_v2: the storage is ", Described(args[0]->kind)));
  }
  const std::optional<std::vector<int64_t>> shape = IntTuple(args[2]);
  const std::optional<std::vector<int64_t>> stride = IntTuple(args[3]);
  if (!IsInt(args[1]) || !shape || !stride || shape->size() != stride->size()) {
    return Error(
        "_rebuild_tensor_v2: storage offset, size and stride must be an int and two tuples of "
        "ints of the same length");
  }
  if (args[1]->number < 0) {
    return Error(
        absl::StrFormat("_rebuild_tensor_v2: negative storage offset %d", args[1]->number));
  }
  for (int64_t d : *shape) {
    if (d < 0) return Error(absl::StrFormat("_rebuild_tensor_v2: negative dimension %d", d));
  }
  if (args[4]->kind != Kind::kBool || args[5]->kind != Kind::kDict ||
      (args.size() == 7 && args[6]->kind != Kind::kDict && args[6]->kind != Kind::kNone)) {
    return Error(
        "_rebuild_tensor_v2: requires_grad, backward_hooks and metadata must be a bool, a dict "
        "and a dict or None");
  }
  TSERVE_ASSIGN_OR_RETURN(Value * tensor, New(Kind::kTensor));
  tensor->number = args[1]->number;
  tensor->items = {args[0], args[2], args[3]};
  return tensor;
}

// BUILD sets an object's state. The only object a state dict builds is the
// OrderedDict returned by Module.state_dict(), whose state is its _metadata
// attribute (module versions), which the weights do not depend on.
absl::Status Parser::Build() {
  TSERVE_ASSIGN_OR_RETURN(Value * state, Pop());
  TSERVE_ASSIGN_OR_RETURN(Value * target, Top());
  if (target->kind != Kind::kDict || (state->kind != Kind::kDict && state->kind != Kind::kNone)) {
    return Error(absl::StrCat("sets the state of ", Described(target->kind), " from ",
                              Described(state->kind),
                              "; only an OrderedDict's attributes can be set"));
  }
  return absl::OkStatus();
}

// Persistent ids are ('storage', storage type, key, location, numel). A storage
// met again (a view of it) is the same Value.
absl::Status Parser::PersistentLoad() {
  TSERVE_ASSIGN_OR_RETURN(Value * pid, Pop());
  const std::vector<Value*>& f = pid->items;
  if (pid->kind != Kind::kTuple || f.size() != 5 || f[0]->kind != Kind::kString ||
      f[0]->text != "storage" || f[1]->kind != Kind::kGlobal ||
      f[1]->global->callable != Callable::kStorageType || f[2]->kind != Kind::kString ||
      f[3]->kind != Kind::kString || !IsInt(f[4])) {
    return Error(
        "persistent id is not ('storage', storage type, key, location, number of elements)");
  }
  const AllowedGlobal* type = f[1]->global;
  const std::string_view key = f[2]->text;
  const int64_t numel = f[4]->number;
  if (numel < 0) {
    return Error(absl::StrFormat("storage '%s' has a negative size %d", Escaped(key), numel));
  }
  if (auto it = storages_.find(key); it != storages_.end()) {
    const Value* seen = it->second;
    if (seen->global != type || seen->number != numel) {
      return Error(
          absl::StrFormat("storage '%s' is declared as %d elements of %s and as %d elements of %s",
                          Escaped(key), seen->number, seen->global->dtype, numel, type->dtype));
    }
    return Push(it->second);
  }
  TSERVE_ASSIGN_OR_RETURN(Value * storage, New(Kind::kStorage));
  storage->text = key;
  storage->global = type;
  storage->number = numel;
  storages_.emplace(key, storage);
  return Push(storage);
}

absl::Status Parser::Step(uint8_t op, bool& stop) {
  namespace o = pickle_op;
  switch (op) {
    case o::kProto: {
      TSERVE_ASSIGN_OR_RETURN(uint64_t version, TakeUnsigned(1));
      if (version > 5) return Error(absl::StrFormat("unknown pickle protocol %d", version));
      return absl::OkStatus();
    }
    case o::kFrame: {  // a hint for buffered readers; the whole pickle is here
      TSERVE_ASSIGN_OR_RETURN(uint64_t length, TakeUnsigned(8));
      if (length > pickle_.size() - pos_) {
        return Error(absl::StrFormat("truncated: frame of %d bytes, %d left", length,
                                     pickle_.size() - pos_));
      }
      return absl::OkStatus();
    }
    case o::kStop:
      stop = true;
      return absl::OkStatus();
    case o::kMark:
      TSERVE_RETURN_IF_ERROR(CountReference());
      marks_.push_back(stack_.size());
      return absl::OkStatus();
    case o::kEmptyDict:
    case o::kEmptyList:
    case o::kEmptyTuple: {
      const Kind kind = op == o::kEmptyDict   ? Kind::kDict
                        : op == o::kEmptyList ? Kind::kList
                                              : Kind::kTuple;
      TSERVE_ASSIGN_OR_RETURN(Value * v, New(kind));
      return Push(v);
    }
    case o::kTuple: {
      TSERVE_ASSIGN_OR_RETURN(std::vector<Value*> items, PopToMark());
      return PushTuple(std::move(items));
    }
    case o::kTuple1:
    case o::kTuple2:
    case o::kTuple3: {
      std::vector<Value*> items(static_cast<size_t>(op - o::kTuple1 + 1));
      for (size_t i = items.size(); i-- > 0;) {
        TSERVE_ASSIGN_OR_RETURN(items[i], Pop());
      }
      return PushTuple(std::move(items));
    }
    case o::kBinInt: {
      TSERVE_ASSIGN_OR_RETURN(uint64_t bits, TakeUnsigned(4));
      return PushInt(static_cast<int32_t>(static_cast<uint32_t>(bits)));
    }
    case o::kBinInt1:
    case o::kBinInt2: {
      TSERVE_ASSIGN_OR_RETURN(uint64_t v, TakeUnsigned(op == o::kBinInt1 ? 1 : 2));
      return PushInt(static_cast<int64_t>(v));
    }
    case o::kLong1: {  // n bytes of two's complement, little-endian
      TSERVE_ASSIGN_OR_RETURN(uint64_t n, TakeUnsigned(1));
      if (n > 8) return Error(absl::StrFormat("%d-byte integer does not fit in 64 bits", n));
      TSERVE_ASSIGN_OR_RETURN(uint64_t bits, TakeUnsigned(n));
      if (n > 0 && n < 8 && (bits >> (8 * n - 1)) != 0) bits |= ~uint64_t{0} << (8 * n);
      return PushInt(static_cast<int64_t>(bits));
    }
    case o::kNone:
      return Push(&none_);
    case o::kNewTrue:
      return Push(&true_);
    case o::kNewFalse:
      return Push(&false_);
    case o::kBinFloat: {  // big-endian
      TSERVE_ASSIGN_OR_RETURN(uint64_t bits, TakeUnsigned(8));
      TSERVE_ASSIGN_OR_RETURN(Value * v, New(Kind::kFloat));
      v->real = std::bit_cast<double>(__builtin_bswap64(bits));
      return Push(v);
    }
    case o::kShortBinUnicode:
    case o::kShortBinString:
    case o::kBinUnicode:
    case o::kBinUnicode8: {
      const size_t width = op == o::kBinUnicode ? 4 : op == o::kBinUnicode8 ? 8 : 1;
      TSERVE_ASSIGN_OR_RETURN(uint64_t length, TakeUnsigned(width));
      return PushString(length);
    }
    case o::kBinString: {  // a signed length
      TSERVE_ASSIGN_OR_RETURN(uint64_t bits, TakeUnsigned(4));
      const int32_t length = static_cast<int32_t>(static_cast<uint32_t>(bits));
      if (length < 0) return Error(absl::StrFormat("negative string length %d", length));
      return PushString(static_cast<uint64_t>(length));
    }
    case o::kBinPut:
    case o::kLongBinPut: {
      TSERVE_ASSIGN_OR_RETURN(uint64_t index, TakeUnsigned(op == o::kBinPut ? 1 : 4));
      return Remember(index);
    }
    case o::kMemoize:
      return Remember(memo_.size());
    case o::kBinGet:
    case o::kLongBinGet: {
      TSERVE_ASSIGN_OR_RETURN(uint64_t index, TakeUnsigned(op == o::kBinGet ? 1 : 4));
      return Recall(index);
    }
    case o::kSetItem: {
      TSERVE_ASSIGN_OR_RETURN(Value * value, Pop());
      TSERVE_ASSIGN_OR_RETURN(Value * key, Pop());
      return SetItems({key, value});
    }
    case o::kSetItems: {
      TSERVE_ASSIGN_OR_RETURN(std::vector<Value*> pairs, PopToMark());
      return SetItems(pairs);
    }
    case o::kAppend: {
      TSERVE_ASSIGN_OR_RETURN(Value * item, Pop());
      return Append({item});
    }
    case o::kAppends: {
      TSERVE_ASSIGN_OR_RETURN(std::vector<Value*> items, PopToMark());
      return Append(items);
    }
    case o::kGlobal: {
      TSERVE_ASSIGN_OR_RETURN(std::string_view module, TakeLine());
      TSERVE_ASSIGN_OR_RETURN(std::string_view name, TakeLine());
      return PushGlobal(module, name);
    }
    case o::kStackGlobal: {
      TSERVE_ASSIGN_OR_RETURN(Value * name, Pop());
      TSERVE_ASSIGN_OR_RETURN(Value * module, Pop());
      if (module->kind != Kind::kString || name->kind != Kind::kString) {
        return Error("module and name must be strings");
      }
      return PushGlobal(module->text, name->text);
    }
    case o::kReduce:
      return Reduce();
    case o::kBuild:
      return Build();
    case o::kBinPersId:
      return PersistentLoad();
    default:
      return absl::InvalidArgumentError(absl::StrFormat(
          "opcode %s at offset %d is not allowed: a state dict needs only dicts, tuples, "
          "numbers, strings and tensors",
          pickle_op::Describe(op), op_offset_));
  }
}

absl::StatusOr<Value*> Parser::Run() {
  bool stop = false;
  while (!stop) {
    if (pos_ >= pickle_.size()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "truncated: the pickle ends at offset %d without a STOP opcode", pickle_.size()));
    }
    op_offset_ = pos_++;
    TSERVE_RETURN_IF_ERROR(Step(static_cast<uint8_t>(pickle_[op_offset_]), stop));
  }
  return Pop();
}

// The value of `key` in `dict` (key, value, key, value, ...), or nullptr.
const Value* Lookup(const Value* dict, std::string_view key) {
  for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const Value* k = dict->items[i];
    if (k->kind == Kind::kString && k->text == key) return dict->items[i + 1];
  }
  return nullptr;
}

// The index of the first value of `dict` that is not a tensor, or -1.
std::ptrdiff_t FirstNonTensor(const Value* dict) {
  for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    if (dict->items[i + 1]->kind != Kind::kTensor) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

// The state dict within `root`: itself when all its values are tensors, else its
// "state_dict" or "model" entry when that one is.
absl::StatusOr<const Value*> FindStateDict(const Value* root) {
  if (root->kind != Kind::kDict) {
    return absl::InvalidArgumentError(absl::StrCat("the pickle holds ", Described(root->kind),
                                                   ", not a dict of tensors; save "
                                                   "model.state_dict()"));
  }
  const std::ptrdiff_t bad = FirstNonTensor(root);
  if (bad < 0) return root;
  for (std::string_view wrapper : {"state_dict", "model"}) {
    const Value* inner = Lookup(root, wrapper);
    if (inner != nullptr && inner->kind == Kind::kDict && FirstNonTensor(inner) < 0) return inner;
  }
  const Value* key = root->items[static_cast<size_t>(bad)];
  const Value* value = root->items[static_cast<size_t>(bad) + 1];
  const std::string key_text = key->kind == Kind::kString
                                   ? absl::StrCat("'", Escaped(key->text), "'")
                                   : absl::StrCat("of type ", KindName(key->kind));
  return absl::InvalidArgumentError(absl::StrCat(
      "the pickle is not a state dict: key ", key_text, " holds ", Described(value->kind),
      ", not a tensor, and there is no 'state_dict' or 'model' dict of tensors; save "
      "model.state_dict()"));
}

}  // namespace

absl::StatusOr<std::vector<PickledTensor>> ParseStateDictPickle(std::string_view pickle) {
  Parser parser(pickle);
  TSERVE_ASSIGN_OR_RETURN(Value * root, parser.Run());
  TSERVE_ASSIGN_OR_RETURN(const Value* dict, FindStateDict(root));

  std::vector<PickledTensor> tensors;
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const Value* key = dict->items[i];
    const Value* tensor = dict->items[i + 1];
    if (key->kind != Kind::kString) {
      return absl::InvalidArgumentError(absl::StrCat("the state dict has a key of type ",
                                                     KindName(key->kind), "; names are strings"));
    }
    const Value* storage = tensor->items[0];
    PickledTensor t;
    t.name = std::string(key->text);
    t.storage_key = std::string(storage->text);
    t.dtype = std::string(storage->global->dtype);
    t.storage_numel = storage->number;
    t.storage_offset = tensor->number;
    t.shape = *IntTuple(tensor->items[1]);  // checked when the tensor was built
    t.stride = *IntTuple(tensor->items[2]);
    auto [it, inserted] = index.try_emplace(key->text, tensors.size());
    if (inserted) {
      tensors.push_back(std::move(t));
    } else {
      tensors[it->second] = std::move(t);  // a name given twice keeps its last tensor
    }
  }
  return tensors;
}

}  // namespace tserve::engine
