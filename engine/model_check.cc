#include "engine/model_check.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/model/checkpoint.h"
#include "engine/ops/compute_type.h"

namespace tserve::engine {
namespace {

// The text translated to show that the loaded model runs.
constexpr char kSmokeText[] = "Hello world.";
constexpr int kSmokeMaxLength = 16;
// Unused tensors listed by name before the rest are only counted.
constexpr size_t kMaxListedTensors = 8;

class Report {
 public:
  void Line(absl::string_view text) { absl::StrAppend(&text_, text, "\n"); }
  void Fact(absl::string_view name, absl::string_view value) {
    absl::StrAppendFormat(&text_, "  %-22s %s\n", absl::StrCat(name, ":"), value);
  }
  ModelCheck Fail(absl::string_view step, const absl::Status& status) {
    Line(absl::StrCat("FAILED (", step, "): ", status.message()));
    return ModelCheck{false, text_};
  }
  ModelCheck Pass() {
    Line("OK: tserve can serve this model");
    return ModelCheck{true, text_};
  }

 private:
  std::string text_;
};

std::string HumanBytes(uintmax_t bytes) {
  if (bytes >= (uintmax_t{1} << 30)) return absl::StrFormat("%.2f GiB", bytes / 1073741824.0);
  if (bytes >= (uintmax_t{1} << 20)) return absl::StrFormat("%.1f MiB", bytes / 1048576.0);
  if (bytes >= 1024) return absl::StrFormat("%.1f KiB", bytes / 1024.0);
  return absl::StrCat(bytes, " B");
}

std::string IdLists(const std::vector<std::vector<int32_t>>& lists) {
  std::vector<std::string> parts;
  for (const auto& list : lists) parts.push_back(absl::StrCat("[", absl::StrJoin(list, ", "), "]"));
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}

void DescribeFiles(const std::string& model_dir, Report& report) {
  std::error_code error;
  std::vector<std::string> lines;
  for (const auto& entry : std::filesystem::directory_iterator(model_dir, error)) {
    if (!entry.is_regular_file(error)) continue;
    lines.push_back(absl::StrFormat("%s (%s)", entry.path().filename().string(),
                                    HumanBytes(entry.file_size(error))));
  }
  std::sort(lines.begin(), lines.end());
  report.Fact("files", lines.empty() ? "none" : absl::StrJoin(lines, ", "));
}

void DescribeConfig(const ModelConfig& c, Report& report) {
  report.Line("config.json:");
  const Architecture& a = c.architecture;
  const char* positions = a.positions == PositionKind::kSinusoidal ? "sinusoidal"
                          : a.positions == PositionKind::kLearned
                              ? "learned (offset 2)"
                              : "sinusoidal, offset by pad + 1 (fairseq)";
  report.Fact("family", absl::StrFormat("%s: %s blocks%s%s, %s positions",
                                        ModelTypeName(c.family),
                                        a.pre_norm ? "pre-LayerNorm" : "post-LayerNorm",
                                        a.final_layer_norm ? ", final LayerNorms" : "",
                                        a.layernorm_embedding ? ", embedding LayerNorm" : "",
                                        positions));
  report.Fact("layers", absl::StrFormat("%d encoder + %d decoder, d_model %d", c.encoder_layers,
                                        c.decoder_layers, c.d_model));
  report.Fact("attention heads", absl::StrFormat("%d encoder, %d decoder",
                                                 c.encoder_attention_heads,
                                                 c.decoder_attention_heads));
  report.Fact("feed-forward", absl::StrFormat("%d encoder, %d decoder, %s", c.encoder_ffn_dim,
                                              c.decoder_ffn_dim, c.activation_name));
  report.Fact("vocabularies",
              c.separate_vocabs()
                  ? absl::StrFormat("separate: source %d, target %d", c.vocab_size,
                                    c.decoder_vocab_size)
                  : absl::StrFormat("shared, %d tokens", c.vocab_size));
  report.Fact("embeddings", absl::StrFormat("%s, %s, %d positions",
                                            c.scale_embedding ? "scaled by sqrt(d_model)"
                                                              : "not scaled",
                                            c.tie_word_embeddings ? "tied to the output"
                                                                  : "separate output projection",
                                            c.max_position_embeddings));
  report.Fact("special ids", absl::StrFormat("pad %d, eos %d, decoder start %d", c.pad_token_id,
                                             c.eos_token_id, c.decoder_start_token_id));
}

void DescribeGeneration(const ModelConfig& c, Report& report) {
  report.Line("generation settings (generation_config.json over config.json):");
  report.Fact("defaults", absl::StrFormat("num_beams %d, max_length %d, min_length %d, "
                                          "length_penalty %g",
                                          c.num_beams, c.max_length, c.min_length,
                                          c.length_penalty));
  report.Fact("bad_words_ids", IdLists(c.bad_words_ids));
  report.Fact("forced eos", c.forced_eos_token_id
                                ? absl::StrCat("token ", *c.forced_eos_token_id, " at max_length")
                                : "no");
  report.Fact("forced first token", c.forced_bos_token_id
                                        ? absl::StrCat("token ", *c.forced_bos_token_id)
                                        : "no (a request may name one)");
  report.Fact("renormalize_logits", c.renormalize_logits ? "true" : "false");
  report.Fact("ignored", c.ignored_generation_fields.empty()
                             ? "nothing"
                             : absl::StrCat(absl::StrJoin(c.ignored_generation_fields, ", "),
                                            " (docs/semantics.md)"));
}

void DescribeCheckpoint(const Checkpoint& checkpoint, Report& report) {
  report.Line("weights:");
  report.Fact("format", checkpoint.format());
  std::vector<std::string> names;
  for (const std::string& file : checkpoint.files()) {
    names.push_back(std::filesystem::path(file).filename().string());
  }
  report.Fact("read from", absl::StrJoin(names, ", "));
  std::map<std::string, int> by_dtype;
  // Views of one storage (tied weights in a .bin) are counted once.
  std::set<const std::byte*> seen;
  uintmax_t bytes = 0;
  for (const TensorEntry* t : checkpoint.tensors()) {
    ++by_dtype[t->dtype];
    if (seen.insert(t->data).second) bytes += t->nbytes;
  }
  std::vector<std::string> dtypes;
  for (const auto& [dtype, count] : by_dtype) dtypes.push_back(absl::StrCat(count, " ", dtype));
  report.Fact("tensors", absl::StrFormat("%d (%s), %s", checkpoint.tensors().size(),
                                         absl::StrJoin(dtypes, ", "), HumanBytes(bytes)));
}

void DescribeTokenizer(const Tokenizer& tokenizer, Report& report) {
  report.Line("tokenizer (source.spm, target.spm, vocab.json):");
  const Vocabulary& source = tokenizer.source_vocab();
  const Vocabulary& target = tokenizer.target_vocab();
  report.Fact("vocab.json", absl::StrCat(source.size(), " pieces"));
  if (&source != &target) report.Fact("target_vocab.json", absl::StrCat(target.size(), " pieces"));
  report.Fact("</s> <unk> <pad>", absl::StrFormat("%d %d %d", tokenizer.eos_id(),
                                                  tokenizer.unk_id(), tokenizer.pad_id()));
  const std::vector<std::string>& languages = tokenizer.target_languages();
  report.Fact("target languages",
              languages.empty() ? "none (no >>xx<< tokens)"
              : languages.size() == 1
                  ? absl::StrCat(languages[0], " (optional: the model has one)")
                  : absl::StrCat(absl::StrJoin(languages, ", "),
                                 " (a request must name one: target_language or a >>xx<< "
                                 "text prefix)"));
}

void DescribeUnusedTensors(const std::vector<std::string>& unused, Report& report) {
  if (unused.empty()) {
    report.Fact("unused tensors", "none");
    return;
  }
  std::vector<std::string> listed(unused.begin(),
                                  unused.begin() + std::min(unused.size(), kMaxListedTensors));
  std::string text = absl::StrJoin(listed, ", ");
  if (unused.size() > listed.size()) {
    absl::StrAppend(&text, " and ", unused.size() - listed.size(), " more");
  }
  report.Fact("unused tensors", absl::StrCat(text, " (tied views or tables tserve computes)"));
}

}  // namespace

ModelCheck CheckModelDirectory(const std::string& model_dir, const LoadOptions& options) {
  Report report;
  report.Line(absl::StrCat("model directory ", model_dir));
  DescribeFiles(model_dir, report);

  absl::StatusOr<ModelConfig> config = LoadModelConfig(model_dir);
  if (!config.ok()) return report.Fail("configuration", config.status());
  DescribeConfig(*config, report);
  DescribeGeneration(*config, report);

  absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint = Checkpoint::Open(model_dir);
  if (!checkpoint.ok()) return report.Fail("weights", checkpoint.status());
  DescribeCheckpoint(**checkpoint, report);
  checkpoint->reset();

  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<TranslationModel>> model =
      TranslationModel::Load(model_dir, options);
  if (!model.ok()) return report.Fail("loading", model.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  DescribeUnusedTensors((*model)->marian().unused_tensors(), report);
  DescribeTokenizer((*model)->tokenizer(), report);

  report.Line("translation:");
  report.Fact("loaded", absl::StrFormat("in %.1f s, compute type %s", seconds,
                                        ComputeTypeName(options.compute_type)));
  const std::vector<std::string>& languages = (*model)->tokenizer().target_languages();
  const std::string language = languages.size() > 1 ? languages[0] : "";
  absl::StatusOr<EncodedText> source = (*model)->tokenizer().EncodeSource(
      kSmokeText, static_cast<size_t>(config->max_position_embeddings), /*truncate=*/true,
      language);
  if (!source.ok()) return report.Fail("tokenizing", source.status());
  DecodingOptions decoding;
  decoding.max_length = std::min<int>(kSmokeMaxLength, config->max_position_embeddings);
  absl::StatusOr<std::vector<GenerationResult>> result =
      (*model)->Translate({source->ids}, decoding);
  if (!result.ok()) return report.Fail("translating", result.status());
  const Hypothesis& best = (*result)[0].hypotheses[0];
  report.Fact(absl::StrCat("\"", kSmokeText, "\"", language.empty() ? "" : " to ", language),
              absl::StrFormat("\"%s\" (%d source tokens, %d generated, greedy)",
                              (*model)->tokenizer().DecodeTarget(best.ids), source->ids.size(),
                              best.ids.size() + (best.ended_with_eos ? 1 : 0)));
  return report.Pass();
}

}  // namespace tserve::engine
