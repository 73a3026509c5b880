#include "engine/model_check.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <initializer_list>
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
// Unused tensors and language codes listed by name before the rest are only counted.
constexpr size_t kMaxListedTensors = 8;
constexpr size_t kMaxListedLanguages = 5;

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
  const std::string positions =
      a.positions == PositionKind::kSinusoidal ? "sinusoidal"
      : a.positions == PositionKind::kLearned  ? "learned (offset 2)"
      : a.positions == PositionKind::kNone
          ? absl::StrFormat("relative (%d buckets up to distance %d)",
                            c.relative_attention_num_buckets, c.relative_attention_max_distance)
          : "sinusoidal, offset by pad + 1 (fairseq)";
  const char* norm = a.norm == NormKind::kRms ? "RMSNorm" : "LayerNorm";
  report.Fact(
      "family",
      absl::StrFormat("%s: %s-%s blocks%s%s, %s positions", ModelTypeName(c.family),
                      a.pre_norm ? "pre" : "post", norm, a.final_layer_norm ? ", final norms" : "",
                      a.layernorm_embedding ? ", embedding LayerNorm" : "", positions));
  report.Fact("layers", absl::StrFormat("%d encoder + %s, d_model %d", c.encoder_layers,
                                        c.encoder_only ? std::string("no decoder (encoder only)")
                                                       : absl::StrCat(c.decoder_layers, " decoder"),
                                        c.d_model));
  report.Fact("attention heads",
              absl::StrFormat("%d encoder, %d decoder, %d wide each", c.encoder_attention_heads,
                              c.decoder_attention_heads,
                              c.encoder_attention_dim() / c.encoder_attention_heads));
  report.Fact("feed-forward",
              absl::StrFormat("%d encoder, %d decoder, %s%s", c.encoder_ffn_dim, c.decoder_ffn_dim,
                              c.activation_name, c.gated_ffn ? " (gated)" : ""));
  report.Fact("vocabularies", c.separate_vocabs()
                                  ? absl::StrFormat("separate: source %d, target %d", c.vocab_size,
                                                    c.decoder_vocab_size)
                                  : absl::StrFormat("shared, %d tokens", c.vocab_size));
  report.Fact(
      "embeddings",
      absl::StrFormat("%s, %s, %d positions",
                      c.scale_embedding ? "scaled by sqrt(d_model)" : "not scaled",
                      c.tie_word_embeddings ? "tied to the output" : "separate output projection",
                      c.max_position_embeddings));
  report.Fact("special ids", absl::StrFormat("pad %d, eos %d, decoder start %d", c.pad_token_id,
                                             c.eos_token_id, c.decoder_start_token_id));
}

void DescribeGeneration(const ModelConfig& c, Report& report) {
  report.Line("generation settings (generation_config.json over config.json):");
  report.Fact("defaults",
              absl::StrFormat("num_beams %d, max_length %d, min_length %d, "
                              "length_penalty %g",
                              c.num_beams, c.max_length, c.min_length, c.length_penalty));
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

// "a, b, c and 7 more": the first `max` items by name, the rest counted.
std::string FirstFew(const std::vector<std::string>& items, size_t max) {
  std::vector<std::string> listed(items.begin(), items.begin() + std::min(items.size(), max));
  std::string text = absl::StrJoin(listed, ", ");
  if (items.size() > listed.size()) absl::StrAppend(&text, " and ", items.size() - max, " more");
  return text;
}

// "3 codes: deu_Latn, eng_Latn, fra_Latn" (NLLB-200 has 202).
std::string SomeCodes(const std::vector<std::string>& codes) {
  return absl::StrCat(codes.size(), " codes: ", FirstFew(codes, kMaxListedLanguages));
}

void DescribeMarianLanguages(const Tokenizer& tokenizer, Report& report) {
  const std::vector<std::string>& languages = tokenizer.target_languages();
  report.Fact("target languages",
              languages.empty() ? "none (no >>xx<< tokens)"
              : languages.size() == 1
                  ? absl::StrCat(languages[0], " (optional: the model has one)")
                  : absl::StrCat(absl::StrJoin(languages, ", "),
                                 " (a request must name one: target_language or a >>xx<< "
                                 "text prefix)"));
}

// NLLB-200, M2M100, mBART-50: one vocabulary; source and target languages named apart.
void DescribeFairseqLanguages(const Tokenizer& tokenizer, Report& report) {
  report.Fact("source languages", absl::StrCat(SomeCodes(tokenizer.source_languages()),
                                               " (a request must name one: source_language)"));
  report.Fact("target languages",
              absl::StrCat(SomeCodes(tokenizer.target_languages()),
                           " (a request must name one: target_language; its token is the "
                           "first generated token)"));
}

void DescribeTokenizer(const Tokenizer& tokenizer, Report& report) {
  const Vocabulary& source = tokenizer.source_vocab();
  const Vocabulary& target = tokenizer.target_vocab();
  const TokenizerFamily family = tokenizer.family();
  if (family == TokenizerFamily::kMarian) {
    report.Line("tokenizer (source.spm, target.spm, vocab.json):");
    report.Fact("vocab.json", absl::StrCat(source.size(), " pieces"));
    if (&source != &target) {
      report.Fact("target_vocab.json", absl::StrCat(target.size(), " pieces"));
    }
  } else if (family == TokenizerFamily::kT5) {
    report.Line("tokenizer (T5: spiece.model, its own ids, <extra_id_N> sentinels):");
    report.Fact("vocabulary", absl::StrCat(source.size(), " tokens, sentinels included"));
  } else {
    const char* kind = family == TokenizerFamily::kNllb     ? "NLLB-200"
                       : family == TokenizerFamily::kM2m100 ? "M2M100"
                                                            : "mBART-50";
    report.Line(absl::StrCat("tokenizer (", kind, ": sentencepiece.bpe.model",
                             family == TokenizerFamily::kM2m100 ? ", vocab.json" : "",
                             ", fairseq ids):"));
    report.Fact("vocabulary", absl::StrCat(source.size(), " tokens, language codes included"));
  }
  report.Fact("</s> <unk> <pad>", absl::StrFormat("%d %d %d", tokenizer.eos_id(),
                                                  tokenizer.unk_id(), tokenizer.pad_id()));
  if (family == TokenizerFamily::kMarian) {
    DescribeMarianLanguages(tokenizer, report);
  } else if (family != TokenizerFamily::kT5) {
    DescribeFairseqLanguages(tokenizer, report);
  }
}

void DescribeUnusedTensors(const std::vector<std::string>& unused, Report& report) {
  if (unused.empty()) {
    report.Fact("unused tensors", "none");
    return;
  }
  report.Fact("unused tensors", absl::StrCat(FirstFew(unused, kMaxListedTensors),
                                             " (tied views or tables tserve computes)"));
}

// The first of `preferred` that `codes` (sorted) holds, else the first code; "" for none.
std::string PreferredCode(const std::vector<std::string>& codes,
                          std::initializer_list<std::string_view> preferred) {
  for (std::string_view code : preferred) {
    if (std::binary_search(codes.begin(), codes.end(), code)) return std::string(code);
  }
  return codes.empty() ? std::string() : codes.front();
}

}  // namespace

