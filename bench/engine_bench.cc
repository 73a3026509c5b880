// Translates a text file with the engine alone and reports throughput:
//
//   engine_bench --model_dir=DIR --input=FILE [--batch_size=32] [--beam_size=1]
//                [--max_length=256] [--ignore_eos] [--threads=0] [--output=FILE]
//                [--source_language=eng_Latn --target_language=deu_Latn] [--profile]
//
// Sentences are taken in file order in batches of --batch_size; each batch is
// encoded and decoded to the end before the next starts (static batching, as
// other engines' batch translation APIs do). Prints one JSON line.
// --profile also prints, to stderr, where the timed part's time went
// (engine/core/profile.h): phases and the ops inside them.
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "bench/peak_rss.h"
#include "engine/core/dnnl_context.h"
#include "engine/core/malloc_policy.h"
#include "engine/core/profile.h"
#include "engine/engine.h"
#include "engine/ops/gemm_kernels.h"

ABSL_FLAG(std::string, model_dir, "", "Hugging Face MarianMT model directory");
ABSL_FLAG(std::string, input, "", "source sentences, one per line");
ABSL_FLAG(std::string, output, "", "where to write the translations (optional)");
ABSL_FLAG(int, batch_size, 32, "sentences per batch");
ABSL_FLAG(int, beam_size, 1, "beam width (1 = greedy)");
ABSL_FLAG(int, max_length, 256, "largest number of generated tokens");
ABSL_FLAG(bool, ignore_eos, false, "always generate max_length tokens");
ABSL_FLAG(std::string, compute_type, "float32",
          "matmul type: float32, bfloat16, int8 or auto (the fastest on this CPU)");
ABSL_FLAG(int, threads, 0, "intra-op threads (0 = all cores)");
ABSL_FLAG(int, encoder_batch, 0,
          "instead of translating: encode this many synthetic sentences of "
          "--encoder_tokens tokens at once, repeatedly, and report the encoder's GFLOP/s");
ABSL_FLAG(int, encoder_tokens, 64, "tokens per sentence of the encoder benchmark");
ABSL_FLAG(double, encoder_seconds, 3, "duration of the encoder benchmark");
ABSL_FLAG(std::string, source_language, "",
          "source language code, for models that take one (NLLB: eng_Latn, M2M100: en)");
ABSL_FLAG(std::string, target_language, "",
          "target language code, for models with several (NLLB: deu_Latn; forced as the first "
          "generated token where the model's family does that)");
ABSL_FLAG(bool, profile, false,
          "print to stderr where the time went (phases and ops, engine/core/profile.h)");

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Matrix-product FLOPs of encoding one padded batch: per token and layer the
// q/k/v and output projections (4·d²) and the FFN (2·d·ffn), plus attention
// scores and the weighted sum over the batch's length (2·T·d).
double EncoderFlops(const tserve::engine::ModelConfig& c, int64_t batch, int64_t tokens) {
  const double d = static_cast<double>(c.d_model);
  const double per_token_layer =
      2.0 * (4.0 * d * d + 2.0 * d * static_cast<double>(c.encoder_ffn_dim) +
             2.0 * static_cast<double>(tokens) * d);
  return per_token_layer * static_cast<double>(c.encoder_layers * batch * tokens);
}

int RunEncoder(const tserve::engine::TranslationModel& model,
               tserve::engine::ComputeType compute_type, double load_seconds) {
  const int batch = absl::GetFlag(FLAGS_encoder_batch);
  const int tokens = absl::GetFlag(FLAGS_encoder_tokens);
  const auto& config = model.config();
  // Token ids spread over the vocabulary (pad excluded), end-of-sentence last.
  std::vector<std::vector<int32_t>> sources(static_cast<size_t>(batch));
  for (int b = 0; b < batch; ++b) {
    for (int t = 0; t + 1 < tokens; ++t) {
      int32_t id = static_cast<int32_t>((7919 * (b * tokens + t) + 13) % config.vocab_size);
      if (id == config.pad_token_id) id = static_cast<int32_t>(config.eos_token_id);
      sources[b].push_back(id);
    }
    sources[b].push_back(static_cast<int32_t>(config.eos_token_id));
  }
  if (auto warm = model.EncoderStates(sources); !warm.ok()) {
    std::cerr << "engine_bench: " << warm.status() << "\n";
    return 1;
  }
  int calls = 0;
  const auto start = Clock::now();
  while (Seconds(start) < absl::GetFlag(FLAGS_encoder_seconds)) {
    if (auto states = model.EncoderStates(sources); !states.ok()) return 1;
    ++calls;
  }
  const double seconds = Seconds(start);
  std::cout << absl::StrFormat(
                   "{\"engine\": \"tserve\", \"benchmark\": \"encoder\", \"compute_type\": \"%s\", "
                   "\"batch_size\": %d, \"tokens\": %d, \"calls\": %d, \"seconds\": %.3f, "
                   "\"gflops\": %.1f, \"load_seconds\": %.3f}",
                   std::string(tserve::engine::ComputeTypeName(compute_type)), batch, tokens,
                   calls, seconds, EncoderFlops(config, batch, tokens) * calls / seconds / 1e9,
                   load_seconds)
            << std::endl;
  return 0;
}

