// Each op against a plain loop on random data, over the row counts the
// engine meets (1 row per decoder step up to encoder batches).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "engine/model/kv_cache.h"
#include "engine/model/positions.h"
#include "engine/ops/attention.h"
#include "engine/ops/best_token.h"
#include "engine/ops/embedding.h"
#include "engine/ops/layer_norm.h"
#include "engine/ops/linear.h"
#include "engine/ops/log_softmax.h"
#include "engine/ops/rms_norm.h"
#include "engine/ops/vector_math.h"
#include "engine/ops/vector_math_avx512.h"

namespace tserve::engine {
namespace {

std::vector<float> RandomVector(size_t n, uint32_t seed, float scale = 1.f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

float ReferenceSwish(float x) { return x / (1.f + std::exp(-x)); }
float ReferenceGelu(float x) { return 0.5f * x * (1.f + std::erf(x / std::sqrt(2.f))); }
// transformers' NewGELUActivation (gelu_new), in double.
float ReferenceGeluTanh(float x) {
  const double v = x;
  return static_cast<float>(0.5 * v *
                            (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v))));
}

// Rounds to bfloat16 as the packed weights do (nearest, ties to even).
float RoundToBfloat16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
  std::memcpy(&v, &bits, sizeof bits);
  return v;
}

float ApplyEpilogue(Epilogue epilogue, float acc, float addend) {
  switch (epilogue) {
    case Epilogue::kRelu:
      return std::max(acc, 0.f);
    case Epilogue::kSwish:
      return ReferenceSwish(acc);
    case Epilogue::kGelu:
      return ReferenceGelu(acc);
    case Epilogue::kGeluTanh:
      return ReferenceGeluTanh(acc);
    case Epilogue::kAccumulate:
      return acc + addend;
    case Epilogue::kNone:
      return acc;
  }
  return acc;
}

// The instruction sets this CPU runs: every Linear test runs on each, so an
// AVX-512 machine checks the AVX2 kernels too.
std::vector<gemm::Isa> SupportedIsas() {
  std::vector<gemm::Isa> isas;
  for (gemm::Isa isa : {gemm::Isa::kAvx2, gemm::Isa::kAvx512, gemm::Isa::kAmx}) {
    if (gemm::CpuSupports(isa)) isas.push_back(isa);
  }
  return isas;
}

class LinearTest : public ::testing::TestWithParam<std::tuple<gemm::Isa, ComputeType, Epilogue>> {};

