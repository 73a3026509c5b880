// A decoder step in steady state allocates no buffers: every tensor, cache,
// candidate list and hypothesis is sized when a sentence joins and reused
// after. Global operator new is replaced in this binary to count allocations
// made by the thread that drives the generator.
#include <cstddef>
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "golden_data.h"

namespace {

thread_local bool counting = false;
thread_local int64_t large_allocations = 0;
thread_local int64_t small_allocations = 0;
// Executing a oneDNN primitive (LayerNorm, log-softmax) makes small
// allocations on every call: memory handles and argument maps of a few tens
// of bytes, about a hundred per step here. Buffers are far larger, so they
// are told apart by size.
constexpr size_t kBufferBytes = 256;

void* TryAllocate(size_t bytes, size_t alignment) {
  if (counting) ++(bytes >= kBufferBytes ? large_allocations : small_allocations);
  if (bytes == 0) bytes = 1;
  if (alignment <= alignof(std::max_align_t)) return std::malloc(bytes);
  return std::aligned_alloc(alignment, (bytes + alignment - 1) / alignment * alignment);
}

void* Allocate(size_t bytes, size_t alignment = alignof(std::max_align_t)) {
  if (void* p = TryAllocate(bytes, alignment)) return p;
  throw std::bad_alloc();
}

}  // namespace

// Every form of the replaceable allocation functions, so that no allocation
// made through one family is released through another (which sanitizers
// report as a mismatch). GCC cannot see that these replace the operators it
// pairs with malloc and free, hence the pragma.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t bytes) { return Allocate(bytes); }
void* operator new[](size_t bytes) { return Allocate(bytes); }
void* operator new(size_t bytes, const std::nothrow_t&) noexcept {
  return TryAllocate(bytes, alignof(std::max_align_t));
}
void* operator new[](size_t bytes, const std::nothrow_t&) noexcept {
  return TryAllocate(bytes, alignof(std::max_align_t));
}
void* operator new(size_t bytes, std::align_val_t a) {
  return Allocate(bytes, static_cast<size_t>(a));
}
void* operator new[](size_t bytes, std::align_val_t a) {
  return Allocate(bytes, static_cast<size_t>(a));
}
void* operator new(size_t bytes, std::align_val_t a, const std::nothrow_t&) noexcept {
  return TryAllocate(bytes, static_cast<size_t>(a));
}
void* operator new[](size_t bytes, std::align_val_t a, const std::nothrow_t&) noexcept {
  return TryAllocate(bytes, static_cast<size_t>(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace tserve {
namespace {

using engine::DecodingOptions;
using engine::Generator;

class DecodeAllocationTest : public ::testing::TestWithParam<engine::ComputeType> {};

TEST_P(DecodeAllocationTest, SteadyStateStepsAllocateNoBuffers) {
  const testing::GoldenModel golden = testing::LoadGolden("swish-untied-f16");
  engine::LoadOptions load;
  load.compute_type = GetParam();
  auto model = engine::TranslationModel::Load(golden.model_dir.string(), load);
  ASSERT_TRUE(model.ok()) << model.status();

  engine::EncoderWorkspace encoder_ws;
  engine::DecoderWorkspace decoder_ws;
  auto memories = (*model)->EncodeForDecoding(
      {golden.SourceIds(0), golden.SourceIds(1), golden.SourceIds(2)}, encoder_ws, decoder_ws);
  std::unique_ptr<Generator> generator = (*model)->NewGenerator();
  // Greedy, beam 4 and sampling side by side, none ending during the test.
  DecodingOptions greedy;
  greedy.max_length = 30;
  greedy.ignore_eos = true;
  DecodingOptions beam = greedy;
  beam.beam_size = 4;
  DecodingOptions sampling = greedy;
  sampling.sampling_temperature = 0.8f;
  sampling.sampling_topk = 10;
  sampling.seed = 7;
  generator->Add(memories[0], greedy);
  generator->Add(memories[1], beam);
  generator->Add(memories[2], sampling);

  std::vector<Generator::TokenEvent> tokens;
  std::vector<Generator::FinishedJob> finished;
  tokens.reserve(64);
  // Warm-up: the first steps size the workspaces and create the primitives
  // for these row counts (beam search runs one row on its first step).
  for (int step = 0; step < 4; ++step) generator->Step(&tokens, &finished);
  tokens.clear();

  large_allocations = small_allocations = 0;
  counting = true;
  for (int step = 0; step < 20; ++step) {
    generator->Step(&tokens, &finished);
    tokens.clear();
  }
  counting = false;
  EXPECT_TRUE(finished.empty());
  EXPECT_EQ(large_allocations, 0) << "allocations of " << kBufferBytes << " bytes or more in 20 steps";
  std::cout << "small allocations in 20 steps: " << small_allocations << "\n";

  // The jobs still finish normally.
  while (generator->live_jobs() > 0) generator->Step(nullptr, &finished);
  ASSERT_EQ(finished.size(), 3u);
  for (const auto& job : finished) {
    EXPECT_EQ(job.result.hypotheses[0].ids.size(), 30u);
  }
}

INSTANTIATE_TEST_SUITE_P(ComputeTypes, DecodeAllocationTest,
                         ::testing::Values(engine::ComputeType::kFloat32,
                                           engine::ComputeType::kBfloat16,
                                           engine::ComputeType::kInt8),
                         [](const auto& param_info) {
                           return std::string(engine::ComputeTypeName(param_info.param));
                         });

}  // namespace
}  // namespace tserve
