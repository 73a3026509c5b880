#include "server/translator_service.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "server/batching/work_item.h"
#include "server/build_info.h"
#include "server/reply_size.h"
#include "server/request_tokens.h"
#include "server/request_validation.h"

namespace tserve::server {

namespace {

using tserve::v1::TranslateStreamResponse;

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

absl::Time DeadlineOf(const grpc::CallbackServerContext* context) {
  const std::chrono::system_clock::time_point deadline = context->deadline();
  // No deadline reads as the far future; keep clear of chrono overflow.
  if (deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

uint64_t RandomSeed() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

std::string_view StdView(absl::string_view s) { return std::string_view(s.data(), s.size()); }

int64_t GeneratedTokens(const engine::GenerationResult& result) {
  int64_t n = 0;
  for (const engine::Hypothesis& h : result.hypotheses) {
    n += static_cast<int64_t>(h.ids.size()) + (h.ended_with_eos ? 1 : 0);
  }
  return n;
}

// `forced_first`: the decoding's forced first token, left out of the token lists.
void FillResult(const engine::Tokenizer& tokenizer, const engine::GenerationResult& result,
                const engine::EncodedText& source, const tserve::v1::DecodingOptions& options,
                std::optional<int32_t> forced_first, tserve::v1::TranslationResult* out) {
  const bool token_scores = options.return_token_scores();
  const bool scores = options.return_scores() || token_scores;
  for (const engine::Hypothesis& h : result.hypotheses) {
    tserve::v1::Hypothesis* hyp = out->add_hypotheses();
    hyp->set_text(tokenizer.DecodeTarget(h.ids));
    if (scores) hyp->set_score(h.score);
    const auto hidden = static_cast<std::ptrdiff_t>(HiddenTokens(h.ids, forced_first));
    if (token_scores) {
      hyp->mutable_token_scores()->Assign(h.token_scores.begin() + hidden, h.token_scores.end());
    }
    if (options.return_tokens()) {
      hyp->mutable_token_ids()->Assign(h.ids.begin() + hidden, h.ids.end());
      for (auto it = h.ids.begin() + hidden; it != h.ids.end(); ++it) {
        hyp->add_tokens(tokenizer.TargetPiece(*it));
      }
    }
  }
  out->set_input_tokens(static_cast<uint32_t>(source.ids.size()));
  out->set_truncated(source.truncated);
}

// The common start of Translate and TranslateStream once the model is known: the
// request's options as engine options and its texts tokenized (`sources`). Where the
// tokenizer forces the target language (NLLB-200, M2M100, mBART-50), its token is the
// forced first token of every text.
absl::StatusOr<engine::DecodingOptions> PrepareTranslation(
    const ServedModel& served, const RequestLimits& limits,
    const tserve::v1::DecodingOptions& options,
    const google::protobuf::RepeatedPtrField<std::string>& texts, tserve::v1::Truncation truncation,
    const engine::RequestLanguages& languages, std::vector<engine::EncodedText>* sources) {
  if (absl::Status s = served.model->CheckCanTranslate(); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("model ", served.name, ": ", s.message()));
  }
  const engine::Tokenizer& tokenizer = served.model->tokenizer();
  absl::StatusOr<std::optional<int32_t>> forced = ForcedLanguageToken(tokenizer, languages.target);
  if (!forced.ok()) return forced.status();
  absl::StatusOr<engine::DecodingOptions> decoding = ToEngineOptions(
      options, served.defaults, limits, served.model->config(),
      [&tokenizer](absl::string_view text) { return tokenizer.EncodeTarget(StdView(text)); },
      RandomSeed(), *forced);
  if (!decoding.ok()) return decoding.status();
  if (absl::Status s =
          EncodeTexts(tokenizer, static_cast<size_t>(served.defaults.max_input_tokens), texts,
                      truncation, languages, engine::LanguageRequirement::kRequired, sources);
      !s.ok()) {
    return s;
  }
  return decoding;
}

// Detokenizes a growing token sequence and returns what each token adds.
class IncrementalDetokenizer {
 public:
  explicit IncrementalDetokenizer(const engine::Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

  std::string Add(int32_t id) {
    ids_.push_back(id);
    std::string text = tokenizer_.DecodeTarget(ids_);
    // Usually the old text is a prefix of the new one; when a later piece
    // changes earlier text, send what follows the common prefix.
    size_t common = 0;
    while (common < text.size() && common < text_.size() && text[common] == text_[common]) {
      ++common;
    }
    std::string delta = text.substr(common);
    text_ = std::move(text);
    return delta;
  }

 private:
  const engine::Tokenizer& tokenizer_;
  std::vector<int32_t> ids_;
  std::string text_;
};

// What every call records: method, model, duration and status code.
class CallRecord {
 public:
  CallRecord(Metrics* metrics, const char* rpc) : metrics_(metrics), rpc_(rpc) {}

  void set_model(const std::string& model) { model_ = model; }
  void Record(const grpc::Status& status) const {
    if (metrics_ != nullptr) {
      metrics_->RecordRequest(rpc_, model_, CodeName(status.error_code()), absl::Now() - start_);
    }
  }

 private:
  Metrics* const metrics_;
  const char* const rpc_;
  std::string model_;
  const absl::Time start_ = absl::Now();
};

// A unary call answered once all its sentences are done. It lives until
// gRPC calls OnDone, which comes only after Reply(), which comes only after
// every admitted sentence's on_done, so engine callbacks never outlive it.
class UnaryCall : public grpc::ServerUnaryReactor {
 public:
  UnaryCall(Metrics* metrics, const char* rpc)
      : record_(metrics, rpc), cancellation_(std::make_shared<CancellationFlag>()) {}

  void OnCancel() override { cancellation_->Cancel(); }
  void OnDone() override { delete this; }

 protected:
  // Must be the last thing a caller does with this object.
  void Reply(const grpc::Status& status) {
    record_.Record(status);
    Finish(status);
  }

  // Resolves the request's model (model_) and checks its texts: the common
  // start of Translate and Encode.
  absl::Status ResolveModelAndTexts(const TranslatorService& service,
                                    absl::StatusOr<const ModelRegistry*> registry,
                                    const std::string& model_name,
                                    const google::protobuf::RepeatedPtrField<std::string>& texts) {
    if (!registry.ok()) return registry.status();
    absl::StatusOr<ServedModel*> model = (*registry)->Resolve(model_name);
    if (!model.ok()) return model.status();
    model_ = *model;
    record_.set_model(model_->name);
    max_reply_bytes_ = service.limits().max_reply_bytes;
    return ValidateTexts(texts, service.limits());
  }

  // Submits one work item per entry of sources_ (its kind and options set by
  // `fill`) with the call's deadline and cancellation, admitted together or
  // not at all. Once the last item is done, on the engine thread, the call
  // replies: with the first failed item's status, or ReplyWithResults().
  absl::Status SubmitItems(const grpc::CallbackServerContext* context,
                           absl::FunctionRef<void(WorkItem&)> fill) {
    const int n = static_cast<int>(sources_.size());
    results_.resize(n);
    remaining_.store(n);
    const absl::Time deadline = DeadlineOf(context);
    std::vector<WorkItem> items(n);
    for (int i = 0; i < n; ++i) {
      WorkItem& item = items[i];
      fill(item);
      item.source = sources_[i].ids;
      item.deadline = deadline;
      item.cancellation = cancellation_;
      item.on_done = [this, i](absl::StatusOr<ItemResult> result) {
        results_[i] = std::move(result);
        if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) OnAllItemsDone();
      };
    }
    return model_->scheduler->Submit(std::move(items));
  }

  // Fills the response from results_, every one of them OK, and replies.
  virtual void ReplyWithResults() = 0;

  CallRecord record_;
  std::shared_ptr<CancellationFlag> cancellation_;
  ServedModel* model_ = nullptr;
  std::vector<engine::EncodedText> sources_;
  std::vector<absl::StatusOr<ItemResult>> results_;
  int64_t max_reply_bytes_ = 0;

 private:
  void OnAllItemsDone() {
    for (const absl::StatusOr<ItemResult>& result : results_) {
      if (!result.ok()) {
        Reply(ToGrpcStatus(result.status()));
        return;
      }
    }
    ReplyWithResults();
  }

  std::atomic<int> remaining_{0};
};

class TranslateCall final : public UnaryCall {
 public:
  TranslateCall(const TranslatorService& service, grpc::CallbackServerContext* context,
                const tserve::v1::TranslateRequest* request,
                tserve::v1::TranslateResponse* response,
                absl::StatusOr<const ModelRegistry*> registry)
      : UnaryCall(service.metrics(), "Translate"), request_(request), response_(response) {
    absl::Status status = Start(service, context, registry);
    if (!status.ok()) Reply(ToGrpcStatus(status));
  }

 private:
  absl::Status Start(const TranslatorService& service, grpc::CallbackServerContext* context,
                     absl::StatusOr<const ModelRegistry*> registry) {
    if (absl::Status s =
            ResolveModelAndTexts(service, registry, request_->model(), request_->texts());
        !s.ok()) {
      return s;
    }
    absl::StatusOr<engine::DecodingOptions> decoding = PrepareTranslation(
        *model_, service.limits(), request_->options(), request_->texts(), request_->truncation(),
        {request_->source_language(), request_->target_language()}, &sources_);
    if (!decoding.ok()) return decoding.status();
    forced_first_ = ForcedFirstToken(*decoding, model_->model->config());

    // The call is answered once all its sentences are done: they join the
    // decoder together (JoinGroup).
    std::shared_ptr<JoinGroup> join_group;
    if (sources_.size() > 1) {
      join_group = std::make_shared<JoinGroup>(static_cast<int>(sources_.size()));
    }
    return SubmitItems(context, [&decoding, &join_group](WorkItem& item) {
      item.kind = WorkItem::Kind::kTranslate;
      item.decoding = *decoding;
      item.join_group = join_group;
    });
  }

  void ReplyWithResults() override {
    const engine::Tokenizer& tokenizer = model_->model->tokenizer();
    response_->set_model(model_->name);
    int64_t generated = 0;
    for (size_t i = 0; i < results_.size(); ++i) {
      FillResult(tokenizer, results_[i]->translation, sources_[i], request_->options(),
                 forced_first_, response_->add_results());
      generated += GeneratedTokens(results_[i]->translation);
    }
    model_->metrics->AddGeneratedTokens(generated);
    // Its size is known only now: gRPC would fail to send a larger one.
    if (absl::Status s =
            CheckReplySize(static_cast<int64_t>(response_->ByteSizeLong()), max_reply_bytes_,
                           "fewer hypotheses, a lower max_length or no token lists");
        !s.ok()) {
      response_->Clear();
      Reply(ToGrpcStatus(s));
      return;
    }
    Reply(grpc::Status::OK);
  }

  const tserve::v1::TranslateRequest* const request_;
  tserve::v1::TranslateResponse* const response_;
  std::optional<int32_t> forced_first_;  // of every item's decoding
};

class EncodeCall final : public UnaryCall {
 public:
  EncodeCall(const TranslatorService& service, grpc::CallbackServerContext* context,
             const tserve::v1::EncodeRequest* request, tserve::v1::EncodeResponse* response,
             absl::StatusOr<const ModelRegistry*> registry)
      : UnaryCall(service.metrics(), "Encode"), request_(request), response_(response) {
    absl::Status status = Start(service, context, registry);
    if (!status.ok()) Reply(ToGrpcStatus(status));
  }

 private:
  absl::Status Start(const TranslatorService& service, grpc::CallbackServerContext* context,
                     absl::StatusOr<const ModelRegistry*> registry) {
    if (absl::Status s =
            ResolveModelAndTexts(service, registry, request_->model(), request_->texts());
        !s.ok()) {
      return s;
    }
    engine::Pooling pooling;
    switch (request_->pooling()) {
      case tserve::v1::POOLING_UNSPECIFIED:
        pooling = model_->model->default_pooling();
        break;
      case tserve::v1::POOLING_MEAN:
        pooling = engine::Pooling::kMean;
        break;
      case tserve::v1::POOLING_FIRST:
        pooling = engine::Pooling::kFirst;
        break;
      case tserve::v1::POOLING_NONE:
        pooling = engine::Pooling::kNone;
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("pooling=", request_->pooling(),
                         " is not a pooling: use POOLING_MEAN, POOLING_FIRST or POOLING_NONE"));
    }
    // Encoder states need no target language (a Marian text's own >>xx<< still counts);
    // NLLB's and M2M100's encoder input starts with the source-language token.
    if (absl::Status s = EncodeTexts(
            model_->model->tokenizer(), static_cast<size_t>(model_->defaults.max_input_tokens),
            request_->texts(), request_->truncation(), {request_->source_language(), /*target=*/""},
            engine::LanguageRequirement::kOptional, &sources_);
        !s.ok()) {
      return s;
    }
    // The reply's size is known now, before any engine work.
    std::vector<EmbeddingShape> shapes;
    for (const engine::EncodedText& source : sources_) {
      const int64_t tokens = static_cast<int64_t>(source.ids.size());
      shapes.push_back({pooling == engine::Pooling::kNone ? tokens : 1, tokens, source.truncated});
    }
    if (absl::Status s = CheckReplySize(
            EncodeResponseBytes(model_->name, model_->model->pooled_width(pooling), shapes),
            max_reply_bytes_, "shorter texts, or a pooled embedding instead of POOLING_NONE");
        !s.ok()) {
      return s;
    }
    const bool normalize = request_->normalize();
    pooling_ = pooling;
    return SubmitItems(context, [pooling, normalize](WorkItem& item) {
      item.kind = WorkItem::Kind::kEncode;
      item.pooling = pooling;
      item.normalize = normalize;
    });
  }

  void ReplyWithResults() override {
    const size_t d = static_cast<size_t>(model_->model->pooled_width(pooling_));
    response_->set_model(model_->name);
    response_->set_dimension(static_cast<uint32_t>(d));
    for (size_t i = 0; i < results_.size(); ++i) {
      const std::vector<float>& values = results_[i]->embedding;
      tserve::v1::Embedding* embedding = response_->add_embeddings();
      for (size_t begin = 0; begin + d <= values.size(); begin += d) {
        embedding->add_vectors()->mutable_values()->Assign(values.begin() + begin,
                                                           values.begin() + begin + d);
      }
      embedding->set_input_tokens(static_cast<uint32_t>(sources_[i].ids.size()));
      embedding->set_truncated(sources_[i].truncated);
    }
    Reply(grpc::Status::OK);
  }

  const tserve::v1::EncodeRequest* const request_;
  tserve::v1::EncodeResponse* const response_;
  engine::Pooling pooling_ = engine::Pooling::kMean;  // of every item, known at Start
};

// TranslateStream: tokens are queued by the engine thread and written one at
// a time (gRPC allows one outstanding write); the call finishes once the
// queue is empty after the final message or an error. A client that stops
// reading only grows this call's queue; the engine thread never waits.
class StreamCall final : public grpc::ServerWriteReactor<TranslateStreamResponse> {
 public:
  StreamCall(const TranslatorService& service, grpc::CallbackServerContext* context,
             const tserve::v1::TranslateStreamRequest* request,
             absl::StatusOr<const ModelRegistry*> registry)
      : record_(service.metrics(), "TranslateStream"),
        request_(request),
        cancellation_(std::make_shared<CancellationFlag>()) {
    absl::Status status = Start(service, context, registry);
    if (!status.ok()) End(ToGrpcStatus(status));
  }

