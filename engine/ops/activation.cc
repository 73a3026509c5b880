#include "engine/ops/activation.h"

namespace tserve::engine {

Epilogue EpilogueFor(Activation activation) {
  switch (activation) {
    case Activation::kRelu:
      return Epilogue::kRelu;
    case Activation::kSwish:
      return Epilogue::kSwish;
    case Activation::kGelu:
      return Epilogue::kGelu;
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
    case Epilogue::kAccumulate:
      return "accumulate";
  }
  return "?";
}

}  // namespace tserve::engine