// The profile as a Markdown table: each label's calls, seconds and share of
// the timed part. Phases (encoder, decoder steps, search) include the ops
// they call; the op rows are their parts.
void PrintProfile(double total_seconds) {
  std::cerr << "| part | calls | seconds | share |\n|---|---:|---:|---:|\n";
  for (const tserve::engine::ProfileEntry& e : tserve::engine::ProfileSnapshot()) {
    std::cerr << absl::StrFormat("| %s | %d | %.3f | %.1f %% |\n", e.label, e.calls, e.seconds,
                                 100 * e.seconds / total_seconds);
  }
  std::cerr << absl::StrFormat("| timed part | | %.3f | 100 %% |\n", total_seconds);
}

int Run() {
  const std::string type_name = absl::GetFlag(FLAGS_compute_type);
  std::optional<tserve::engine::ComputeType> compute_type =
      type_name == "auto" ? tserve::engine::FastestComputeType()
                          : tserve::engine::ParseComputeType(type_name);
  if (!compute_type) {
    std::cerr << "engine_bench: unknown compute type '" << type_name
              << "': use float32, bfloat16, int8 or auto\n";
    return 2;
  }
  tserve::engine::LoadOptions load_options;
  load_options.compute_type = *compute_type;
  load_options.threads = absl::GetFlag(FLAGS_threads);
  const auto load_start = Clock::now();
  auto model = tserve::engine::TranslationModel::Load(absl::GetFlag(FLAGS_model_dir), load_options);
  if (!model.ok()) {
    std::cerr << "engine_bench: " << model.status() << "\n";
    return 1;
  }
  const double load_seconds = Seconds(load_start);
  if (absl::GetFlag(FLAGS_encoder_batch) > 0) {
    return RunEncoder(**model, *compute_type, load_seconds);
  }

  std::ifstream in(absl::GetFlag(FLAGS_input));
  if (!in) {
    std::cerr << "engine_bench: cannot read " << absl::GetFlag(FLAGS_input) << "\n";
    return 1;
  }
  const std::string source_language = absl::GetFlag(FLAGS_source_language);
  const std::string target_language = absl::GetFlag(FLAGS_target_language);
  std::vector<std::vector<int32_t>> sources;
  int64_t source_tokens = 0;
  for (std::string line; std::getline(in, line);) {
    auto encoded = (*model)->tokenizer().EncodeSource(
        line, static_cast<size_t>((*model)->config().max_position_embeddings), /*truncate=*/true,
        tserve::engine::RequestLanguages{source_language, target_language},
        tserve::engine::LanguageRequirement::kRequired);
    if (!encoded.ok()) {
      std::cerr << "engine_bench: " << encoded.status() << "\n";
      return 1;
    }
    source_tokens += static_cast<int64_t>(encoded->ids.size());
    sources.push_back(std::move(encoded->ids));
  }

  tserve::engine::DecodingOptions options;
  options.beam_size = absl::GetFlag(FLAGS_beam_size);
  options.max_length = absl::GetFlag(FLAGS_max_length);
  options.ignore_eos = absl::GetFlag(FLAGS_ignore_eos);
  const tserve::engine::Tokenizer& tokenizer = (*model)->tokenizer();
  if (tokenizer.forces_target_language() && !target_language.empty()) {
    auto forced = tokenizer.TargetLanguageTokenId(target_language);
    if (!forced.ok()) {
      std::cerr << "engine_bench: " << forced.status() << "\n";
      return 1;
    }
    options.forced_first_token = *forced;
  }

  const int batch_size = absl::GetFlag(FLAGS_batch_size);
  std::vector<tserve::engine::GenerationResult> results;
  if (absl::GetFlag(FLAGS_profile)) tserve::engine::SetProfiling(true);
  const auto start = Clock::now();
  for (size_t begin = 0; begin < sources.size(); begin += batch_size) {
    const size_t end = std::min(sources.size(), begin + batch_size);
    auto batch = (*model)->Translate(
        absl::MakeConstSpan(sources).subspan(begin, end - begin), options);
    if (!batch.ok()) {
      std::cerr << "engine_bench: " << batch.status() << "\n";
      return 1;
    }
    for (auto& r : *batch) results.push_back(std::move(r));
  }
  const double seconds = Seconds(start);
  tserve::engine::SetProfiling(false);
  if (absl::GetFlag(FLAGS_profile)) PrintProfile(seconds);

  int64_t target_tokens = 0;
  std::ofstream out;
  if (!absl::GetFlag(FLAGS_output).empty()) out.open(absl::GetFlag(FLAGS_output));
  for (const auto& r : results) {
    const auto& best = r.hypotheses.front();
    target_tokens += static_cast<int64_t>(best.token_scores.size());  // eos included
    if (out) out << (*model)->tokenizer().DecodeTarget(best.ids) << "\n";
  }
  std::cout << absl::StrFormat(
                   "{\"engine\": \"tserve\", \"compute_type\": \"%s\", \"batch_size\": %d, "
                   "\"beam_size\": %d, \"kernels\": \"%s\", \"sentences\": %d, \"source_tokens\": %d, "
                   "\"target_tokens\": %d, \"seconds\": %.3f, \"target_tokens_per_s\": %.1f, "
                   "\"sentences_per_s\": %.2f, \"load_seconds\": %.3f, \"peak_rss_mb\": %.1f}",
                   std::string(tserve::engine::ComputeTypeName(*compute_type)), batch_size,
                   options.beam_size,
                   std::string(tserve::engine::gemm::IsaName(
                       tserve::engine::gemm::SelectedKernels().isa)),
                   results.size(), source_tokens, target_tokens, seconds,
                   target_tokens / seconds, results.size() / seconds, load_seconds,
                   tserve::bench::PeakRssBytes() / 1e6)
            << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  tserve::engine::UseFixedMallocThresholds();
  absl::ParseCommandLine(argc, argv);
  return Run();
}
