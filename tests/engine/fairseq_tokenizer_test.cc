// NLLB-200 and M2M100 tokenizers (engine/text/tokenizer_fairseq.cc, fairseq_vocab.h)
// against the reference's expected ids and texts (tools/make_fairseq_tokenization_golden.py:
// libsentencepiece plus transformers' NllbTokenizer / M2M100Tokenizer rules) on the
// directories of tests/data/tokenizers: a few thousand texts in Latin, Cyrillic, CJK and
// Arabic script, language codes, limits, NLLB's legacy order, decoding; and the refusal of
// files that contradict each other. With TSERVE_FAIRSEQ_GOLDEN=golden.json[:...] (made by
// the tool's --model-dir from a real facebook/nllb-200-* or facebook/m2m100_* directory),
// those are compared too.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "engine/model/config.h"
#include "engine/text/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kNllbDir[] = TSERVE_SOURCE_DIR "/tests/data/tokenizers/nllb-layout";
constexpr char kM2m100Dir[] = TSERVE_SOURCE_DIR "/tests/data/tokenizers/m2m100-layout";
constexpr size_t kNoLimit = 1 << 20;

// What config.json of such a model says: embeddings a little larger than the vocabulary
// (as NLLB's 256206 rows for 256204 tokens).
ModelConfig FairseqConfig(int64_t vocab_size) {
  ModelConfig config;
  config.vocab_size = config.decoder_vocab_size = vocab_size + 2;
  config.eos_token_id = 2;
  config.pad_token_id = 1;
  config.decoder_start_token_id = 2;
  return config;
}

Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  return in ? Json::parse(in) : Json();
}

void WriteJson(const std::string& path, const Json& json) { std::ofstream(path) << json.dump(1); }

absl::StatusOr<std::unique_ptr<Tokenizer>> Load(const std::string& dir, int64_t vocab_size) {
  return Tokenizer::Load(dir, FairseqConfig(vocab_size));
}

// A scratch copy of a tokenizer directory, removed at the end of the test.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& from) {
    path_ = ::testing::TempDir() + "/fairseq_tok_" + std::to_string(counter_++) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(path_);
    fs::copy(from, path_, fs::copy_options::recursive);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Reads, changes and writes back one JSON file (an empty object when it is missing).
  template <typename F>
  void Edit(const std::string& name, F change) const {
    Json json = fs::exists(file(name)) ? ReadJson(file(name)) : Json::object();
    change(json);
    WriteJson(file(name), json);
  }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

