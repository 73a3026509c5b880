#include "engine/text/tokenizer.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

// See engine/text/tokenizer.cc: Debian's sentencepiece headers define absl::string_view,
// which clashes with the system Abseil.
#define absl sentencepiece_absl
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#undef absl

#include "engine/model/checkpoint.h"
#include "engine/model/config.h"
#include "engine/model/safetensors.h"
#include "engine/text/vocabulary.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSourceText[] =
    "the quick brown fox jumps over the lazy dog\n"
    "hello world, this is a small test corpus\n"
    "a lazy afternoon in the quiet old town\n"
    "the dog and the fox are friends of the world\n";
constexpr char kTargetText[] =
    "der schnelle braune fuchs springt ueber den faulen hund\n"
    "hallo welt, das ist ein kleiner testkorpus\n"
    "ein fauler nachmittag in der ruhigen alten stadt\n";

// Texts whose pieces are all in the test vocabularies.
constexpr char kKnownSourceText[] = "hello world, the quick brown fox jumps over the dog";
constexpr char kKnownTargetText[] = "hallo welt, der fuchs";

// Trains a small unigram SentencePiece model on `text` and stores it as `path`.
void TrainSentencePiece(const std::string& text, const std::string& path) {
  const std::string corpus = path + ".txt";
  {
    std::ofstream out(corpus);
    for (int i = 0; i < 20; ++i) out << text;
  }
  const std::string prefix = path + ".train";
  const sentencepiece::util::Status s = sentencepiece::SentencePieceTrainer::Train(
      "--input=" + corpus + " --model_prefix=" + prefix +
      " --vocab_size=70 --hard_vocab_limit=false --model_type=unigram"
      " --character_coverage=1.0 --eos_id=0 --unk_id=1 --bos_id=-1 --pad_id=-1"
      " --num_threads=1 --minloglevel=2");
  ASSERT_TRUE(s.ok()) << s.ToString();
  fs::rename(prefix + ".model", path);
  fs::remove(prefix + ".vocab");
  fs::remove(corpus);
}

std::vector<std::string> SpmPieces(const std::string& model_path, const std::string& text) {
  sentencepiece::SentencePieceProcessor spm;
  EXPECT_TRUE(spm.Load(model_path).ok());
  return spm.EncodeAsPieces(text);
}

// A Marian-style vocabulary for SentencePiece models: </s> = 0, <unk> = 1, the pieces of
// every model in reverse SentencePiece order (so that vocabulary ids and SentencePiece
// ids differ), <pad> last. Pieces in `omit` are left out.
std::map<std::string, int> MarianVocab(const std::vector<std::string>& model_paths,
                                       const std::set<std::string>& omit = {}) {
  std::map<std::string, int> vocab = {{"</s>", 0}, {"<unk>", 1}};
  int next = 2;
  for (const std::string& path : model_paths) {
    sentencepiece::SentencePieceProcessor spm;
    EXPECT_TRUE(spm.Load(path).ok());
    for (int i = spm.GetPieceSize() - 1; i >= 0; --i) {
      const std::string& piece = spm.IdToPiece(i);
      if (vocab.count(piece) == 0 && omit.count(piece) == 0) vocab[piece] = next++;
    }
  }
  vocab["<pad>"] = next;
  return vocab;
}

void WriteVocab(const std::map<std::string, int>& vocab, const std::string& path) {
  std::ofstream(path) << nlohmann::json(vocab).dump();
}

ModelConfig ConfigFor(int64_t vocab_size, int64_t pad_id) {
  ModelConfig c;
  c.vocab_size = vocab_size;
  c.decoder_vocab_size = vocab_size;
  c.pad_token_id = pad_id;
  c.decoder_start_token_id = pad_id;
  c.eos_token_id = 0;
  return c;
}

class TokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(::testing::TempDir() + "/tokenizer_test_" + std::to_string(getpid()));
    fs::create_directories(*root_ + "/shared");
    TrainSentencePiece(kSourceText, *root_ + "/shared/source.spm");
    TrainSentencePiece(kTargetText, *root_ + "/shared/target.spm");
    // A joint vocabulary, as OPUS-MT models with shared embeddings have. The pieces of
    // "lazy" are missing from it: SentencePiece produces them, the vocabulary does not
    // know them, so they must become <unk>.
    const std::vector<std::string> lazy = SpmPieces(*root_ + "/shared/source.spm", "lazy");
    omitted_ = new std::set<std::string>(lazy.begin(), lazy.end());
    for (const char* text : {kKnownSourceText, kKnownTargetText}) {
      for (const char* model : {"/shared/source.spm", "/shared/target.spm"}) {
        for (const std::string& piece : SpmPieces(*root_ + model, text)) omitted_->erase(piece);
      }
    }
    ASSERT_FALSE(omitted_->empty());
    source_vocab_ = new std::map<std::string, int>(
        MarianVocab({*root_ + "/shared/source.spm", *root_ + "/shared/target.spm"}, *omitted_));
    WriteVocab(*source_vocab_, *root_ + "/shared/vocab.json");

    fs::create_directories(*root_ + "/separate");
    for (const char* f : {"source.spm", "target.spm", "vocab.json"}) {
      fs::copy_file(*root_ + "/shared/" + f, *root_ + "/separate/" + f);
    }
    target_vocab_ = new std::map<std::string, int>(MarianVocab({*root_ + "/shared/target.spm"}));
    WriteVocab(*target_vocab_, *root_ + "/separate/target_vocab.json");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
    delete omitted_;
    delete source_vocab_;
    delete target_vocab_;
  }

  static ModelConfig SharedConfig() {
    // Three more embedding rows than pieces: a vocabulary may be smaller than the matrix.
    const int pad = source_vocab_->at("<pad>");
    return ConfigFor(static_cast<int64_t>(source_vocab_->size()) + 3, pad);
  }
  static ModelConfig SeparateConfig() {
    ModelConfig c = SharedConfig();
    c.share_encoder_decoder_embeddings = false;
    c.decoder_vocab_size = static_cast<int64_t>(target_vocab_->size());
    c.pad_token_id = std::min<int64_t>(c.pad_token_id, target_vocab_->at("<pad>"));
    c.decoder_start_token_id = c.pad_token_id;
    return c;
  }
  static std::unique_ptr<Tokenizer> LoadShared() {
    absl::StatusOr<std::unique_ptr<Tokenizer>> t =
        Tokenizer::Load(*root_ + "/shared", SharedConfig());
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *std::move(t) : nullptr;
  }
  // A copy of the shared model directory to break in one way.
  static std::string CopyShared(const std::string& name) {
    const std::string dir = *root_ + "/" + name;
    fs::create_directories(dir);
    for (const char* f : {"source.spm", "target.spm", "vocab.json"}) {
      fs::copy_file(*root_ + "/shared/" + f, dir + "/" + f, fs::copy_options::overwrite_existing);
    }
    return dir;
  }
  static std::vector<int32_t> Expected(const std::vector<std::string>& pieces,
                                       const std::map<std::string, int>& vocab) {
    std::vector<int32_t> ids;
    for (const std::string& p : pieces) {
      auto it = vocab.find(p);
      ids.push_back(it == vocab.end() ? vocab.at("<unk>") : it->second);
    }
    return ids;
  }

  static std::string* root_;
  static std::set<std::string>* omitted_;
  static std::map<std::string, int>* source_vocab_;
  static std::map<std::string, int>* target_vocab_;
};

std::string* TokenizerTest::root_ = nullptr;
std::set<std::string>* TokenizerTest::omitted_ = nullptr;
std::map<std::string, int>* TokenizerTest::source_vocab_ = nullptr;
std::map<std::string, int>* TokenizerTest::target_vocab_ = nullptr;

TEST_F(TokenizerTest, EncodeSourceMapsPiecesThroughVocabJsonAndAppendsEos) {
  std::unique_ptr<Tokenizer> tok = LoadShared();
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->eos_id(), 0);
  EXPECT_EQ(tok->unk_id(), 1);
  EXPECT_EQ(tok->pad_id(), source_vocab_->at("<pad>"));

  const std::string text = kKnownSourceText;
  const std::vector<std::string> pieces = SpmPieces(*root_ + "/shared/source.spm", text);
  std::vector<int32_t> expected = Expected(pieces, *source_vocab_);
  expected.push_back(0);
  ASSERT_THAT(expected, Not(Contains(1))) << "test text should have no unknown pieces";

  absl::StatusOr<EncodedText> enc = tok->EncodeSource(text, 512, false);
  ASSERT_TRUE(enc.ok()) << enc.status();
  EXPECT_EQ(enc->ids, expected);
  EXPECT_FALSE(enc->truncated);

  // The ids are vocab.json's, not SentencePiece's own.
  sentencepiece::SentencePieceProcessor spm;
  ASSERT_TRUE(spm.Load(*root_ + "/shared/source.spm").ok());
  std::vector<int> spm_ids = spm.EncodeAsIds(text);
  EXPECT_NE(std::vector<int32_t>(spm_ids.begin(), spm_ids.end()),
            std::vector<int32_t>(expected.begin(), expected.end() - 1));
}