  void OnCancel() override { cancellation_->Cancel(); }
  void OnDone() override { delete this; }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(mutex_);
    queue_.pop_front();
    if (!ok) {
      // The client is gone: stop decoding for it, drop what was queued.
      broken_ = true;
      queue_.clear();
      cancellation_->Cancel();
    }
    if (!queue_.empty()) {
      const TranslateStreamResponse* next = &queue_.front();
      lock.unlock();
      StartWrite(next);
      return;
    }
    writing_ = false;
    if (ended_ && !finished_) {
      finished_ = true;
      const grpc::Status status = final_status_;
      lock.unlock();
      record_.Record(status);
      Finish(status);
    }
  }

 private:
  absl::Status Start(const TranslatorService& service, grpc::CallbackServerContext* context,
                     absl::StatusOr<const ModelRegistry*> registry) {
    if (!registry.ok()) return registry.status();
    absl::StatusOr<ServedModel*> model = (*registry)->Resolve(request_->model());
    if (!model.ok()) return model.status();
    model_ = *model;
    record_.set_model(model_->name);
    max_reply_bytes_ = service.limits().max_reply_bytes;
    if (absl::Status s = ValidateText(request_->text()); !s.ok()) return s;
    google::protobuf::RepeatedPtrField<std::string> texts;
    texts.Add()->assign(request_->text());
    std::vector<engine::EncodedText> sources;
    absl::StatusOr<engine::DecodingOptions> decoding = PrepareTranslation(
        *model_, service.limits(), request_->options(), texts, request_->truncation(),
        {request_->source_language(), request_->target_language()}, &sources);
    if (!decoding.ok()) return decoding.status();
    source_ = std::move(sources.front());
    forced_first_ = ForcedFirstToken(*decoding, model_->model->config());
    detokenizer_ = std::make_unique<IncrementalDetokenizer>(model_->model->tokenizer());
    streams_tokens_ = decoding->beam_size <= 1 || decoding->sampling();

    WorkItem item;
    item.kind = WorkItem::Kind::kTranslate;
    item.source = source_.ids;
    item.decoding = std::move(decoding).value();
    item.deadline = DeadlineOf(context);
    item.cancellation = cancellation_;
    if (streams_tokens_) {
      item.on_token = [this](const engine::StreamedToken& token) { SendToken(token); };
    }
    item.on_done = [this](absl::StatusOr<ItemResult> result) { OnResult(std::move(result)); };
    std::vector<WorkItem> items;
    items.push_back(std::move(item));
    return model_->scheduler->Submit(std::move(items));
  }