// Compares a tokenizer with one golden document; returns the number of differences.
int CompareWithGolden(const Json& golden, const std::string& model_dir) {
  const auto vocab_size = golden["vocab_size"].get<int64_t>();
  absl::StatusOr<std::unique_ptr<Tokenizer>> loaded = Load(model_dir, vocab_size);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  if (!loaded.ok()) return 1;
  const Tokenizer& tok = **loaded;
  // NLLB's legacy_behaviour, from a copy whose tokenizer_config.json sets it.
  std::unique_ptr<ScratchDir> legacy_dir;
  std::unique_ptr<Tokenizer> legacy;

  const auto languages = golden["languages"].get<std::vector<std::string>>();
  EXPECT_EQ(tok.source_languages(), languages);
  EXPECT_EQ(tok.target_languages(), languages);
  EXPECT_TRUE(tok.forces_target_language());
  for (const auto& [code, id] : golden["language_ids"].items()) {
    absl::StatusOr<int32_t> ours = tok.TargetLanguageTokenId(code);
    EXPECT_TRUE(ours.ok() && *ours == id.get<int32_t>()) << code;
  }
  EXPECT_EQ(tok.eos_id(), golden["eos"].get<int32_t>());
  EXPECT_EQ(tok.unk_id(), golden["unk"].get<int32_t>());
  EXPECT_EQ(tok.source_vocab().size(), vocab_size);

  int mismatches = 0;
  const auto report = [&](const Json& item, const std::string& what) {
    if (++mismatches <= 5) ADD_FAILURE() << what << ": " << item.dump();
  };
  for (const Json& c : golden["cases"]) {
    const Tokenizer* t = &tok;
    if (c.value("legacy", false)) {
      if (!legacy) {
        legacy_dir = std::make_unique<ScratchDir>(model_dir);
        legacy_dir->Edit("tokenizer_config.json", [](Json& j) { j["legacy_behaviour"] = true; });
        absl::StatusOr<std::unique_ptr<Tokenizer>> l = Load(legacy_dir->path(), vocab_size);
        EXPECT_TRUE(l.ok()) << l.status();
        if (!l.ok()) return mismatches + 1;
        legacy = *std::move(l);
      }
      t = legacy.get();
    }
    const std::string source = c["source"].is_null() ? "" : c["source"].get<std::string>();
    const std::string target = c["target"].is_null() ? "" : c["target"].get<std::string>();
    const auto limit = c.contains("limit") ? c["limit"].get<size_t>() : kNoLimit;
    const LanguageRequirement requirement = c.value("target_optional", false)
                                                ? LanguageRequirement::kOptional
                                                : LanguageRequirement::kRequired;
    absl::StatusOr<EncodedText> ours =
        t->EncodeSource(c["text"].get<std::string>(), limit, c.value("truncate", false),
                        RequestLanguages{source, target}, requirement);
    if (c.contains("error")) {
      if (ours.ok() || !absl::IsInvalidArgument(ours.status())) report(c, "not refused");
      continue;
    }
    if (!ours.ok()) {
      report(c, "refused: " + std::string(ours.status().message()));
      continue;
    }
    const auto ids = c["ids"].get<std::vector<int32_t>>();
    if (ours->ids != ids) report(c, "ids differ");
    // Without the language token and </s>, the ids are the target side's too.
    if (!c.contains("limit") && !c.value("legacy", false) &&
        t->EncodeTarget(c["text"].get<std::string>()) !=
            std::vector<int32_t>(ids.begin() + 1, ids.end() - 1)) {
      report(c, "EncodeTarget differs");
    }
  }
  for (const Json& d : golden["decode"]) {
    if (tok.DecodeTarget(d["ids"].get<std::vector<int32_t>>()) != d["text"].get<std::string>()) {
      report(d, "decoded text differs: '" + tok.DecodeTarget(d["ids"].get<std::vector<int32_t>>()) +
                    "'");
    }
  }
  std::cout << model_dir << ": " << golden["cases"].size() << " source cases, "
            << golden["decode"].size() << " decodings, " << mismatches << " differences\n";
  return mismatches;
}

// The committed layout `dir` of `family` with `languages` language codes.
void CheckLayout(const std::string& dir, const std::string& family, size_t languages) {
  const Json golden = ReadJson(dir + "-golden.json");
  ASSERT_FALSE(golden.is_null());
  EXPECT_EQ(golden["family"], family);
  EXPECT_EQ(golden["languages"].size(), languages);
  EXPECT_EQ(CompareWithGolden(golden, dir), 0);
}

TEST(FairseqTokenizerTest, NllbLayoutEqualsTheReference) { CheckLayout(kNllbDir, "nllb", 202); }

TEST(FairseqTokenizerTest, M2m100LayoutEqualsTheReference) {
  CheckLayout(kM2m100Dir, "m2m100", 100);
}

// Real directories (facebook/nllb-200-*, facebook/m2m100_*: not in the repository).
TEST(FairseqTokenizerTest, GivenGoldenFilesMatch) {
  const char* paths = std::getenv("TSERVE_FAIRSEQ_GOLDEN");
  if (paths == nullptr || *paths == '\0') GTEST_SKIP() << "TSERVE_FAIRSEQ_GOLDEN is not set";
  const std::vector<std::string> split = absl::StrSplit(paths, ':', absl::SkipEmpty());
  for (const std::string& path : split) {
    SCOPED_TRACE(path);
    const Json golden = ReadJson(path);
    ASSERT_FALSE(golden.is_null());
    EXPECT_EQ(CompareWithGolden(golden, golden["model_dir"].get<std::string>()), 0);
  }
}

