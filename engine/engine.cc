#include "engine/engine.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "engine/core/dnnl_context.h"
#include "engine/core/status_macros.h"

namespace tserve::engine {

absl::StatusOr<std::unique_ptr<TranslationModel>> TranslationModel::Load(
    const std::string& model_dir, const LoadOptions& options) {
  SetIntraOpThreads(options.threads);
  std::unique_ptr<TranslationModel> model(new TranslationModel());
  TSERVE_ASSIGN_OR_RETURN(model->model_, MarianModel::Load(model_dir, options.compute_type));
  TSERVE_ASSIGN_OR_RETURN(model->tokenizer_, Tokenizer::Load(model_dir, model->config()));
  return model;
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
        return absl::InvalidArgumentError(absl::StrCat("source ", i, " has token id ", id,
                                                       " outside the vocabulary of ",
                                                       c.vocab_size));
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
  PaddedBatch batch =
      PaddedBatch::FromSequences(sources, static_cast<int32_t>(config().pad_token_id));
  Tensor states;
  model_->encoder().Forward(batch, encoder_workspace, states);
  return model_->decoder().MakeSourceMemories(states, batch.lengths, decoder_workspace);
}

std::unique_ptr<Generator> TranslationModel::NewGenerator() const {
  return std::make_unique<Generator>(model_->decoder(), search_vocab());
}

absl::StatusOr<std::vector<GenerationResult>> TranslationModel::Translate(
    absl::Span<const std::vector<int32_t>> sources, const DecodingOptions& options) const {
  TSERVE_RETURN_IF_ERROR(ValidateSources(sources));
  TSERVE_RETURN_IF_ERROR(options.Validate(config()));
  EncoderWorkspace encoder_workspace;
  DecoderWorkspace decoder_workspace;
  auto memories = EncodeForDecoding(sources, encoder_workspace, decoder_workspace);
  std::unique_ptr<Generator> generator = NewGenerator();
  std::vector<JobId> ids;
  for (auto& memory : memories) ids.push_back(generator->Add(memory, options));

  std::vector<GenerationResult> results(sources.size());
  std::vector<Generator::FinishedJob> finished;
  while (generator->live_jobs() > 0) {
    generator->Step(nullptr, &finished);
  }
  // Job ids are handed out in order, starting from the first id.
  for (auto& job : finished) results[job.job - ids.front()] = std::move(job.result);
  return results;
}

absl::StatusOr<std::vector<std::vector<float>>> TranslationModel::EncoderStates(
    absl::Span<const std::vector<int32_t>> sources) const {
  return Embed(sources, Pooling::kNone, /*normalize=*/false);
}

absl::StatusOr<std::vector<std::vector<float>>> TranslationModel::Embed(
    absl::Span<const std::vector<int32_t>> sources, Pooling pooling, bool normalize) const {
  TSERVE_RETURN_IF_ERROR(ValidateSources(sources));
  PaddedBatch batch =
      PaddedBatch::FromSequences(sources, static_cast<int32_t>(config().pad_token_id));
  EncoderWorkspace workspace;
  Tensor states;
  model_->encoder().Forward(batch, workspace, states);
  const int64_t d = config().d_model;
  std::vector<std::vector<float>> out;
  for (int64_t b = 0; b < batch.batch_size; ++b) {
    out.push_back(PoolStates(states.data() + b * batch.max_length * d, batch.lengths[b], d,
                             pooling, normalize));
  }
  return out;
}

std::vector<float> PoolStates(const float* states, int64_t length, int64_t width, Pooling pooling,
                              bool normalize) {
  std::vector<float> out;
  switch (pooling) {
    case Pooling::kNone:
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
  if (normalize) {
    // Each vector of `width` values separately (per token with kNone).
    for (size_t begin = 0; begin < out.size(); begin += static_cast<size_t>(width)) {
      double norm = 0;
      for (int64_t j = 0; j < width; ++j) norm += double(out[begin + j]) * out[begin + j];
      norm = std::sqrt(norm);
      if (norm == 0) continue;
      for (int64_t j = 0; j < width; ++j) out[begin + j] = static_cast<float>(out[begin + j] / norm);
    }
  }
  return out;
}

}  // namespace tserve::engine
