#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Early-return helpers for absl::Status / absl::StatusOr (Abseil's own are
// not public in the packaged version).
#define TSERVE_RETURN_IF_ERROR(expr)              \
  do {                                            \
    if (absl::Status _st = (expr); !_st.ok()) {   \
      return _st;                                 \
    }                                             \
  } while (0)

#define TSERVE_CONCAT_INNER(a, b) a##b
#define TSERVE_CONCAT(a, b) TSERVE_CONCAT_INNER(a, b)

#define TSERVE_ASSIGN_OR_RETURN(lhs, expr) \
  TSERVE_ASSIGN_OR_RETURN_IMPL(TSERVE_CONCAT(_statusor_, __LINE__), lhs, expr)

#define TSERVE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