// Float32 and bfloat16 against a plain loop over the same (rounded) weights;
// int8 against the float32 loop within the quantization error bound: each
// product is off by at most |x|·Δw + |w|·Δx + Δx·Δw, with Δw half a weight
// step (max|w_c| / 254) and Δx half an activation step (range(x_r) / 2L,
// L the kernels' activation levels).
TEST_P(LinearTest, MatchesPlainLoopForEveryRowCount) {
  const auto [isa, type, epilogue] = GetParam();
  const gemm::Kernels& kernels = gemm::KernelsFor(isa);
  const double levels = kernels.activation_levels;
  const int64_t in = 37, out = 40;  // in not a multiple of int8's depth step
  const auto weight = RandomVector(in * out, 1, 0.3f);
  const auto bias = RandomVector(out, 2);
  Linear linear(weight, bias, in, out, epilogue, type, &kernels);
  EXPECT_EQ(linear.compute_type(), type);
  for (int64_t rows : {1, 3, 13, 17, 64, 130, 300}) {
    const auto x = RandomVector(rows * in, 3 + static_cast<uint32_t>(rows));
    const auto addend = RandomVector(rows * out, 4);
    std::vector<float> y = addend;
    linear.Forward(x.data(), rows, y.data());
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x.data() + r * in;
      const float x_range = std::max(0.f, *std::max_element(xr, xr + in)) -
                            std::min(0.f, *std::min_element(xr, xr + in));
      for (int64_t o = 0; o < out; ++o) {
        const float* wo = weight.data() + o * in;
        const float w_max = std::abs(*std::max_element(
            wo, wo + in, [](float a, float b) { return std::abs(a) < std::abs(b); }));
        float acc = bias[o];
        double bound = 0;
        for (int64_t i = 0; i < in; ++i) {
          const float w = type == ComputeType::kBfloat16 ? RoundToBfloat16(wo[i]) : wo[i];
          acc += xr[i] * w;
          const double dw = w_max / 254.0, dx = x_range / (2 * levels);
          bound += std::abs(xr[i]) * dw + std::abs(wo[i]) * dx + dw * dx;
        }
        const float expected = ApplyEpilogue(epilogue, acc, addend[r * out + o]);
        // GELU and swish change a difference by at most ~1.13×.
        const double tolerance = type == ComputeType::kInt8 ? 1.15 * bound + 1e-4 : 1e-4;
        ASSERT_NEAR(y[r * out + o], expected, tolerance)
            << gemm::IsaName(isa) << " " << ComputeTypeName(type) << " rows " << rows << " r " << r
            << " o " << o;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    TypesAndEpilogues, LinearTest,
    ::testing::Combine(
        ::testing::ValuesIn(SupportedIsas()),
        ::testing::Values(ComputeType::kFloat32, ComputeType::kBfloat16, ComputeType::kInt8),
        ::testing::Values(Epilogue::kNone, Epilogue::kRelu, Epilogue::kSwish, Epilogue::kGelu,
                          Epilogue::kGeluTanh, Epilogue::kAccumulate)),
    [](const auto& param_info) {
      return std::string(gemm::IsaName(std::get<0>(param_info.param))) + "_" +
             std::string(ComputeTypeName(std::get<1>(param_info.param))) + "_" +
             std::string(EpilogueName(std::get<2>(param_info.param)));
    });

class LinearInvarianceTest : public ::testing::TestWithParam<std::tuple<gemm::Isa, ComputeType>> {};

// A row's result is bit-identical whatever the row count, its position in
// the batch and its neighbours: what batch invariance rests on.
TEST_P(LinearInvarianceTest, RowResultsAreBitIdenticalInAnyBatch) {
  const auto [isa, type] = GetParam();
  const int64_t in = 1301, out = 100;  // neither a multiple of a slice or a panel
  Linear linear(RandomVector(in * out, 11, 0.2f), RandomVector(out, 12), in, out, Epilogue::kSwish,
                type, &gemm::KernelsFor(isa));
  const auto probe = RandomVector(in, 13);
  std::vector<float> alone(out);
  linear.Forward(probe.data(), 1, alone.data());
  for (int64_t rows : {2, 3, 4, 5, 7, 12, 13, 25, 64, 129, 133, 300}) {
    for (int64_t position : {int64_t{0}, rows / 2, rows - 1}) {
      auto x = RandomVector(rows * in, 14 + static_cast<uint32_t>(rows), 3.f);
      std::copy(probe.begin(), probe.end(), x.begin() + position * in);
      std::vector<float> y(rows * out);
      linear.Forward(x.data(), rows, y.data());
      ASSERT_EQ(0, std::memcmp(y.data() + position * out, alone.data(), out * sizeof(float)))
          << rows << " rows, position " << position;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ComputeTypes, LinearInvarianceTest,
                         ::testing::Combine(::testing::ValuesIn(SupportedIsas()),
                                            ::testing::Values(ComputeType::kFloat32,
                                                              ComputeType::kBfloat16,
                                                              ComputeType::kInt8)),
                         [](const auto& param_info) {
                           return std::string(gemm::IsaName(std::get<0>(param_info.param))) + "_" +
                                  std::string(ComputeTypeName(std::get<1>(param_info.param)));
                         });

// int8 sums are exact, so kernel sets that quantize activations to the same
// levels (AVX-512 VNNI and AMX: 255) give bit-identical results, whatever the
// row count (AMX reads whole tiles of 16 rows, pads depth to 64) and the
// epilogue. A machine may then use either without changing a token.
TEST(LinearKernelsTest, Int8ResultsAreBitIdenticalAcrossKernelSetsWithTheSameLevels) {
  const std::vector<gemm::Isa> isas = SupportedIsas();
  const int64_t in = 1301, out = 100;
  const auto weight = RandomVector(in * out, 21, 0.2f);
  const auto bias = RandomVector(out, 22);
  int compared = 0;
  for (size_t i = 0; i < isas.size(); ++i) {
    for (size_t j = i + 1; j < isas.size(); ++j) {
      const gemm::Kernels& a = gemm::KernelsFor(isas[i]);
      const gemm::Kernels& b = gemm::KernelsFor(isas[j]);
      if (a.activation_levels != b.activation_levels) continue;
      ++compared;
      for (Epilogue epilogue : {Epilogue::kNone, Epilogue::kSwish}) {
        const Linear la(weight, bias, in, out, epilogue, ComputeType::kInt8, &a);
        const Linear lb(weight, bias, in, out, epilogue, ComputeType::kInt8, &b);
        for (int64_t rows : {1, 5, 16, 17, 33, 128, 129, 300}) {
          const auto x = RandomVector(rows * in, 23 + static_cast<uint32_t>(rows), 2.f);
          std::vector<float> ya(rows * out), yb(rows * out);
          la.Forward(x.data(), rows, ya.data());
          lb.Forward(x.data(), rows, yb.data());
          ASSERT_EQ(0, std::memcmp(ya.data(), yb.data(), ya.size() * sizeof(float)))
              << gemm::IsaName(isas[i]) << " vs " << gemm::IsaName(isas[j]) << ", " << rows
              << " rows";
        }
      }
    }
  }
  if (compared == 0) GTEST_SKIP() << "one kernel set with 255 activation levels on this CPU";
}

TEST(LayerNormTest, NormalisesEachRowInPlace) {
  const int64_t width = 37, rows = 9;
  const auto gamma = RandomVector(width, 5);
  const auto beta = RandomVector(width, 6);
  LayerNorm norm(gamma, beta, 1e-5f);
  const auto x = RandomVector(rows * width, 7, 3.f);
  std::vector<float> y = x;
  norm.Forward(y.data(), rows, y.data());
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < width; ++j) mean += x[r * width + j];
    mean /= width;
    for (int64_t j = 0; j < width; ++j) var += std::pow(x[r * width + j] - mean, 2);
    var /= width;
    for (int64_t j = 0; j < width; ++j) {
      const double expected =
          (x[r * width + j] - mean) / std::sqrt(var + 1e-5) * gamma[j] + beta[j];
      ASSERT_NEAR(y[r * width + j], expected, 1e-4);
    }
  }
}

TEST(RmsNormTest, ScalesEachRowByItsRootMeanSquare) {
  const int64_t width = 37, rows = 9;
  const auto weight = RandomVector(width, 5);
  RmsNorm norm(weight, 1e-6f);
  const auto x = RandomVector(rows * width, 7, 3.f);
  std::vector<float> y = x;
  norm.Forward(y.data(), rows, y.data());
  for (int64_t r = 0; r < rows; ++r) {
    double squares = 0;
    for (int64_t j = 0; j < width; ++j) squares += std::pow(x[r * width + j], 2);
    const double inv = 1.0 / std::sqrt(squares / width + 1e-6);
    for (int64_t j = 0; j < width; ++j) {
      ASSERT_NEAR(y[r * width + j], weight[j] * x[r * width + j] * inv, 1e-5);
    }
  }
  // A row alone gives the same bits as in a batch.
  std::vector<float> alone(x.begin() + 4 * width, x.begin() + 5 * width);
  norm.Forward(alone.data(), 1, alone.data());
  EXPECT_EQ(std::memcmp(alone.data(), y.data() + 4 * width, sizeof(float) * width), 0);
}

TEST(GatedActivationTest, MultipliesTheActivatedHalfByTheOther) {
  const int64_t width = 19, rows = 3;
  const auto x = RandomVector(rows * 2 * width, 12, 2.f);
  std::vector<float> out(rows * width);
  for (Activation act :
       {Activation::kGeluTanh, Activation::kGelu, Activation::kRelu, Activation::kSwish}) {
    GatedActivation(act, x.data(), rows, width, out.data());
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < width; ++c) {
        const float a = x[r * 2 * width + c];
        const float b = x[r * 2 * width + width + c];
        const float activated = act == Activation::kGeluTanh ? ReferenceGeluTanh(a)
                                : act == Activation::kGelu   ? ReferenceGelu(a)
                                : act == Activation::kRelu   ? std::max(a, 0.f)
                                                             : ReferenceSwish(a);
        ASSERT_NEAR(out[r * width + c], activated * b, 1e-5) << ActivationName(act);
      }
    }
  }
}