  // Engine thread. The forced first token (a target-language token) is not sent, and
  // the indexes after it are those of Hypothesis.token_ids.
  void SendToken(const engine::StreamedToken& token) {
    if (token.index == 0 && forced_first_ == token.id) {
      hidden_ = 1;
      return;
    }
    TranslateStreamResponse message;
    tserve::v1::StreamToken* out = message.mutable_token();
    out->set_index(static_cast<uint32_t>(token.index - hidden_));
    out->set_token_id(token.id);
    out->set_token(model_->model->tokenizer().TargetPiece(token.id));
    out->set_text(detokenizer_->Add(token.id));
    out->set_score(token.score);
    Enqueue(std::move(message));
  }

  // Engine thread (or the submitting thread): the last callback of the item.
  void OnResult(absl::StatusOr<ItemResult> result) {
    if (!result.ok()) {
      End(ToGrpcStatus(result.status()));
      return;
    }
    const engine::GenerationResult& translation = result->translation;
    if (!streams_tokens_ && !translation.hypotheses.empty()) {
      // Beam search: the best hypothesis is only known now.
      const engine::Hypothesis& best = translation.hypotheses.front();
      for (size_t i = 0; i < best.ids.size(); ++i) {
        const float score = i < best.token_scores.size() ? best.token_scores[i] : 0.f;
        SendToken(engine::StreamedToken{best.ids[i], score, static_cast<int>(i)});
      }
    }
    TranslateStreamResponse message;
    FillResult(model_->model->tokenizer(), translation, source_, request_->options(), forced_first_,
               message.mutable_result());
    model_->metrics->AddGeneratedTokens(GeneratedTokens(translation));
    if (absl::Status s =
            CheckReplySize(static_cast<int64_t>(message.ByteSizeLong()), max_reply_bytes_,
                           "fewer hypotheses, a lower max_length or no token lists");
        !s.ok()) {
      End(ToGrpcStatus(s));
      return;
    }
    Enqueue(std::move(message));
    End(grpc::Status::OK);
  }