TEST_F(TokenizerTest, UnknownPiecesMapToUnk) {
  std::unique_ptr<Tokenizer> tok = LoadShared();
  ASSERT_NE(tok, nullptr);
  // SentencePiece produces pieces for "lazy" that vocab.json lacks; "€" is unknown to both.
  absl::StatusOr<EncodedText> enc = tok->EncodeSource("lazy", 512, false);
  ASSERT_TRUE(enc.ok()) << enc.status();
  std::vector<int32_t> expected =
      Expected(SpmPieces(*root_ + "/shared/source.spm", "lazy"), *source_vocab_);
  expected.push_back(0);
  EXPECT_EQ(enc->ids, expected);
  EXPECT_THAT(enc->ids, Contains(1));

  enc = tok->EncodeSource("€", 512, false);
  ASSERT_TRUE(enc.ok()) << enc.status();
  EXPECT_THAT(enc->ids, Contains(1));
  EXPECT_EQ(enc->ids.back(), 0);
}

TEST_F(TokenizerTest, EmptyAndInvalidUtf8Input) {
  std::unique_ptr<Tokenizer> tok = LoadShared();
  ASSERT_NE(tok, nullptr);
  absl::StatusOr<EncodedText> enc = tok->EncodeSource("", 512, false);
  ASSERT_TRUE(enc.ok()) << enc.status();
  EXPECT_THAT(enc->ids, ElementsAre(0));
  // The server rejects invalid UTF-8 first; here it only has to be survived.
  enc = tok->EncodeSource("\xff\xfe the \xc3", 512, false);
  ASSERT_TRUE(enc.ok()) << enc.status();
  EXPECT_EQ(enc->ids.back(), 0);
  tok->EncodeTarget("\x80\x80");
}

TEST_F(TokenizerTest, OverLimitIsRejectedOrTruncated) {
  std::unique_ptr<Tokenizer> tok = LoadShared();
  ASSERT_NE(tok, nullptr);
  const std::string text = kKnownSourceText;
  absl::StatusOr<EncodedText> full = tok->EncodeSource(text, 512, false);
  ASSERT_TRUE(full.ok()) << full.status();
  const size_t n = full->ids.size();  // </s> included
  ASSERT_GT(n, 4u);

  absl::StatusOr<EncodedText> exact = tok->EncodeSource(text, n, false);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->ids, full->ids);
  EXPECT_FALSE(exact->truncated);

  absl::StatusOr<EncodedText> over = tok->EncodeSource(text, n - 1, false);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(over.status().message(), HasSubstr("input has " + std::to_string(n) +
                                                 " tokens; the limit is " + std::to_string(n - 1)));

  absl::StatusOr<EncodedText> cut = tok->EncodeSource(text, 4, true);
  ASSERT_TRUE(cut.ok()) << cut.status();
  EXPECT_TRUE(cut->truncated);
  EXPECT_THAT(cut->ids, ElementsAre(full->ids[0], full->ids[1], full->ids[2], 0));

  cut = tok->EncodeSource(text, 1, true);
  ASSERT_TRUE(cut.ok()) << cut.status();
  EXPECT_THAT(cut->ids, ElementsAre(0));

  absl::StatusOr<EncodedText> zero = tok->EncodeSource(text, 0, true);
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("at least 1"));
}

TEST_F(TokenizerTest, DecodeDropsSpecialsAndUnknownIds) {
  std::unique_ptr<Tokenizer> tok = LoadShared();
  ASSERT_NE(tok, nullptr);
  // Shared vocabulary: the target side uses target.spm with the joint vocab.json.
  const std::string text = kKnownTargetText;
  const std::vector<int32_t> ids = tok->EncodeTarget(text);
  EXPECT_EQ(ids, Expected(SpmPieces(*root_ + "/shared/target.spm", text), *source_vocab_));
  ASSERT_THAT(ids, Not(Contains(1))) << "test text should have no unknown pieces";
  EXPECT_EQ(tok->DecodeTarget(ids), text);

  const int32_t pad = source_vocab_->at("<pad>");
  std::vector<int32_t> noisy = {pad};
  noisy.insert(noisy.end(), ids.begin(), ids.end() - 1);
  noisy.insert(noisy.end(), {1, -3, 100000, pad + 1});
  noisy.push_back(ids.back());
  noisy.insert(noisy.end(), {0, pad});
  EXPECT_EQ(tok->DecodeTarget(noisy), text);
  EXPECT_EQ(tok->DecodeTarget({}), "");
  EXPECT_EQ(tok->DecodeTarget({0, pad, 1}), "");

  const auto& [piece, id] = *source_vocab_->rbegin();
  EXPECT_EQ(tok->TargetPiece(id), piece);
  EXPECT_EQ(tok->TargetPiece(-1), "");
  EXPECT_EQ(tok->TargetPiece(pad + 1), "");  // an embedding row without a piece
}