TEST(LogSoftmaxTest, RowsSumToOneAndMaskedStayMasked) {
  const int64_t width = 50, rows = 4;
  auto x = RandomVector(rows * width, 8, 5.f);
  x[7] = -std::numeric_limits<float>::infinity();
  LogSoftmax log_softmax(width);
  log_softmax.ForwardInPlace(x.data(), rows);
  EXPECT_EQ(x[7], -std::numeric_limits<float>::infinity());
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (int64_t j = 0; j < width; ++j) sum += std::exp(static_cast<double>(x[r * width + j]));
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

// Greedy's reduction against log-softmax: the same token (the first largest,
// ties included), log-probabilities within float rounding, masked entries
// ignored, and each row's result the same bits whatever rows it comes with.
TEST(BestTokenTest, AgreesWithLogSoftmaxAndDependsOnTheRowAlone) {
  const float kNegInf = -std::numeric_limits<float>::infinity();
  const int64_t width = 58101, rows = 7;
  auto x = RandomVector(rows * width, 11, 4.f);
  x[0 * width + 3] = kNegInf;                      // masked entries
  x[1 * width + 100] = x[1 * width + 200] = 40.f;  // a tie: the first wins
  x[2 * width + width - 1] = 50.f;                 // the best in the scalar tail
  x[3 * width + 5] = kNegInf;
  x[3 * width + 9] = 60.f;
  std::vector<BestToken> best(rows);
  FindBestTokens(x.data(), rows, width, best.data());

  auto logp = x;
  LogSoftmax(width).ForwardInPlace(logp.data(), rows);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = logp.data() + r * width;
    const int32_t expected = static_cast<int32_t>(std::max_element(row, row + width) - row);
    EXPECT_EQ(best[r].id, expected) << "row " << r;
    for (int32_t v : {best[r].id, int32_t{0}, int32_t{17}, static_cast<int32_t>(width - 1)}) {
      const float logit = x[r * width + v];
      if (logit == kNegInf) continue;
      EXPECT_NEAR(best[r].LogProb(logit), row[v], 1e-4f) << "row " << r << " token " << v;
    }
  }
  EXPECT_EQ(best[1].id, 100);
  EXPECT_EQ(best[2].id, width - 1);

  for (int64_t r = 0; r < rows; ++r) {
    BestToken alone;
    FindBestTokens(x.data() + r * width, 1, width, &alone);
    EXPECT_EQ(alone.id, best[r].id);
    EXPECT_EQ(std::memcmp(&alone.log_sum, &best[r].log_sum, sizeof(float)), 0) << "row " << r;
  }
}

