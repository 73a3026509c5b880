#include "server/request_validation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace tserve::server {

namespace {

absl::Status Invalid(absl::string_view message) { return absl::InvalidArgumentError(message); }

// Where the first invalid byte is, or npos.
size_t FirstInvalidUtf8Byte(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t min;
    uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      length = 2, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, code = c & 0x07;
    } else {
      return i;  // a continuation byte without a lead byte, or 0xF8..0xFF
    }
    if (i + length > n) return i;
    for (size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += length;
  }
  return absl::string_view::npos;
}

// Unicode White_Space characters, and the zero-width space and byte-order
// mark that normalisation also removes.
bool IsSpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

// True when valid UTF-8 `text` holds nothing but white space.
bool IsAllSpace(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    uint32_t code = s[i];
    size_t length = 1;
    if (code >= 0xF0) {
      code &= 0x07, length = 4;
    } else if (code >= 0xE0) {
      code &= 0x0F, length = 3;
    } else if (code >= 0xC0) {
      code &= 0x1F, length = 2;
    }
    for (size_t k = 1; k < length; ++k) code = (code << 6) | (s[i + k] & 0x3F);
    if (!IsSpace(code)) return false;
    i += length;
  }
  return true;
}

absl::Status CheckOneText(absl::string_view text, absl::string_view name) {
  if (text.empty()) {
    return Invalid(absl::StrCat(name, " is empty: every text must have at least one character"));
  }
  if (size_t at = FirstInvalidUtf8Byte(text); at != absl::string_view::npos) {
    return Invalid(absl::StrCat(name, " is not valid UTF-8 (first bad byte at offset ", at,
                                "): send UTF-8 encoded text"));
  }
  // Normalisation would leave nothing of it: refused like an empty text.
  if (IsAllSpace(text)) {
    return Invalid(absl::StrCat(
        name, " is only white space: every text must have at least one other character"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  return FirstInvalidUtf8Byte(text) == absl::string_view::npos;
}

absl::Status ValidateTexts(const google::protobuf::RepeatedPtrField<std::string>& texts,
                           const RequestLimits& limits) {
  if (texts.empty()) return Invalid("texts is empty: send at least one text");
  if (texts.size() > limits.max_texts_per_request) {
    return Invalid(absl::StrCat("too many texts: ", texts.size(), " in one call, the limit is ",
                                limits.max_texts_per_request,
                                " (--max_texts_per_request); split them over several calls"));
  }
  for (int i = 0; i < texts.size(); ++i) {
    if (absl::Status status = CheckOneText(texts[i], absl::StrCat("texts[", i, "]"));
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view text) { return CheckOneText(text, "text"); }

DecodingDefaults ComputeDefaults(const engine::ModelConfig& config, const RequestLimits& limits) {
  DecodingDefaults d;
  d.beam_size =
      static_cast<int>(std::clamp<int64_t>(config.num_beams, 1, std::max(1, limits.max_beam_size)));
  // Hugging Face's max_length counts the start token; positions bound it too.
  const int64_t model_longest =
      std::min<int64_t>(config.max_length - 1, config.max_position_embeddings);
  d.max_length = static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>(limits.max_decoding_length, model_longest)));
  d.length_penalty = config.length_penalty;
  d.min_length = static_cast<int>(
      std::clamp<int64_t>(config.min_length - 1, 0, static_cast<int64_t>(d.max_length)));
  d.max_input_tokens = static_cast<int>(std::max<int64_t>(
      1, std::min<int64_t>(limits.max_input_tokens, config.max_position_embeddings)));
  return d;
}

bool TruncationRequested(tserve::v1::Truncation truncation) {
  return truncation == tserve::v1::TRUNCATION_END;
}

absl::Status ValidateTruncation(int truncation) {
  if (tserve::v1::Truncation_IsValid(truncation)) return absl::OkStatus();
  return Invalid(absl::StrCat("truncation=", truncation,
                              " is not a truncation: use TRUNCATION_NONE (refuse over-long texts) "
                              "or TRUNCATION_END (cut them)"));
}

absl::StatusOr<engine::DecodingOptions> ToEngineOptions(
    const tserve::v1::DecodingOptions& in, const DecodingDefaults& defaults,
    const RequestLimits& limits, const engine::ModelConfig& config,
    absl::FunctionRef<std::vector<int32_t>(absl::string_view)> encode_target,
    uint64_t random_seed, std::optional<int32_t> forced_first_token) {
  engine::DecodingOptions out;
  out.forced_first_token = forced_first_token;

  if (in.beam_size() > static_cast<uint32_t>(limits.max_beam_size)) {
    return Invalid(absl::StrCat("options.beam_size=", in.beam_size(),
                                " is too large: this server allows at most ", limits.max_beam_size,
                                " (--max_beam_size)"));
  }
  out.beam_size = in.beam_size() == 0 ? defaults.beam_size : static_cast<int>(in.beam_size());

  if (!std::isfinite(in.sampling_temperature()) || in.sampling_temperature() < 0.f ||
      in.sampling_temperature() > 100.f) {
    return Invalid(absl::StrCat("options.sampling_temperature=", in.sampling_temperature(),
                                " is out of range: use a value in [0, 100] (0 disables sampling)"));
  }
  out.sampling_temperature = in.sampling_temperature();
  // Sampling is asked for with a temperature and no explicit beam: the
  // model's default beam must not silently turn it off.
  if (out.sampling_temperature > 0.f && in.beam_size() == 0) out.beam_size = 1;
  const bool sampling = out.sampling();

  const uint32_t hypotheses = in.num_hypotheses() == 0 ? 1 : in.num_hypotheses();
  if (sampling) {
    if (hypotheses > static_cast<uint32_t>(limits.max_beam_size)) {
      return Invalid(absl::StrCat("options.num_hypotheses=", hypotheses,
                                  " is too large: with sampling at most ", limits.max_beam_size,
                                  " (--max_beam_size) hypotheses are drawn per text"));
    }
  } else if (hypotheses > static_cast<uint32_t>(out.beam_size)) {
    return Invalid(absl::StrCat("options.num_hypotheses=", hypotheses,
                                " is larger than the beam size ", out.beam_size,
                                ": raise options.beam_size or ask for fewer hypotheses"));
  }
  out.num_hypotheses = static_cast<int>(hypotheses);

  if (in.max_length() > static_cast<uint32_t>(limits.max_decoding_length)) {
    return Invalid(absl::StrCat("options.max_length=", in.max_length(),
                                " is too large: this server allows at most ",
                                limits.max_decoding_length, " (--max_decoding_length)"));
  }
  if (in.max_length() > static_cast<uint64_t>(config.max_position_embeddings)) {
    return Invalid(absl::StrCat("options.max_length=", in.max_length(),
                                " is too large for this model: it has ",
                                config.max_position_embeddings, " positions"));
  }
  out.max_length = in.max_length() == 0 ? defaults.max_length : static_cast<int>(in.max_length());
  if (in.min_length() > static_cast<uint32_t>(out.max_length)) {
    return Invalid(absl::StrCat("options.min_length=", in.min_length(),
                                " is larger than max_length (", out.max_length,
                                "): lower min_length or raise max_length"));
  }
  // Unset (0): the model's default, which a shorter max_length caps.
  out.min_length = in.min_length() != 0 ? static_cast<int>(in.min_length())
                                        : std::min(defaults.min_length, out.max_length);

  out.length_penalty = in.has_length_penalty() ? in.length_penalty() : defaults.length_penalty;
  if (!(out.length_penalty >= 0.f && out.length_penalty <= 10.f)) {
    return Invalid(absl::StrCat("options.length_penalty=", out.length_penalty,
                                " is out of range: use a value in [0, 10]"));
  }

  if (in.sampling_topk() > static_cast<uint64_t>(config.target_vocab_size())) {
    return Invalid(absl::StrCat("options.sampling_topk=", in.sampling_topk(),
                                " is larger than the target vocabulary (",
                                config.target_vocab_size(), "); use 0 to keep every token"));
  }
  out.sampling_topk = static_cast<int>(in.sampling_topk());
  out.sampling_topp = in.has_sampling_topp() ? in.sampling_topp() : 1.f;
  if (!(out.sampling_topp > 0.f && out.sampling_topp <= 1.f)) {
    return Invalid(absl::StrCat("options.sampling_topp=", out.sampling_topp,
                                " is out of range: use a value in (0, 1] (1 keeps every token)"));
  }
  out.seed = in.has_seed() ? in.seed() : random_seed;

  if (!in.target_prefix().empty()) {
    if (!IsValidUtf8(in.target_prefix())) {
      return Invalid("options.target_prefix is not valid UTF-8: send UTF-8 encoded text");
    }
    out.target_prefix = encode_target(in.target_prefix());
    // A forced first token (a target-language token) comes before the prefix.
    const bool forced = out.forced_first_token || config.forced_bos_token_id;
    if (static_cast<int64_t>(out.target_prefix.size()) + (forced ? 1 : 0) >= out.max_length) {
      return Invalid(absl::StrCat("options.target_prefix has ", out.target_prefix.size(),
                                  " tokens; it must be shorter than max_length (", out.max_length,
                                  ")", forced ? " - 1, for the forced target-language token" : "",
                                  ": shorten the prefix or raise max_length"));
    }
  }

  // The engine's own checks (defence in depth; the checks above say more).
  if (absl::Status status = out.Validate(config); !status.ok()) {
    return Invalid(absl::StrCat("options: ", status.message()));
  }
  return out;
}

}  // namespace tserve::server