  void Enqueue(TranslateStreamResponse message) {
    std::unique_lock lock(mutex_);
    if (broken_ || ended_) return;
    queue_.push_back(std::move(message));
    if (writing_) return;
    writing_ = true;
    const TranslateStreamResponse* next = &queue_.front();
    lock.unlock();
    StartWrite(next);
  }

  // Ends the call with `status` once queued messages are written (an error
  // drops the messages not yet started). Must be the caller's last use of
  // this object.
  void End(grpc::Status status) {
    std::unique_lock lock(mutex_);
    if (ended_) return;
    ended_ = true;
    final_status_ = status;
    if (!status.ok() && writing_) {
      // Keep the message being written (gRPC holds a pointer to it).
      while (queue_.size() > 1) queue_.pop_back();
    }
    if (writing_ || finished_) return;
    finished_ = true;
    lock.unlock();
    record_.Record(status);
    Finish(status);
  }

  CallRecord record_;
  const tserve::v1::TranslateStreamRequest* const request_;
  std::shared_ptr<CancellationFlag> cancellation_;
  ServedModel* model_ = nullptr;
  engine::EncodedText source_;
  std::unique_ptr<IncrementalDetokenizer> detokenizer_;
  std::optional<int32_t> forced_first_;  // of the decoding
  int hidden_ = 0;                       // 1 once the forced first token was left out
  bool streams_tokens_ = true;
  int64_t max_reply_bytes_ = 0;