// The AVX-512 row reductions against the AVX2 ones, with every tail length:
// the same maximum, and sums of the same exponentials within float rounding
// of the summation order (a masked -inf entry contributes nothing).
TEST(VectorMathTest, Avx512ReductionsAgreeWithTheAvx2Ones) {
  if (!gemm::CpuSupports(gemm::Isa::kAvx512)) GTEST_SKIP() << "no AVX-512 on this CPU";
  for (int64_t n : {1, 7, 15, 16, 17, 31, 32, 33, 100, 8000, 58101}) {
    auto x = RandomVector(n, 30 + static_cast<uint32_t>(n), 2.f);
    if (n > 3) x[3] = -std::numeric_limits<float>::infinity();
    x[n - 1] = 12.f;  // the largest (6 σ), in the tail when there is one
    EXPECT_EQ(avx512::Max(x.data(), n), Max(x.data(), n)) << n;
    EXPECT_EQ(avx512::Max(x.data(), n), 12.f) << n;
    double reference = 0;
    for (float v : x) reference += std::exp(static_cast<double>(v) - 12.0);
    const float avx2 = [&] {
      // The same exponential in AVX2, summed in order.
      std::vector<float> shifted = x;
      return ShiftedExpInPlace(shifted.data(), n, 12.f);
    }();
    EXPECT_NEAR(avx512::SumShiftedExp(x.data(), n, 12.f), reference, 2e-6 * reference) << n;
    EXPECT_NEAR(avx512::SumShiftedExp(x.data(), n, 12.f), avx2, 2e-6 * reference) << n;
  }
}