TEST(FairseqTokenizerTest, NllbIdsFollowFairseqsDictionary) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(kNllbDir, 4204);
  ASSERT_TRUE(tok.ok()) << tok.status();
  const Vocabulary& vocab = (*tok)->source_vocab();
  EXPECT_EQ((*tok)->family(), TokenizerFamily::kNllb);
  EXPECT_EQ(vocab.Piece(0), "<s>");
  EXPECT_EQ(vocab.Piece(1), "<pad>");
  EXPECT_EQ(vocab.Piece(2), "</s>");
  EXPECT_EQ(vocab.Piece(3), "<unk>");
  // 4000 SentencePiece pieces (3 of them <unk> <s> </s>), then 202 codes, then <mask>.
  EXPECT_EQ(vocab.Find("ace_Arab"), 4001);
  EXPECT_EQ(vocab.Find("zul_Latn"), 4202);
  EXPECT_EQ(vocab.Find("<mask>"), 4203);
  EXPECT_EQ((*tok)->TargetLanguageTokenId("fra_Latn").value(), *vocab.Find("fra_Latn"));
}

TEST(FairseqTokenizerTest, LanguageErrorsNameTheCodes) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(kM2m100Dir, 3020);
  ASSERT_TRUE(tok.ok()) << tok.status();
  const Tokenizer& t = **tok;
  EXPECT_EQ(t.family(), TokenizerFamily::kM2m100);
  absl::StatusOr<EncodedText> e = t.EncodeSource(
      "Hello", kNoLimit, false, RequestLanguages{"", "fr"}, LanguageRequirement::kOptional);
  EXPECT_THAT(e.status().message(), HasSubstr("needs source_language"));
  EXPECT_THAT(e.status().message(), HasSubstr("af, am, ar, ast"));
  e = t.EncodeSource("Hello", kNoLimit, false, RequestLanguages{"english", "fr"},
                     LanguageRequirement::kRequired);
  EXPECT_THAT(e.status().message(), HasSubstr("unknown source language 'english'"));
  e = t.EncodeSource("Hello", kNoLimit, false, RequestLanguages{"en", "__fr__"},
                     LanguageRequirement::kRequired);
  EXPECT_THAT(e.status().message(), HasSubstr("unknown target language '__fr__'"));
  e = t.EncodeSource("Hello", kNoLimit, false, RequestLanguages{"en", ""},
                     LanguageRequirement::kRequired);
  EXPECT_THAT(e.status().message(), HasSubstr("set target_language"));
  EXPECT_TRUE(t.CheckSourceLanguage("en").ok());
  EXPECT_TRUE(t.CheckSourceLanguage("").ok());
  EXPECT_THAT(t.CheckSourceLanguage("xx").message(), HasSubstr("unknown source language 'xx'"));
  EXPECT_THAT(t.CheckTargetLanguage("xx").message(), HasSubstr("unknown target language 'xx'"));
  EXPECT_THAT(t.TargetLanguageTokenId("xx").status().message(), HasSubstr("zh, zu"));
  // Marian's form (no source language) is refused, not guessed.
  EXPECT_FALSE(t.EncodeSource("Hello", kNoLimit, false, "fr").ok());
}

TEST(FairseqTokenizerTest, M2m100Wmt21CodesWithoutAList) {
  ScratchDir dir(kM2m100Dir);
  fs::remove(dir.file("special_tokens_map.json"));
  dir.Edit("tokenizer_config.json", [](Json& j) { j["language_codes"] = "wmt21"; });
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(dir.path(), 3020);
  ASSERT_TRUE(tok.ok()) << tok.status();
  EXPECT_EQ((*tok)->target_languages(),
            (std::vector<std::string>{"cs", "de", "en", "ha", "is", "ja", "ru", "zh"}));
  const int32_t first = (*tok)->TargetLanguageTokenId("en").value();
  EXPECT_EQ((*tok)->source_vocab().Piece(first), "__en__");
  EXPECT_EQ((*tok)->TargetLanguageTokenId("de").value(), first + 7);
  dir.Edit("tokenizer_config.json", [](Json& j) { j["language_codes"] = "m2m200"; });
  EXPECT_THAT(Load(dir.path(), 3020).status().message(), HasSubstr("language_codes 'm2m200'"));
}