  std::mutex mutex_;
  // Guarded by mutex_. The front message is being written while writing_.
  std::deque<TranslateStreamResponse> queue_;
  bool writing_ = false;
  bool ended_ = false;     // the final status is known
  bool finished_ = false;  // Finish() was called
  bool broken_ = false;    // a write failed: the client is gone
  grpc::Status final_status_;
};

void FillModelInfo(const ServedModel& served, const RequestLimits& limits, bool is_default,
                   tserve::v1::ModelInfo* info) {
  const engine::ModelConfig& c = served.model->config();
  info->set_name(served.name);
  info->set_path(served.path);
  tserve::v1::ModelConfig* config = info->mutable_config();
  config->set_d_model(static_cast<uint32_t>(c.d_model));
  config->set_encoder_layers(static_cast<uint32_t>(c.encoder_layers));
  config->set_decoder_layers(static_cast<uint32_t>(c.decoder_layers));
  config->set_encoder_attention_heads(static_cast<uint32_t>(c.encoder_attention_heads));
  config->set_decoder_attention_heads(static_cast<uint32_t>(c.decoder_attention_heads));
  config->set_encoder_ffn_dim(static_cast<uint32_t>(c.encoder_ffn_dim));
  config->set_decoder_ffn_dim(static_cast<uint32_t>(c.decoder_ffn_dim));
  config->set_source_vocab_size(static_cast<uint32_t>(c.vocab_size));
  config->set_target_vocab_size(static_cast<uint32_t>(c.target_vocab_size()));
  config->set_max_position_embeddings(static_cast<uint32_t>(c.max_position_embeddings));
  config->set_activation_function(c.activation_name);
  config->set_tie_word_embeddings(c.tie_word_embeddings);
  config->set_separate_vocabs(c.separate_vocabs());
  info->set_compute_type(std::string(engine::ComputeTypeName(served.compute_type)));
  tserve::v1::ModelLimits* l = info->mutable_limits();
  l->set_max_input_tokens(static_cast<uint32_t>(served.defaults.max_input_tokens));
  l->set_max_decoding_length(static_cast<uint32_t>(
      std::min<int64_t>(limits.max_decoding_length, c.max_position_embeddings)));
  l->set_max_beam_size(static_cast<uint32_t>(limits.max_beam_size));
  l->set_max_texts_per_request(static_cast<uint32_t>(limits.max_texts_per_request));
  l->set_default_beam_size(static_cast<uint32_t>(served.defaults.beam_size));
  l->set_default_max_length(static_cast<uint32_t>(served.defaults.max_length));
  info->set_load_seconds(served.load_seconds);
  info->set_is_default(is_default);
  const engine::Tokenizer& tokenizer = served.model->tokenizer();
  info->mutable_target_languages()->Assign(tokenizer.target_languages().begin(),
                                           tokenizer.target_languages().end());
  info->mutable_source_languages()->Assign(tokenizer.source_languages().begin(),
                                           tokenizer.source_languages().end());
  info->set_family(std::string(engine::ModelTypeName(c.family)));
  info->set_encoder_only(!served.model->has_decoder());
  info->set_embedding_dimension(
      static_cast<uint32_t>(served.model->pooled_width(served.model->default_pooling())));
}

}  // namespace