// (heads, head_dim): the head sizes with a register-resident kernel (32, 64,
// 128) and others.
class AttentionTest : public ::testing::TestWithParam<std::tuple<int64_t, int64_t>> {};

TEST_P(AttentionTest, MatchesSoftmaxOverOnlyTheCoveredRows) {
  const auto [heads, head_dim] = GetParam();
  const int64_t d = heads * head_dim;
  const int64_t stored = 12;  // rows present in memory; tasks cover a prefix
  const float scale = 1.f / std::sqrt(static_cast<float>(head_dim));
  const auto kv = RandomVector(stored * 2 * d, 9);
  const auto queries = RandomVector(4 * d, 10, scale);
  std::vector<float> out(4 * d, 0.f);
  std::vector<AttentionTask> tasks;
  const int64_t lengths[] = {1, 5, 12, 7};
  for (int t = 0; t < 4; ++t) {
    tasks.push_back(
        {queries.data() + t * d, kv.data(), kv.data() + d, 2 * d, lengths[t], out.data() + t * d});
  }
  MultiHeadAttention(tasks, heads, head_dim);
  for (int t = 0; t < 4; ++t) {
    for (int64_t h = 0; h < heads; ++h) {
      std::vector<double> p(lengths[t]);
      double max = -1e30, sum = 0;
      for (int64_t j = 0; j < lengths[t]; ++j) {
        double dot = 0;
        for (int64_t c = 0; c < head_dim; ++c) {
          dot += queries[t * d + h * head_dim + c] * kv[j * 2 * d + h * head_dim + c];
        }
        p[j] = dot;
        max = std::max(max, dot);
      }
      for (double& v : p) sum += (v = std::exp(v - max));
      for (int64_t c = 0; c < head_dim; ++c) {
        double expected = 0;
        for (int64_t j = 0; j < lengths[t]; ++j) {
          expected += p[j] / sum * kv[j * 2 * d + d + h * head_dim + c];
        }
        ASSERT_NEAR(out[t * d + h * head_dim + c], expected, 1e-5) << "task " << t;
      }
    }
  }
}

