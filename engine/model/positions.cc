#include "engine/model/positions.h"

#include <cmath>

namespace tserve::engine {

std::vector<float> SinusoidalPositions(int64_t num_positions, int64_t width) {
  std::vector<float> table(static_cast<size_t>(num_positions * width));
  const int64_t sin_columns = (width + 1) / 2;
  for (int64_t pos = 0; pos < num_positions; ++pos) {
    float* row = table.data() + pos * width;
    for (int64_t j = 0; j < width; ++j) {
      const double angle =
          static_cast<double>(pos) / std::pow(10000.0, 2.0 * static_cast<double>(j / 2) /
                                                           static_cast<double>(width));
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

}  // namespace tserve::engine