TranslatorService::TranslatorService(const RequestLimits& limits, Metrics* metrics)
    : limits_(limits), metrics_(metrics) {}

void TranslatorService::SetModels(const ModelRegistry* registry) {
  registry_.store(registry, std::memory_order_release);
}

void TranslatorService::StartDraining() { draining_.store(true, std::memory_order_release); }

absl::StatusOr<const ModelRegistry*> TranslatorService::Models() const {
  if (draining_.load(std::memory_order_acquire)) {
    return absl::UnavailableError(
        "the server is draining (shutting down); retry on another "
        "replica");
  }
  const ModelRegistry* registry = registry_.load(std::memory_order_acquire);
  if (registry == nullptr) {
    return absl::UnavailableError("the server is loading its models; retry shortly");
  }
  return registry;
}

grpc::ServerUnaryReactor* TranslatorService::Translate(grpc::CallbackServerContext* context,
                                                       const tserve::v1::TranslateRequest* request,
                                                       tserve::v1::TranslateResponse* response) {
  return new TranslateCall(*this, context, request, response, Models());
}

grpc::ServerWriteReactor<TranslateStreamResponse>* TranslatorService::TranslateStream(
    grpc::CallbackServerContext* context, const tserve::v1::TranslateStreamRequest* request) {
  return new StreamCall(*this, context, request, Models());
}