// T5: scores plus a per-head bias row, unscaled queries.
TEST_P(AttentionTest, AddsTheBiasOfEachHeadToItsScores) {
  const auto [heads, head_dim] = GetParam();
  const int64_t d = heads * head_dim;
  const int64_t length = 9;
  const auto kv = RandomVector(length * 2 * d, 21);
  const auto query = RandomVector(d, 22, 0.3f);
  const int64_t stride = length + 4;
  const auto bias = RandomVector(heads * stride, 23, 2.f);
  std::vector<float> out(d, 0.f);
  AttentionTask task{query.data(), kv.data(), kv.data() + d, 2 * d, length, out.data()};
  task.bias = bias.data();
  task.bias_head_stride = stride;
  MultiHeadAttention({&task, 1}, heads, head_dim);
  for (int64_t h = 0; h < heads; ++h) {
    std::vector<double> p(length);
    double max = -1e30, sum = 0;
    for (int64_t j = 0; j < length; ++j) {
      double dot = bias[h * stride + j];
      for (int64_t c = 0; c < head_dim; ++c) {
        dot += query[h * head_dim + c] * kv[j * 2 * d + h * head_dim + c];
      }
      p[j] = dot;
      max = std::max(max, dot);
    }
    for (double& v : p) sum += (v = std::exp(v - max));
    for (int64_t c = 0; c < head_dim; ++c) {
      double expected = 0;
      for (int64_t j = 0; j < length; ++j)
        expected += p[j] / sum * kv[j * 2 * d + d + h * head_dim + c];
      ASSERT_NEAR(out[h * head_dim + c], expected, 1e-5) << "head " << h;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(HeadSizes, AttentionTest,
                         ::testing::Values(std::make_tuple(3, 8), std::make_tuple(2, 32),
                                           std::make_tuple(8, 64), std::make_tuple(2, 128),
                                           std::make_tuple(2, 40)));

// A table tied to the output projection is read from its panels: the same
// rows, bit for bit, as from the table in float32 and in bfloat16 storage;
// int8 panels (quantized) and a projection of another compute type are
// refused and the table stays.
TEST(EmbeddingTest, ReadsTiedRowsFromTheProjectionBitForBit) {
  const int64_t vocab = 70, width = 24;  // a partial last panel
  const auto table = std::make_shared<const std::vector<float>>(RandomVector(vocab * width, 40));
  const std::vector<float> positions = RandomVector(8 * width, 41);
  const std::vector<int32_t> ids = {0, 5, 31, 32, 69, 5};
  const std::vector<int32_t> at = {0, 1, 2, 3, 4, 7};
  for (auto [storage, type] : {std::pair{Embedding::Storage::kFloat32, ComputeType::kFloat32},
                               std::pair{Embedding::Storage::kBfloat16, ComputeType::kBfloat16}}) {
    Embedding from_table(table, width, 2.f, &positions, storage);
    Embedding from_projection(table, width, 2.f, &positions, storage);
    const Linear projection(*table, {}, width, vocab, Epilogue::kNone, type);
    ASSERT_TRUE(from_projection.ReadRowsFrom(projection));
    EXPECT_EQ(from_projection.table_bytes(), 0);
    std::vector<float> a(ids.size() * width), b(ids.size() * width);
    from_table.Forward(ids, at, a.data());
    from_projection.Forward(ids, at, b.data());
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
    const Embedding shared(from_projection, &positions);
    std::vector<float> c(ids.size() * width);
    shared.Forward(ids, at, c.data());
    EXPECT_EQ(0, std::memcmp(a.data(), c.data(), a.size() * sizeof(float)));
  }
  Embedding kept(table, width, 1.f, nullptr, Embedding::Storage::kBfloat16);
  EXPECT_FALSE(kept.ReadRowsFrom(Linear(*table, {}, width, vocab, Epilogue::kNone, ComputeType::kInt8)));
  EXPECT_FALSE(
      kept.ReadRowsFrom(Linear(*table, {}, width, vocab, Epilogue::kNone, ComputeType::kFloat32)));
  EXPECT_GT(kept.table_bytes(), 0);
}

TEST(PositionsTest, SinesFirstThenCosines) {
  const int64_t width = 6;
  const auto table = SinusoidalPositions(3, width);
  for (int64_t pos = 0; pos < 3; ++pos) {
    for (int64_t c = 0; c < 3; ++c) {
      const double angle = pos / std::pow(10000.0, 2.0 * c / width);
      EXPECT_FLOAT_EQ(table[pos * width + c], static_cast<float>(std::sin(angle)));
      EXPECT_FLOAT_EQ(table[pos * width + 3 + c], static_cast<float>(std::cos(angle)));
    }
  }
  // Odd widths put the extra column in the sine half.
  const auto odd = SinusoidalPositions(2, 5);
  EXPECT_FLOAT_EQ(odd[5 + 2], static_cast<float>(std::sin(1.0 / std::pow(10000.0, 4.0 / 5))));
  EXPECT_FLOAT_EQ(odd[5 + 3], static_cast<float>(std::cos(1.0)));
}

TEST(SelfAttentionCacheTest, GrowsAndCopiesRows) {
  SelfAttentionCache a(2, 4, 1), b(2, 4, 1);
  for (int step = 0; step < 5; ++step) {
    a.ReserveNextStep();
    for (int l = 0; l < 2; ++l) {
      for (int c = 0; c < 8; ++c) a.Row(l, step)[c] = static_cast<float>(100 * l + 10 * step + c);
    }
    a.CommitStep();
  }
  b.CopyFrom(a);
  ASSERT_EQ(b.length(), 5);
  for (int step = 0; step < 5; ++step) {
    for (int l = 0; l < 2; ++l) {
      for (int c = 0; c < 8; ++c) {
        ASSERT_EQ(b.Row(l, step)[c], static_cast<float>(100 * l + 10 * step + c));
      }
    }
  }
  b.Clear();
  EXPECT_EQ(b.length(), 0);
}

}  // namespace
}  // namespace tserve::engine
