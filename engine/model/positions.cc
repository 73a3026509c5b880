#include "engine/model/positions.h"

#include <cmath>
#include <utility>

#include "engine/core/status_macros.h"

namespace tserve::engine {

std::vector<float> SinusoidalPositions(int64_t num_positions, int64_t width) {
  std::vector<float> table(static_cast<size_t>(num_positions * width));
  const int64_t sin_columns = (width + 1) / 2;
  for (int64_t pos = 0; pos < num_positions; ++pos) {
    float* row = table.data() + pos * width;
    for (int64_t j = 0; j < width; ++j) {
      const double angle =
          static_cast<double>(pos) /
          std::pow(10000.0, 2.0 * static_cast<double>(j / 2) / static_cast<double>(width));
      // Even j fill the sine half in order, odd j the cosine half.
      if (j % 2 == 0) {
        row[j / 2] = static_cast<float>(std::sin(angle));
      } else {
        row[sin_columns + j / 2] = static_cast<float>(std::cos(angle));
      }
    }
  }
  return table;
}

std::vector<float> OffsetSinusoidalPositions(int64_t num_positions, int64_t width,
                                             int64_t pad_row) {
  std::vector<float> table(static_cast<size_t>(num_positions * width), 0.f);
  const int64_t half = width / 2;
  // transformers: emb = exp(arange(half) * -(ln(10000) / (half - 1))) in float32, the
  // Python scalar rounded to float32 first; then float(p) * emb, then sin / cos.
  const float step = static_cast<float>(std::log(10000.0) / static_cast<double>(half - 1));
  std::vector<float> frequency(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i) {
    frequency[i] = std::exp(static_cast<float>(i) * -step);
  }
  for (int64_t pos = 0; pos < num_positions; ++pos) {
    if (pos == pad_row) continue;
    float* row = table.data() + pos * width;
    for (int64_t i = 0; i < half; ++i) {
      const float angle = static_cast<float>(pos) * frequency[i];
      row[i] = std::sin(angle);
      row[half + i] = std::cos(angle);
    }
  }
  return table;
}

absl::StatusOr<PositionTable> PositionTable::Load(const WeightLoader& weights,
                                                  const std::string& name,
                                                  const ModelConfig& config) {
  PositionTable t;
  t.kind_ = config.architecture.positions;
  t.pad_ = static_cast<int32_t>(config.pad_token_id);
  const PositionTableLayout layout =
      PositionLayout(t.kind_, config.max_position_embeddings, config.pad_token_id);
  t.offset_ = layout.offset;
  switch (t.kind_) {
    case PositionKind::kSinusoidal:
      if (weights.Has(name)) {
        TSERVE_ASSIGN_OR_RETURN(t.table_, weights.Read(name, {layout.rows, config.d_model}));
      } else {
        t.table_ = SinusoidalPositions(layout.rows, config.d_model);
      }
      break;
    case PositionKind::kOffsetSinusoidal:
      t.table_ = OffsetSinusoidalPositions(layout.rows, config.d_model, config.pad_token_id);
      break;
    case PositionKind::kLearned: {
      TSERVE_ASSIGN_OR_RETURN(t.table_, weights.Read(name, {layout.rows, config.d_model}));
      break;
    }
    case PositionKind::kNone:
      break;
  }
  return t;
}

void PositionTable::Rows(absl::Span<const int32_t> ids, int64_t first, int64_t earlier_non_pad,
                         int32_t* rows) const {
  if (kind_ != PositionKind::kOffsetSinusoidal) {
    for (size_t i = 0; i < ids.size(); ++i) {
      rows[i] = static_cast<int32_t>(offset_ + first + static_cast<int64_t>(i));
    }
    return;
  }
  // transformers: cumsum(ids != pad) · (ids != pad) + pad, plus the cached length.
  int64_t count = earlier_non_pad;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == pad_) {
      rows[i] = pad_;
    } else {
      ++count;
      rows[i] = static_cast<int32_t>(pad_ + count);
    }
  }
}

}  // namespace tserve::engine