SmokeLanguages SmokeLanguagesOf(const Tokenizer& tokenizer) {
  const std::vector<std::string>& targets = tokenizer.target_languages();
  if (tokenizer.family() == TokenizerFamily::kMarian) {
    return SmokeLanguages{"", targets.size() > 1 ? targets.front() : ""};
  }
  SmokeLanguages out;
  out.source = PreferredCode(tokenizer.source_languages(), {"eng_Latn", "en", "en_XX"});
  const auto other = std::find_if(targets.begin(), targets.end(),
                                  [&out](const std::string& code) { return code != out.source; });
  out.target = other != targets.end() ? *other : out.source;
  return out;
}

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

  const Tokenizer& tokenizer = (*model)->tokenizer();
  if (!(*model)->has_decoder()) {
    report.Line("encoding (an encoder without a decoder: Encode only):");
    report.Fact("loaded", absl::StrFormat("in %.1f s, compute type %s", seconds,
                                          ComputeTypeName(options.compute_type)));
    absl::StatusOr<EncodedText> source = tokenizer.EncodeSource(
        kSmokeText, static_cast<size_t>(config->max_position_embeddings), /*truncate=*/true);
    if (!source.ok()) return report.Fail("tokenizing", source.status());
    absl::StatusOr<std::vector<std::vector<float>>> vectors =
        (*model)->Embed({source->ids}, (*model)->default_pooling(), /*normalize=*/false);
    if (!vectors.ok()) return report.Fail("encoding", vectors.status());
    report.Fact(absl::StrCat("\"", kSmokeText, "\""),
                absl::StrFormat("a vector of %d values (%d source tokens, %s)",
                                (*vectors)[0].size(), source->ids.size(),
                                (*model)->sentence_modules()
                                    ? "the sentence-transformers modules of modules.json"
                                    : "mean of the encoder states"));
    return report.Pass();
  }
  report.Line("translation:");
  report.Fact("loaded", absl::StrFormat("in %.1f s, compute type %s", seconds,
                                        ComputeTypeName(options.compute_type)));
  const SmokeLanguages languages = SmokeLanguagesOf(tokenizer);
  absl::StatusOr<EncodedText> source = tokenizer.EncodeSource(
      kSmokeText, static_cast<size_t>(config->max_position_embeddings), /*truncate=*/true,
      RequestLanguages{languages.source, languages.target}, LanguageRequirement::kRequired);
  if (!source.ok()) return report.Fail("tokenizing", source.status());
  DecodingOptions decoding;
  decoding.max_length = std::min<int>(kSmokeMaxLength, config->max_position_embeddings);
  if (tokenizer.forces_target_language()) {
    absl::StatusOr<int32_t> forced = tokenizer.TargetLanguageTokenId(languages.target);
    if (!forced.ok()) return report.Fail("tokenizing", forced.status());
    decoding.forced_first_token = *forced;
  }
  absl::StatusOr<std::vector<GenerationResult>> result =
      (*model)->Translate({source->ids}, decoding);
  if (!result.ok()) return report.Fail("translating", result.status());
  const Hypothesis& best = (*result)[0].hypotheses[0];
  report.Fact(absl::StrCat("\"", kSmokeText, "\"",
                           languages.source.empty() ? "" : absl::StrCat(" from ", languages.source),
                           languages.target.empty() ? "" : absl::StrCat(" to ", languages.target)),
              absl::StrFormat("\"%s\" (%d source tokens, %d generated, greedy)",
                              tokenizer.DecodeTarget(best.ids), source->ids.size(),
                              best.ids.size() + (best.ended_with_eos ? 1 : 0)));
  return report.Pass();
}

}  // namespace tserve::engine