TEST_F(TokenizerTest, SeparateTargetVocabulary) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok =
      Tokenizer::Load(*root_ + "/separate", SeparateConfig());
  ASSERT_TRUE(tok.ok()) << tok.status();
  EXPECT_EQ((*tok)->target_vocab().size(), static_cast<int32_t>(target_vocab_->size()));
  EXPECT_EQ((*tok)->source_vocab().size(), static_cast<int32_t>(source_vocab_->size()));

  const std::string text = kKnownTargetText;
  const std::vector<int32_t> ids = (*tok)->EncodeTarget(text);
  EXPECT_EQ(ids, Expected(SpmPieces(*root_ + "/shared/target.spm", text), *target_vocab_));
  EXPECT_THAT(ids, Not(Contains(1)));
  std::vector<int32_t> with_eos = ids;
  with_eos.push_back(0);
  EXPECT_EQ((*tok)->DecodeTarget(with_eos), text);
  EXPECT_EQ((*tok)->TargetPiece(ids[0]), SpmPieces(*root_ + "/shared/target.spm", text)[0]);

  // The source side still uses vocab.json.
  absl::StatusOr<EncodedText> enc = (*tok)->EncodeSource("hello world", 64, false);
  ASSERT_TRUE(enc.ok()) << enc.status();
  std::vector<int32_t> expected =
      Expected(SpmPieces(*root_ + "/shared/source.spm", "hello world"), *source_vocab_);
  expected.push_back(0);
  EXPECT_EQ(enc->ids, expected);
}