TEST(FairseqTokenizerTest, Mbart50UsesNllbIdsAndSentencePieceDecoding) {
  ScratchDir dir(kNllbDir);
  fs::remove(dir.file("tokenizer.json"));
  dir.Edit("special_tokens_map.json", [](Json& j) {
    j["additional_special_tokens"] = {"en_XX", "de_DE", "fr_XX"};
  });
  dir.Edit("tokenizer_config.json", [](Json& j) { j["tokenizer_class"] = "MBart50Tokenizer"; });
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(dir.path(), 4005);
  ASSERT_TRUE(tok.ok()) << tok.status();
  EXPECT_EQ((*tok)->family(), TokenizerFamily::kMbart50);
  EXPECT_EQ((*tok)->TargetLanguageTokenId("en_XX").value(), 4001);
  EXPECT_EQ((*tok)->source_vocab().Find("<mask>"), 4004);
  absl::StatusOr<EncodedText> e = (*tok)->EncodeSource(
      "Hola", kNoLimit, false, RequestLanguages{"de_DE", "en_XX"}, LanguageRequirement::kRequired);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->ids.front(), 4002);
  EXPECT_EQ(e->ids.back(), 2);
  EXPECT_EQ((*tok)->DecodeTarget(e->ids), "Hola");
  // Without the files' list there are no codes to number.
  fs::remove(dir.file("special_tokens_map.json"));
  EXPECT_THAT(Load(dir.path(), 4005).status().message(), HasSubstr("additional_special_tokens"));
}

TEST(FairseqTokenizerTest, CleanUpTokenizationSpacesWhenAsked) {
  ScratchDir dir(kM2m100Dir);
  absl::StatusOr<std::unique_ptr<Tokenizer>> plain = Load(dir.path(), 3020);
  dir.Edit("tokenizer_config.json", [](Json& j) { j["clean_up_tokenization_spaces"] = true; });
  absl::StatusOr<std::unique_ptr<Tokenizer>> clean = Load(dir.path(), 3020);
  ASSERT_TRUE(plain.ok() && clean.ok());
  const std::vector<int32_t> ids = (*plain)->EncodeTarget("a , b . c");
  EXPECT_EQ((*plain)->DecodeTarget(ids), "a , b . c");
  EXPECT_EQ((*clean)->DecodeTarget(ids), "a, b. c");
}

// The random test models of tools/make_test_models.py in these layouts load, with the
// vocabulary their config.json declares (skipped until they exist).
TEST(FairseqTokenizerTest, TestModelLayoutsLoad) {
  const std::pair<const char*, TokenizerFamily> kModels[] = {
      {"nllb-layout-f32", TokenizerFamily::kNllb},
      {"m2m100-layout-f32", TokenizerFamily::kM2m100},
      {"mbart-layout-f32", TokenizerFamily::kMbart50}};
  int found = 0;
  for (const auto& [name, family] : kModels) {
    const std::string dir = std::string(TSERVE_SOURCE_DIR "/tests/data/models/") + name;
    if (!fs::exists(dir + "/sentencepiece.bpe.model")) continue;
    ++found;
    SCOPED_TRACE(name);
    const auto vocab_size = ReadJson(dir + "/config.json")["vocab_size"].get<int64_t>();
    absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(dir, vocab_size - 2);
    ASSERT_TRUE(tok.ok()) << tok.status();
    EXPECT_EQ((*tok)->family(), family);
    EXPECT_EQ((*tok)->source_vocab().size(), vocab_size);
    ASSERT_EQ((*tok)->target_languages().size(), 3u);
    const std::string& code = (*tok)->target_languages()[0];
    absl::StatusOr<EncodedText> e =
        (*tok)->EncodeSource("The old dog sleeps.", kNoLimit, false, RequestLanguages{code, code},
                             LanguageRequirement::kRequired);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ((*tok)->DecodeTarget(e->ids), "The old dog sleeps.");
  }
  if (found == 0) GTEST_SKIP() << "no family test models in tests/data/models";
}

