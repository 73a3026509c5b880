// The T5 tokenizer (engine/text/tokenizer_t5.cc) on a T5-layout directory
// (tests/data/tokenizers/t5, tools/make_t5_tokenizer_fixture.py) against the ids that
// libsentencepiece and transformers' T5Tokenizer rules give (expected.json): source ids
// under the legacy and non-legacy rules, sentinel tokens in the text, target ids, decoding;
// and the refusal of files that contradict each other and of request languages.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/model/config.h"
#include "engine/text/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kT5Dir[] = TSERVE_SOURCE_DIR "/tests/data/tokenizers/t5";
constexpr size_t kNoLimit = 1 << 20;
constexpr int32_t kExtraIds = 100;
// Embedding rows past the tokens, as T5's 32128 rows for 32100 tokens.
constexpr int64_t kUnusedRows = 28;

Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  return in ? Json::parse(in) : Json();
}

const Json& Expected() {
  static const Json* const expected = new Json(ReadJson(std::string(kT5Dir) + "/expected.json"));
  return *expected;
}

int32_t SentencePieceSize() { return Expected()["sentencepiece_size"].get<int32_t>(); }

// The id of <extra_id_n> with the fixture's 100 sentinels.
int32_t Sentinel(int32_t n) { return SentencePieceSize() + kExtraIds - 1 - n; }

