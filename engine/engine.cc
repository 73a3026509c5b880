#include "engine/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "engine/core/dnnl_context.h"
#include "engine/core/status_macros.h"

namespace tserve::engine {

namespace {

// Divides each vector of `width` values by its L2 norm (left as it is when 0).
void NormalizeEachVector(std::vector<float>& values, int64_t width) {
  for (size_t begin = 0; begin < values.size(); begin += static_cast<size_t>(width)) {
    double norm = 0;
    for (int64_t j = 0; j < width; ++j) norm += double(values[begin + j]) * values[begin + j];
    norm = std::sqrt(norm);
    if (norm == 0) continue;
    for (int64_t j = 0; j < width; ++j) {
      values[begin + j] = static_cast<float>(values[begin + j] / norm);
    }
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<TranslationModel>> TranslationModel::Load(
    const std::string& model_dir, const LoadOptions& options) {
  SetIntraOpThreads(options.threads);
  std::unique_ptr<TranslationModel> model(new TranslationModel());
  TSERVE_ASSIGN_OR_RETURN(model->model_, MarianModel::Load(model_dir, options.compute_type));
  TSERVE_ASSIGN_OR_RETURN(model->sentence_modules_,
                          LoadSentenceModules(model_dir, model->config().d_model));
  if (options.load_tokenizer) {
    TSERVE_ASSIGN_OR_RETURN(model->tokenizer_, Tokenizer::Load(model_dir, model->config()));
  }
  return model;
}

absl::Status TranslationModel::CheckCanTranslate() const {
  if (has_decoder()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "this model is an encoder without a decoder (architectures: T5EncoderModel); it "
      "serves Encode, not Translate");
}

SearchVocab TranslationModel::search_vocab() const {
  const ModelConfig& c = config();
  SearchVocab vocab;
  vocab.eos = static_cast<int32_t>(c.eos_token_id);
  vocab.pad = static_cast<int32_t>(c.pad_token_id);
  vocab.decoder_start = static_cast<int32_t>(c.decoder_start_token_id);
  vocab.size = c.target_vocab_size();
  for (const std::vector<int32_t>& sequence : c.bad_words_ids) {
    if (sequence.size() > 1) {
      vocab.banned_sequences.push_back(sequence);
    } else if (sequence[0] != vocab.pad) {  // pad is always banned
      vocab.banned.push_back(sequence[0]);
    }
  }
  vocab.forced_eos = c.forced_eos_token_id.has_value();
  vocab.renormalize = c.renormalize_logits;
  if (c.forced_bos_token_id) vocab.forced_first = static_cast<int32_t>(*c.forced_bos_token_id);
  return vocab;
}

absl::Status TranslationModel::ValidateSources(
    absl::Span<const std::vector<int32_t>> sources) const {
  const ModelConfig& c = config();
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("source ", i, " has no tokens"));
    }
    if (static_cast<int64_t>(sources[i].size()) > c.max_position_embeddings) {
      return absl::InvalidArgumentError(absl::StrCat("source ", i, " has ", sources[i].size(),
                                                     " tokens; the model accepts at most ",
                                                     c.max_position_embeddings));
    }
    for (int32_t id : sources[i]) {
      if (id < 0 || id >= c.vocab_size) {
        return absl::InvalidArgumentError(absl::StrCat(
            "source ", i, " has token id ", id, " outside the vocabulary of ", c.vocab_size));
      }
    }
  }
  return absl::OkStatus();
}

void TranslationModel::EncodeBatch(const PaddedBatch& batch, EncoderWorkspace& workspace,
                                   Tensor& states) const {
  model_->encoder().Forward(batch, workspace, states);
}

std::vector<std::shared_ptr<const SourceMemory>> TranslationModel::EncodeForDecoding(
    absl::Span<const std::vector<int32_t>> sources, EncoderWorkspace& encoder_workspace,
    DecoderWorkspace& decoder_workspace) const {
  EncodingTask task(*model_, sources, EncodingTask::Output::kSourceMemories, &encoder_workspace,
                    &decoder_workspace);
  task.Finish();
  std::vector<std::shared_ptr<const SourceMemory>> memories;
  for (int64_t b = 0; b < task.size(); ++b) memories.push_back(task.memory(b));
  return memories;
}

std::unique_ptr<EncodingTask> TranslationModel::StartEncoding(
    absl::Span<const std::vector<int32_t>> sources, EncodingTask::Output output,
    EncodingWorkspace* workspace) const {
  return std::unique_ptr<EncodingTask>(new EncodingTask(*model_, sources, output,
                                                        workspace ? &workspace->encoder : nullptr,
                                                        workspace ? &workspace->decoder : nullptr));
}

EncodingTask::EncodingTask(const MarianModel& model, absl::Span<const std::vector<int32_t>> sources,
                           Output output, EncoderWorkspace* encoder_workspace,
                           DecoderWorkspace* decoder_workspace)
    : run_(model.encoder(), sources, encoder_workspace),
      decoder_(model.has_decoder() ? &model.decoder() : nullptr),
      d_model_(model.config().d_model) {
  layer_rows_per_token_ = static_cast<double>(std::max<int64_t>(model.encoder().num_layers(), 1));
  if (output == Output::kSourceMemories) {
    memory_layers_ = decoder_->num_layers();
    memory_width_ = 2 * decoder_->attention_dim();
    // Multiply-adds per row: d·2a per decoder layer, in EncoderRun's unit
    // (4·d·a + d·ffn·(2 or 3) per layer-row).
    const ModelConfig& c = model.config();
    const double d = static_cast<double>(d_model_);
    const double a = static_cast<double>(c.encoder_attention_dim());
    const double ffn = static_cast<double>(c.encoder_ffn_dim) * (c.gated_ffn ? 3 : 2);
    memory_row_cost_ = d * static_cast<double>(memory_width_) / (4 * d * a + d * ffn);
    memories_.resize(static_cast<size_t>(run_.sources()));
    for (int64_t b = 0; b < run_.sources(); ++b) {
      auto memory = std::make_shared<SourceMemory>();
      memory->length = run_.length(b);
      memory->layers.resize(static_cast<size_t>(memory_layers_));
      memories_[b] = std::move(memory);
    }
    keys_values_ = decoder_workspace != nullptr ? &decoder_workspace->cross_kv : &own_keys_values_;
  }
  if (run_.rows() == 0) memory_layer_ = memory_layers_;
}

double EncodingTask::remaining() const {
  const double memory_rows =
      static_cast<double>((memory_layers_ - memory_layer_) * run_.rows() - memory_row_);
  return (run_.remaining() + memory_rows * memory_row_cost_) / layer_rows_per_token_;
}

double EncodingTask::max_row_cost() const {
  return std::max(run_.max_row_cost(), memory_row_cost_) / layer_rows_per_token_;
}

double EncodingTask::Run(double budget) {
  const double layer_rows = budget * layer_rows_per_token_;
  double spent = run_.Step(layer_rows);
  if (run_.done()) spent += RunMemories(layer_rows - spent);
  return spent / layer_rows_per_token_;
}

void EncodingTask::Finish() {
  while (!done()) Run(std::numeric_limits<double>::infinity());
}

double EncodingTask::RunMemories(double budget) {
  double spent = 0;
  const int64_t rows = run_.rows();
  while (memory_layer_ < memory_layers_) {
    int64_t n = rows - memory_row_;
    if (std::isfinite(budget)) {
      n = std::min<int64_t>(n, static_cast<int64_t>((budget - spent) / memory_row_cost_));
    }
    if (n <= 0) break;
    keys_values_->Resize({n, memory_width_});
    decoder_->ProjectSource(memory_layer_, run_.states() + memory_row_ * d_model_, n,
                            keys_values_->data());
    // Hand each source its rows.
    for (int64_t b = 0; b < run_.sources(); ++b) {
      const int64_t begin = std::max(run_.offset(b), memory_row_);
      const int64_t end = std::min(run_.offset(b) + run_.length(b), memory_row_ + n);
      if (begin >= end) continue;
      std::vector<float>& layer = memories_[b]->layers[memory_layer_];
      layer.resize(static_cast<size_t>(run_.length(b) * memory_width_));
      std::memcpy(layer.data() + (begin - run_.offset(b)) * memory_width_,
                  keys_values_->data() + (begin - memory_row_) * memory_width_,
                  sizeof(float) * (end - begin) * memory_width_);
    }
    spent += static_cast<double>(n) * memory_row_cost_;
    memory_row_ += n;
    if (memory_row_ == rows) {
      memory_row_ = 0;
      ++memory_layer_;
    }
  }
  return spent;
}

const float* EncodingTask::states(int64_t b) const {
  return run_.states() + run_.offset(b) * d_model_;
}

std::unique_ptr<Generator> TranslationModel::NewGenerator() const {
  if (!has_decoder()) return nullptr;
  return std::make_unique<Generator>(model_->decoder(), search_vocab());
}

absl::StatusOr<std::vector<GenerationResult>> TranslationModel::Translate(
    absl::Span<const std::vector<int32_t>> sources, const DecodingOptions& options) const {
  TSERVE_RETURN_IF_ERROR(CheckCanTranslate());
  TSERVE_RETURN_IF_ERROR(ValidateSources(sources));
  TSERVE_RETURN_IF_ERROR(options.Validate(config()));
  std::unique_ptr<TranslateState> state = TakeTranslateState();
  auto memories = EncodeForDecoding(sources, state->encoder_workspace, state->decoder_workspace);
  Generator& generator = *state->generator;
  std::vector<JobId> ids;
  for (auto& memory : memories) ids.push_back(generator.Add(memory, options));

  std::vector<GenerationResult> results(sources.size());
  std::vector<Generator::FinishedJob> finished;
  while (generator.live_jobs() > 0) {
    generator.Step(nullptr, &finished);
  }
  // Job ids are handed out in order: this call's are ids.front() on.
  for (auto& job : finished) results[job.job - ids.front()] = std::move(job.result);
  ReturnTranslateState(std::move(state));
  return results;
}

std::unique_ptr<TranslationModel::TranslateState> TranslationModel::TakeTranslateState() const {
  {
    absl::MutexLock lock(&idle_mutex_);
    if (!idle_states_.empty()) {
      std::unique_ptr<TranslateState> state = std::move(idle_states_.back());
      idle_states_.pop_back();
      return state;
    }
  }
  auto state = std::make_unique<TranslateState>();
  state->generator = NewGenerator();
  return state;
}

void TranslationModel::ReturnTranslateState(std::unique_ptr<TranslateState> state) const {
  absl::MutexLock lock(&idle_mutex_);
  idle_states_.push_back(std::move(state));
}

absl::StatusOr<std::vector<std::vector<float>>> TranslationModel::EncoderStates(
    absl::Span<const std::vector<int32_t>> sources) const {
  return Embed(sources, Pooling::kNone, /*normalize=*/false);
}

absl::StatusOr<std::vector<std::vector<float>>> TranslationModel::Embed(
    absl::Span<const std::vector<int32_t>> sources, Pooling pooling, bool normalize) const {
  TSERVE_RETURN_IF_ERROR(ValidateSources(sources));
  TSERVE_RETURN_IF_ERROR(CheckPooling(pooling));
  EncodingTask task(*model_, sources, EncodingTask::Output::kStates, /*encoder_workspace=*/nullptr,
                    /*decoder_workspace=*/nullptr);
  task.Finish();
  std::vector<std::vector<float>> out;
  for (int64_t b = 0; b < task.size(); ++b) {
    out.push_back(Pool(task.states(b), task.length(b), pooling, normalize));
  }
  return out;
}

absl::Status TranslationModel::CheckPooling(Pooling pooling) const {
  if (pooling == Pooling::kSentenceModules && !sentence_modules_) {
    return absl::InvalidArgumentError(
        "this model has no sentence-transformers modules (modules.json); pool by mean, "
        "first or none");
  }
  return absl::OkStatus();
}

std::vector<float> TranslationModel::Pool(const float* states, int64_t length, Pooling pooling,
                                          bool normalize) const {
  const int64_t d = config().d_model;
  if (pooling != Pooling::kSentenceModules) {
    return PoolStates(states, length, d, pooling, normalize);
  }
  std::vector<float> embedding = sentence_modules_->Apply(states, length, d);
  if (normalize) NormalizeEachVector(embedding, static_cast<int64_t>(embedding.size()));
  return embedding;
}

int64_t TranslationModel::pooled_width(Pooling pooling) const {
  if (pooling == Pooling::kSentenceModules && sentence_modules_) {
    return sentence_modules_->output_width();
  }
  return config().d_model;
}

std::vector<float> PoolStates(const float* states, int64_t length, int64_t width, Pooling pooling,
                              bool normalize) {
  std::vector<float> out;
  switch (pooling) {
    case Pooling::kNone:
    case Pooling::kSentenceModules:  // TranslationModel::Pool applies the modules
      out.assign(states, states + length * width);
      break;
    case Pooling::kFirst:
      out.assign(states, states + width);
      break;
    case Pooling::kMean: {
      std::vector<double> sum(static_cast<size_t>(width), 0.0);
      for (int64_t i = 0; i < length; ++i) {
        for (int64_t j = 0; j < width; ++j) sum[j] += states[i * width + j];
      }
      for (double s : sum) out.push_back(static_cast<float>(s / static_cast<double>(length)));
      break;
    }
  }
  if (normalize) NormalizeEachVector(out, width);
  return out;
}

}  // namespace tserve::engine