// Files that contradict each other, or that tserve cannot use, are refused at load with
// a message naming the file.
TEST(FairseqTokenizerTest, BadFilesAreRefused) {
  const auto refused = [](const ScratchDir& dir, int64_t vocab_size = 4204) {
    absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Load(dir.path(), vocab_size);
    EXPECT_FALSE(tok.ok());
    return tok.ok() ? std::string("loaded") : std::string(tok.status().message());
  };
  {
    ScratchDir dir(kNllbDir);
    dir.Edit("tokenizer.json", [](Json& j) { j["model"]["vocab"]["\xE2\x96\x81"] = 7; });
    EXPECT_THAT(refused(dir), HasSubstr("do not describe the same tokenizer"));
    EXPECT_THAT(refused(dir), HasSubstr("tokenizer.json gives"));
  }
  {
    ScratchDir dir(kNllbDir);
    dir.Edit("tokenizer.json", [](Json& j) {
      j["model"]["vocab"].erase("fra_Latn");
      for (Json& t : j["added_tokens"]) {
        if (t["content"] == "fra_Latn") t["content"] = "fra_Latn2";
      }
    });
    EXPECT_THAT(refused(dir), HasSubstr("tokenizer.json"));
  }
  {
    ScratchDir dir(kNllbDir);
    dir.Edit("tokenizer.json", [](Json& j) { j["added_tokens"][0]["id"] = 5; });
    EXPECT_THAT(refused(dir), HasSubstr("in model.vocab but 5 in added_tokens"));
  }
  {
    ScratchDir dir(kNllbDir);
    std::ofstream(dir.file("tokenizer.json")) << "{\"model\": ";
    EXPECT_THAT(refused(dir), HasSubstr("tokenizer.json: invalid JSON"));
  }
  {
    ScratchDir dir(kNllbDir);
    dir.Edit("tokenizer_config.json", [](Json& j) {
      j["added_tokens_decoder"]["4001"] = {{"content", "eng_Latn"}};
    });
    EXPECT_THAT(refused(dir), HasSubstr("added_tokens_decoder gives 'eng_Latn' the id 4001"));
  }
  {
    ScratchDir dir(kNllbDir);
    dir.Edit("special_tokens_map.json", [](Json& j) { j["additional_special_tokens"] = 3; });
    EXPECT_THAT(refused(dir), HasSubstr("additional_special_tokens must be a list"));
  }
  {
    ScratchDir dir(kNllbDir);
    dir.Edit("special_tokens_map.json", [](Json& j) {
      j["additional_special_tokens"] = {"eng_Latn", "eng_Latn"};
    });
    EXPECT_THAT(refused(dir), HasSubstr("are both 'eng_Latn'"));
  }
  {
    ScratchDir dir(kNllbDir);
    dir.Edit("tokenizer_config.json", [](Json& j) { j["tokenizer_class"] = "MBartTokenizer"; });
    EXPECT_THAT(refused(dir), HasSubstr("tokenizer_class 'MBartTokenizer' is not supported"));
    dir.Edit("tokenizer_config.json", [](Json& j) { j["tokenizer_class"] = "M2M100Tokenizer"; });
    EXPECT_THAT(refused(dir), HasSubstr("lacks vocab.json"));
  }
  {
    ScratchDir dir(kNllbDir);
    fs::remove(dir.file("sentencepiece.bpe.model"));
    EXPECT_THAT(refused(dir), HasSubstr("has tokenizer.json but no sentencepiece.bpe.model"));
  }
  {
    ScratchDir dir(kNllbDir);
    std::ofstream(dir.file("sentencepiece.bpe.model")) << "not a model";
    EXPECT_THAT(refused(dir), HasSubstr("sentencepiece.bpe.model"));
  }
  {
    ScratchDir dir(kNllbDir);
    EXPECT_THAT(refused(dir, 4000),
                HasSubstr("has 4204 pieces but the model's vocab_size is 4002"));
  }
  {
    ScratchDir dir(kM2m100Dir);
    dir.Edit("vocab.json", [](Json& j) { j["__en__"] = j.size(); });
    EXPECT_THAT(refused(dir, 3021), HasSubstr("'__en__'"));
  }
  {
    ScratchDir dir(kM2m100Dir);
    dir.Edit("vocab.json", [](Json& j) { j.erase("</s>"); });
    EXPECT_THAT(refused(dir, 3020), HasSubstr("vocab.json"));
  }
}

}  // namespace
}  // namespace tserve::engine