// What a T5 config.json says: <pad> 0 starts decoding, </s> 1 ends it.
ModelConfig T5Config(int64_t rows = SentencePieceSize() + kExtraIds + kUnusedRows) {
  ModelConfig config;
  config.vocab_size = config.decoder_vocab_size = rows;
  config.eos_token_id = 1;
  config.pad_token_id = 0;
  config.decoder_start_token_id = 0;
  return config;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Load(const std::string& dir,
                                                const ModelConfig& config = T5Config()) {
  return Tokenizer::Load(dir, config);
}

std::unique_ptr<Tokenizer> LoadOrDie(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(dir);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? *std::move(tok) : nullptr;
}

std::vector<int32_t> SourceIds(const Tokenizer& tok, const std::string& text) {
  absl::StatusOr<EncodedText> e =
      tok.EncodeSource(text, kNoLimit, false, RequestLanguages{}, LanguageRequirement::kRequired);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? e->ids : std::vector<int32_t>{-1};
}

// `a` + `b` + ...
std::vector<int32_t> Cat(std::initializer_list<std::vector<int32_t>> parts) {
  std::vector<int32_t> out;
  for (const std::vector<int32_t>& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// A scratch copy of the fixture directory, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    path_ = ::testing::TempDir() + "/t5_tok_" + std::to_string(counter_++) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(path_);
    fs::copy(kT5Dir, path_, fs::copy_options::recursive);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  template <typename F>
  void Edit(const std::string& name, F change) const {
    Json json = ReadJson(file(name));
    change(json);
    std::ofstream(file(name)) << json.dump(1);
  }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

// Source ids (with </s>) of every expected text under `rules` ("legacy" or "non_legacy"),
// and, for the legacy tokenizer, the target ids; returns the number of differences.
int CompareSources(const Tokenizer& tok, const std::string& rules) {
  int mismatches = 0;
  for (const Json& c : Expected()["source"]) {
    const auto text = c["text"].get<std::string>();
    const std::vector<int32_t> ours = SourceIds(tok, text);
    if (ours != c[rules].get<std::vector<int32_t>>() && ++mismatches <= 5) {
      ADD_FAILURE() << rules << " source ids differ for " << c.dump()
                    << "\n  ours: " << Json(ours).dump();
    }
    if (rules == "legacy" && tok.EncodeTarget(text) != c["target"].get<std::vector<int32_t>>() &&
        ++mismatches <= 5) {
      ADD_FAILURE() << "target ids differ for " << c.dump();
    }
  }
  return mismatches;
}

TEST(T5TokenizerTest, LoadsAsT5WithSentencePieceIdsAndSentinelsOnTop) {
  std::unique_ptr<Tokenizer> tok = LoadOrDie(kT5Dir);
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->family(), TokenizerFamily::kT5);
  EXPECT_EQ(tok->pad_id(), 0);
  EXPECT_EQ(tok->eos_id(), 1);
  EXPECT_EQ(tok->unk_id(), 2);
  EXPECT_EQ(tok->source_vocab().size(), SentencePieceSize() + kExtraIds);
  EXPECT_EQ(&tok->source_vocab(), &tok->target_vocab());
  EXPECT_TRUE(tok->source_languages().empty());
  EXPECT_TRUE(tok->target_languages().empty());
  EXPECT_FALSE(tok->forces_target_language());
  EXPECT_EQ(tok->TargetPiece(0), "<pad>");
  EXPECT_EQ(tok->TargetPiece(1), "</s>");
  EXPECT_EQ(tok->TargetPiece(2), "<unk>");
  EXPECT_EQ(tok->TargetPiece(SentencePieceSize()), "<extra_id_99>");
  EXPECT_EQ(tok->TargetPiece(Sentinel(0)), "<extra_id_0>");
  EXPECT_EQ(Sentinel(0), SentencePieceSize() + kExtraIds - 1);
  // Embedding rows past the tokens have no piece.
  EXPECT_EQ(tok->TargetPiece(SentencePieceSize() + kExtraIds), "");
  EXPECT_EQ(tok->TargetPiece(SentencePieceSize() + kExtraIds + kUnusedRows - 1), "");
  EXPECT_EQ(tok->TargetPiece(-1), "");
}

// libsentencepiece's ids plus </s> for plain text; the sentinel rules for the rest.
TEST(T5TokenizerTest, LegacySourceIdsEqualTheReference) {
  std::unique_ptr<Tokenizer> tok = LoadOrDie(kT5Dir);
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(CompareSources(*tok, "legacy"), 0);
  // tokenizer_config.json's legacy true, or null, is the same as its absence.
  for (const Json& legacy : {Json(true), Json(nullptr)}) {
    ScratchDir dir;
    dir.Edit("tokenizer_config.json", [&](Json& j) { j["legacy"] = legacy; });
    std::unique_ptr<Tokenizer> t = LoadOrDie(dir.path());
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(CompareSources(*t, "legacy"), 0) << "legacy " << legacy.dump();
  }
}

TEST(T5TokenizerTest, NonLegacySourceIdsEqualTheReference) {
  ScratchDir dir;
  dir.Edit("tokenizer_config.json", [](Json& j) { j["legacy"] = false; });
  std::unique_ptr<Tokenizer> tok = LoadOrDie(dir.path());
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(CompareSources(*tok, "non_legacy"), 0);
}

TEST(T5TokenizerTest, PlainTextIsSentencePieceIdsAndEos) {
  std::unique_ptr<Tokenizer> tok = LoadOrDie(kT5Dir);
  ASSERT_NE(tok, nullptr);
  int plain = 0;
  for (const Json& c : Expected()["source"]) {
    if (c["text"].get<std::string>().find("<extra_id_") != std::string::npos) continue;
    ++plain;
    EXPECT_EQ(c["legacy"], Json(Cat({c["target"].get<std::vector<int32_t>>(), {1}}))) << c.dump();
    EXPECT_EQ(SourceIds(*tok, c["text"].get<std::string>()),
              Cat({c["target"].get<std::vector<int32_t>>(), {1}}));
  }
  EXPECT_GT(plain, 50);
}

// The sentinel rules spelled out: <extra_id_N> is one token and eats the white space on
// both sides; each remaining part is encoded on its own (its own dummy "▁").
TEST(T5TokenizerTest, SentinelsInTheText) {
  std::unique_ptr<Tokenizer> tok = LoadOrDie(kT5Dir);
  ASSERT_NE(tok, nullptr);
  const auto sp = [&](const std::string& text) { return tok->EncodeTarget(text); };
  EXPECT_EQ(SourceIds(*tok, "The <extra_id_0> walks in <extra_id_1> park"),
            Cat({sp("The"), {Sentinel(0)}, sp("walks in"), {Sentinel(1)}, sp("park"), {1}}));
  EXPECT_EQ(SourceIds(*tok, "<extra_id_0> at the start"),
            Cat({{Sentinel(0)}, sp("at the start"), {1}}));
  EXPECT_EQ(SourceIds(*tok, "at the end <extra_id_0>"),
            Cat({sp("at the end"), {Sentinel(0)}, {1}}));
  EXPECT_EQ(SourceIds(*tok, "twice<extra_id_0><extra_id_1>in a row"),
            Cat({sp("twice"), {Sentinel(0), Sentinel(1)}, sp("in a row"), {1}}));
  EXPECT_EQ(SourceIds(*tok, " \t<extra_id_0> \n <extra_id_0>  "),
            (std::vector<int32_t>{Sentinel(0), Sentinel(0), 1}));
  EXPECT_EQ(SourceIds(*tok, "<extra_id_99>"), (std::vector<int32_t>{SentencePieceSize(), 1}));
  // Python's str.strip() white space, not only ASCII.
  EXPECT_EQ(SourceIds(*tok, "a\u3000<extra_id_2>\u00a0b"),
            Cat({sp("a"), {Sentinel(2)}, sp("b"), {1}}));
  // Not sentinels of this model: text, SentencePiece-encoded as it stands.
  for (const char* text :
       {"<extra_id_100> beyond", "<extra_id_999> far beyond", "<extra_id_01> zero",
        "<extra_id_> none", "</s> <pad> <unk> stay text"}) {
    EXPECT_EQ(SourceIds(*tok, text), Cat({sp(text), {1}})) << text;
  }
}

TEST(T5TokenizerTest, LimitKeepsEos) {
  std::unique_ptr<Tokenizer> tok = LoadOrDie(kT5Dir);
  ASSERT_NE(tok, nullptr);
  const std::string text = "The <extra_id_0> walks in <extra_id_1> park";
  const std::vector<int32_t> all = SourceIds(*tok, text);
  absl::StatusOr<EncodedText> cut = tok->EncodeSource(text, 3, /*truncate=*/true);
  ASSERT_TRUE(cut.ok()) << cut.status();
  EXPECT_TRUE(cut->truncated);
  EXPECT_THAT(cut->ids, ElementsAre(all[0], all[1], 1));
  EXPECT_FALSE(tok->EncodeSource(text, 3, /*truncate=*/false).ok());
}

TEST(T5TokenizerTest, DecodeDropsSpecialsAndSentinels) {
  std::unique_ptr<Tokenizer> tok = LoadOrDie(kT5Dir);
  ASSERT_NE(tok, nullptr);
  int mismatches = 0;
  for (const Json& d : Expected()["decode"]) {
    const std::string ours = tok->DecodeTarget(d["ids"].get<std::vector<int32_t>>());
    if (ours != d["text"].get<std::string>() && ++mismatches <= 5) {
      ADD_FAILURE() << "decoded text differs for " << d.dump() << ": '" << ours << "'";
    }
  }
  EXPECT_EQ(mismatches, 0);
  const std::vector<int32_t> walks = tok->EncodeTarget("walks in");
  const std::vector<int32_t> park = tok->EncodeTarget("park");
  EXPECT_EQ(tok->DecodeTarget(Cat({{0, Sentinel(0)}, walks, {Sentinel(1), 2}, park, {1, 0}})),
            "walks in park");
  EXPECT_EQ(tok->DecodeTarget({0, 1, 2, Sentinel(0), Sentinel(99)}), "");
}

TEST(T5TokenizerTest, RequestLanguagesAreRefused) {
  std::unique_ptr<Tokenizer> tok = LoadOrDie(kT5Dir);
  ASSERT_NE(tok, nullptr);
  absl::StatusOr<EncodedText> e = tok->EncodeSource(
      "Hello", kNoLimit, false, RequestLanguages{"", "de"}, LanguageRequirement::kOptional);
  ASSERT_TRUE(absl::IsInvalidArgument(e.status())) << e.status();
  EXPECT_THAT(e.status().message(), HasSubstr("unknown target language 'de'"));
  EXPECT_THAT(e.status().message(), HasSubstr("no target-language tokens"));
  e = tok->EncodeSource("Hello", kNoLimit, false, RequestLanguages{"en", ""},
                        LanguageRequirement::kOptional);
  ASSERT_TRUE(absl::IsInvalidArgument(e.status())) << e.status();
  EXPECT_THAT(e.status().message(), HasSubstr("takes no source language"));
  EXPECT_THAT(tok->CheckTargetLanguage("de").message(), HasSubstr("no target-language tokens"));
  EXPECT_THAT(tok->CheckSourceLanguage("en").message(), HasSubstr("takes no source language"));
  EXPECT_FALSE(tok->TargetLanguageTokenId("de").ok());
  // No language is needed, even where a language would be required.
  EXPECT_TRUE(tok->EncodeSource("Hello", kNoLimit, false, RequestLanguages{},
                                LanguageRequirement::kRequired)
                  .ok());
}

TEST(T5TokenizerTest, ExtraIdsComeFromTheConfig) {
  {
    // Neither extra_ids nor a list: transformers' default, 100.
    ScratchDir dir;
    dir.Edit("tokenizer_config.json", [](Json& j) {
      j.erase("extra_ids");
      j.erase("additional_special_tokens");
    });
    fs::remove(dir.file("special_tokens_map.json"));
    std::unique_ptr<Tokenizer> tok = LoadOrDie(dir.path());
    ASSERT_NE(tok, nullptr);
    EXPECT_EQ(CompareSources(*tok, "legacy"), 0);
  }
  {
    // Ten sentinels (ids sp .. sp + 9); <extra_id_10> is text.
    ScratchDir dir;
    dir.Edit("tokenizer_config.json", [](Json& j) {
      j["extra_ids"] = 10;
      j.erase("additional_special_tokens");
    });
    fs::remove(dir.file("special_tokens_map.json"));
    fs::remove(dir.file("tokenizer.json"));
    std::unique_ptr<Tokenizer> tok = LoadOrDie(dir.path());
    ASSERT_NE(tok, nullptr);
    const int32_t sp = SentencePieceSize();
    EXPECT_EQ(tok->source_vocab().size(), sp + 10);
    EXPECT_EQ(tok->TargetPiece(sp), "<extra_id_9>");
    EXPECT_EQ(SourceIds(*tok, "<extra_id_9> <extra_id_0>"), (std::vector<int32_t>{sp, sp + 9, 1}));
    EXPECT_EQ(SourceIds(*tok, "<extra_id_10>"), Cat({tok->EncodeTarget("<extra_id_10>"), {1}}));
  }
}

TEST(T5TokenizerTest, EmbeddingRowsMayExceedTheTokensButNotFallShort) {
  const int64_t tokens = SentencePieceSize() + kExtraIds;
  EXPECT_TRUE(Load(kT5Dir, T5Config(tokens)).ok());
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(kT5Dir, T5Config(tokens - 1));
  ASSERT_FALSE(tok.ok());
  EXPECT_THAT(tok.status().message(), HasSubstr("vocab_size"));
}

// tokenizer.json files converted before the sentinels were part of the Unigram vocab list
// have them in added_tokens only.
TEST(T5TokenizerTest, TokenizerJsonWithSentinelsOnlyInAddedTokens) {
  ScratchDir dir;
  dir.Edit("tokenizer.json", [](Json& j) {
    Json& vocab = j["model"]["vocab"];
    vocab.erase(vocab.begin() + SentencePieceSize(), vocab.end());
  });
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(dir.path());
  EXPECT_TRUE(tok.ok()) << tok.status();
}

// Files that contradict each other, or the config, are refused at load with a message
// naming the file and the first difference.
TEST(T5TokenizerTest, ContradictingFilesAreRefused) {
  const auto refused = [](const std::string& dir, const ModelConfig& config = T5Config()) {
    absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(dir, config);
    EXPECT_FALSE(tok.ok());
    return tok.ok() ? std::string("loaded") : std::string(tok.status().message());
  };
  {
    ScratchDir dir;
    dir.Edit("tokenizer.json", [](Json& j) {
      for (Json& t : j["added_tokens"]) {
        if (t["content"] == "<extra_id_0>") t["id"] = t["id"].get<int>() - 1;
      }
    });
    EXPECT_THAT(refused(dir.path()), HasSubstr("tokenizer.json gives '<extra_id_0>' the id"));
    EXPECT_THAT(refused(dir.path()), HasSubstr("do not describe the same tokenizer"));
  }
  {
    ScratchDir dir;
    dir.Edit("tokenizer.json", [](Json& j) {
      Json& vocab = j["model"]["vocab"];
      std::swap(vocab[vocab.size() - 1], vocab[vocab.size() - 2]);
    });
    // The first difference: <extra_id_0> where <extra_id_1> belongs.
    EXPECT_THAT(refused(dir.path()),
                HasSubstr(absl::StrCat("gives '<extra_id_0>' the id ", Sentinel(1),
                                       " in model.vocab, but spiece.model and T5's sentinel "
                                       "rules give it ",
                                       Sentinel(0))));
  }
  {
    ScratchDir dir;
    dir.Edit("tokenizer.json", [](Json& j) {
      j["model"]["vocab"].erase(j["model"]["vocab"].size() - 1);
      j["added_tokens"].erase(j["added_tokens"].size() - 1);
    });
    EXPECT_THAT(refused(dir.path()), HasSubstr("tokenizer.json lacks '<extra_id_0>'"));
  }
  {
    ScratchDir dir;
    dir.Edit("tokenizer_config.json", [](Json& j) { j["extra_ids"] = 50; });
    EXPECT_THAT(refused(dir.path()), HasSubstr("additional_special_tokens lists '<extra_id_50>'"));
  }
  {
    ScratchDir dir;
    dir.Edit("special_tokens_map.json",
             [](Json& j) { j["additional_special_tokens"].push_back("<sep>"); });
    dir.Edit("tokenizer_config.json", [](Json& j) { j.erase("additional_special_tokens"); });
    EXPECT_THAT(refused(dir.path()), HasSubstr("'<sep>'"));
  }
  {
    ScratchDir dir;
    dir.Edit("tokenizer_config.json", [](Json& j) {
      j["added_tokens_decoder"] = {{"3", {{"content", "<extra_id_0>"}}}};
    });
    EXPECT_THAT(refused(dir.path()), HasSubstr("added_tokens_decoder"));
  }
  {
    ScratchDir dir;
    dir.Edit("tokenizer_config.json", [](Json& j) { j["legacy"] = "yes"; });
    EXPECT_THAT(refused(dir.path()), HasSubstr("legacy must be"));
  }
  ModelConfig config = T5Config();
  config.eos_token_id = 2;
  EXPECT_THAT(refused(kT5Dir, config), HasSubstr("eos_token_id 2"));
  config = T5Config();
  config.pad_token_id = 3;
  EXPECT_THAT(refused(kT5Dir, config), HasSubstr("pad_token_id 3"));
}

}  // namespace
}  // namespace tserve::engine