TEST_F(TokenizerTest, MissingFiles) {
  const std::string dir = CopyShared("no_source_spm");
  fs::remove(dir + "/source.spm");
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Load(dir, SharedConfig());
  ASSERT_FALSE(tok.ok());
  EXPECT_EQ(tok.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(tok.status().message(), HasSubstr(dir + "/source.spm"));

  // Shared-vocabulary files lack target_vocab.json.
  tok = Tokenizer::Load(*root_ + "/shared", SeparateConfig());
  ASSERT_FALSE(tok.ok());
  EXPECT_EQ(tok.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(tok.status().message(), HasSubstr("target_vocab.json"));
}

TEST_F(TokenizerTest, CorruptFiles) {
  const std::string dir = CopyShared("corrupt");
  std::ofstream(dir + "/target.spm") << "not a sentencepiece model";
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Load(dir, SharedConfig());
  ASSERT_FALSE(tok.ok());
  EXPECT_THAT(tok.status().message(), HasSubstr(dir + "/target.spm"));

  fs::copy_file(*root_ + "/shared/target.spm", dir + "/target.spm",
                fs::copy_options::overwrite_existing);
  std::ofstream(dir + "/vocab.json") << R"({"</s>": 0, "<unk>": 2})";
  tok = Tokenizer::Load(dir, SharedConfig());
  ASSERT_FALSE(tok.ok());
  EXPECT_THAT(tok.status().message(), HasSubstr(dir + "/vocab.json: id 2 of piece '<unk>'"));
}

TEST_F(TokenizerTest, VocabularyChecksAgainstConfig) {
  ModelConfig small = SharedConfig();
  small.vocab_size = 10;
  small.decoder_vocab_size = 10;
  small.pad_token_id = small.decoder_start_token_id = 5;
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Load(*root_ + "/shared", small);
  ASSERT_FALSE(tok.ok());
  EXPECT_THAT(tok.status().message(),
              HasSubstr("vocab.json has " + std::to_string(source_vocab_->size()) +
                        " pieces but the model's vocab_size is 10"));

  ModelConfig separate = SeparateConfig();
  separate.decoder_vocab_size = 20;
  separate.pad_token_id = separate.decoder_start_token_id = 5;
  tok = Tokenizer::Load(*root_ + "/separate", separate);
  ASSERT_FALSE(tok.ok());
  EXPECT_THAT(tok.status().message(),
              HasSubstr("target_vocab.json has " + std::to_string(target_vocab_->size()) +
                        " pieces but the model's decoder_vocab_size is 20"));

  ModelConfig eos = SharedConfig();
  eos.eos_token_id = 1;
  tok = Tokenizer::Load(*root_ + "/shared", eos);
  ASSERT_FALSE(tok.ok());
  EXPECT_THAT(tok.status().message(),
              HasSubstr("maps '</s>' to 0 but config.json has eos_token_id 1"));

  const std::string dir = CopyShared("no_pad");
  std::map<std::string, int> vocab = *source_vocab_;
  vocab.erase("<pad>");
  WriteVocab(vocab, dir + "/vocab.json");
  tok = Tokenizer::Load(dir, SharedConfig());
  ASSERT_FALSE(tok.ok());
  EXPECT_THAT(tok.status().message(), HasSubstr("vocab.json has no '<pad>' piece"));
}

TEST(VocabularyTest, FromJson) {
  absl::StatusOr<Vocabulary> v = Vocabulary::FromJson(R"({"</s>": 0, "<unk>": 1, "▁a": 2})");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->size(), 3);
  EXPECT_EQ(v->Find("▁a"), 2);
  EXPECT_EQ(v->Find("b"), std::nullopt);
  EXPECT_EQ(v->Piece(1), "<unk>");

  EXPECT_THAT(Vocabulary::FromJson(R"({"a": 0, "b": 0})").status().message(),
              HasSubstr("id 0 is used by both 'a' and 'b'"));
  EXPECT_THAT(Vocabulary::FromJson(R"({"a": 0, "b": 2})").status().message(),
              HasSubstr("id 2 of piece 'b' is out of range"));
  EXPECT_THAT(Vocabulary::FromJson(R"({"a": -1})").status().message(),
              HasSubstr("must be a non-negative integer, got -1"));
  EXPECT_THAT(Vocabulary::FromJson(R"({"a": "0"})").status().message(),
              HasSubstr("must be a non-negative integer, got string"));
  EXPECT_THAT(Vocabulary::FromJson("{}").status().message(), HasSubstr("vocabulary is empty"));
  EXPECT_THAT(Vocabulary::FromJson("[]").status().message(), HasSubstr("must be a JSON object"));
  EXPECT_THAT(Vocabulary::FromJson("{\"a\": 0").status().message(),
              HasSubstr("invalid JSON at byte"));
  EXPECT_EQ(Vocabulary::Load("/nonexistent/vocab.json").status().code(),
            absl::StatusCode::kNotFound);
}

// The generated test models, once present, must load through the same path the server uses.
TEST(TestModelsTest, LoadIfPresent) {
  const fs::path models = fs::path(TSERVE_SOURCE_DIR) / "tests/data/models";
  if (!fs::is_directory(models)) GTEST_SKIP() << "no test models in " << models;
  int loaded = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(models)) {
    if (!fs::exists(e.path() / "config.json")) continue;
    // A model without tokenizer files (tests of the layers alone) takes ids only.
    if (!fs::exists(e.path() / "source.spm") && !fs::exists(e.path() / "sentencepiece.bpe.model")) {
      continue;
    }
    absl::StatusOr<ModelConfig> config = LoadModelConfig(e.path().string());
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Load(e.path().string(), *config);
    ASSERT_TRUE(tok.ok()) << tok.status();
    // A model with several target languages needs one named: its first; NLLB and M2M100
    // need a source language too.
    const std::vector<std::string>& languages = (*tok)->target_languages();
    const std::vector<std::string>& sources = (*tok)->source_languages();
    absl::StatusOr<EncodedText> enc =
        (*tok)->EncodeSource("Hello world.", 512, true,
                             RequestLanguages{sources.empty() ? "" : sources.front(),
                                              languages.empty() ? "" : languages.front()},
                             LanguageRequirement::kRequired);
    ASSERT_TRUE(enc.ok()) << enc.status();
    EXPECT_EQ(enc->ids.back(), config->eos_token_id);
    // Every tensor of the weights, whatever their layout, reads as float32 with its own
    // shape (integer buffers are not expected in these models).
    absl::StatusOr<std::unique_ptr<Checkpoint>> weights = Checkpoint::Open(e.path().string());
    ASSERT_TRUE(weights.ok()) << weights.status();
    const TensorEntry* source = (*weights)->Find("model.shared.weight");
    if (source == nullptr) source = (*weights)->Find("model.encoder.embed_tokens.weight");
    ASSERT_NE(source, nullptr) << e.path();
    for (const TensorEntry* t : (*weights)->tensors()) {
      absl::StatusOr<std::vector<float>> values = (*weights)->ReadFloat32(t->name, t->shape);
      ASSERT_TRUE(values.ok()) << values.status();
    }
    EXPECT_EQ(source->shape, (std::vector<int64_t>{config->vocab_size, config->d_model}));
    ++loaded;
  }
  if (loaded == 0) GTEST_SKIP() << "no test models in " << models;
}

}  // namespace
}  // namespace tserve::engine