grpc::ServerUnaryReactor* TranslatorService::Encode(grpc::CallbackServerContext* context,
                                                    const tserve::v1::EncodeRequest* request,
                                                    tserve::v1::EncodeResponse* response) {
  return new EncodeCall(*this, context, request, response, Models());
}

grpc::ServerUnaryReactor* TranslatorService::GetModelInfo(
    grpc::CallbackServerContext* context, const tserve::v1::GetModelInfoRequest* request,
    tserve::v1::GetModelInfoResponse* response) {
  CallRecord record(metrics_, "GetModelInfo");
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto reply = [&](const grpc::Status& status) {
    record.Record(status);
    reactor->Finish(status);
    return reactor;
  };
  absl::StatusOr<const ModelRegistry*> registry = Models();
  if (!registry.ok()) return reply(ToGrpcStatus(registry.status()));
  response->set_server_version(std::string(Version()));
  const ServedModel* default_model = (*registry)->default_model();
  if (!request->model().empty()) {
    absl::StatusOr<ServedModel*> model = (*registry)->Resolve(request->model());
    if (!model.ok()) return reply(ToGrpcStatus(model.status()));
    record.set_model((*model)->name);
    FillModelInfo(**model, limits_, *model == default_model, response->add_models());
    return reply(grpc::Status::OK);
  }
  for (const auto& model : (*registry)->models()) {
    FillModelInfo(*model, limits_, model.get() == default_model, response->add_models());
  }
  return reply(grpc::Status::OK);
}

}  // namespace tserve::server
