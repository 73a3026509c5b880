// tserve's SentencePiece runtime (engine/text/sentencepiece.h) against libsentencepiece
// itself: for every model, thousands of texts must give the same pieces, and piece
// sequences the same decoded text. The models are the committed test models, the demo
// model when it is there, and models trained here with the options OPUS-MT models and
// SentencePiece users vary (normalization rules, user-defined and control symbols,
// byte fallback, whitespace handling, denormalization rules).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

// Debian's sentencepiece headers declare `namespace absl { using std::string_view; }`,
// which collides with the system Abseil, whose absl::string_view is its own class.
// Renaming the namespace for these headers keeps both usable: the alias still names
// std::string_view, so the declarations match the symbols in libsentencepiece.
#define absl sentencepiece_absl
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#undef absl

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/text/sentencepiece.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tserve::engine::spm {
namespace {

namespace fs = std::filesystem;

constexpr int kRandomTexts = 4000;
constexpr int kRandomPieceSequences = 2000;

struct ModelFile {
  std::string name;
  std::string path;
};

std::vector<std::string> ReadLines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Text fragments that exercise every part of the normalizer and the segmenter.
const std::vector<std::string>& Fragments() {
  static const auto* const kFragments = new std::vector<std::string>{
      // ASCII words, punctuation, digits
      "the", "The", "quick", "brown", "fox", "dog", "hello", "world", "translation", "a", "I",
      "don't", "e-mail", "U.S.A.", "x", "zzzz", "qwrtpsdfg", ".", ",", ";", ":", "!", "?", "'",
      "\"", "(", ")", "[", "]", "-", "--", "...", "/", "@", "#", "$", "%", "&", "*", "+", "=", "<",
      ">", "_", "~", "`", "^", "|", "\\", "0", "1", "42", "2024", "3.14", "1,000,000",
      // whitespace of every kind
      " ", "  ", "   ", "\t", "\n", "\r\n", "\v", "\f", "\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\x8B",
      "\xE2\x80\x83",
      // SentencePiece's own space symbol, typed in
      "\xE2\x96\x81", "\xE2\x96\x81\xE2\x96\x81",
      "a\xE2\x96\x81"
      "b",
      // accented Latin, composed and decomposed
      "caf\xC3\xA9", "ni\xC3\xB1o",
      "\xC3\xBC"
      "ber",
      "\xC3\x85ngstr\xC3\xB6m", "e\xCC\x81", "A\xCC\x8A", "\xC5\x93uvre",
      "stra\xC3\x9F"
      "e",
      "\xC4\xB0stanbul",
      "\xC3\x89"
      "COLE",
      // characters NFKC changes: full-width, ligatures, circled, compatibility forms
      "\xEF\xBC\xA8\xEF\xBD\x85\xEF\xBD\x8C\xEF\xBD\x8C\xEF\xBD\x8F", "\xEF\xBC\x91\xEF\xBC\x92",
      "\xEF\xAC\x81", "\xEF\xAC\x82", "\xEF\xAC\x80", "\xE2\x91\xA0", "\xE2\x91\xB3",
      "\xE3\x8E\x8F", "\xC2\xBD", "\xE2\x84\xA2", "\xE2\x85\xAB", "\xEF\xBD\xB6", "\xE2\x84\xA6",
      "\xC2\xB2", "\xE2\x80\xA6", "\xEF\xBC\x81", "\xEF\xBC\x9F", "\xE3\x88\xB1",
      "\xF0\x9D\x90\x80",
      // CJK, Hangul, other scripts
      "\xE6\xBC\xA2\xE5\xAD\x97", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
      "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", "\xE3\x81\x8B\xE3\x81\xAA",
      "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "\xCE\xB1\xCE\xB2\xCE\xB3",
      "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7",
      "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D",
      // emoji, with modifiers, flags and joiners
      "\xF0\x9F\x98\x80", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "\xF0\x9F\x87\xAA\xF0\x9F\x87\xB8",
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
      "\xE2\x9D\xA4\xEF\xB8\x8F",
      // control characters
      std::string("\0", 1), "\x01", "\x1b", "\x7f", "\xC2\x85", "\xE2\x80\xA8",
      // malformed UTF-8: stray bytes, truncated sequences, overlong forms, surrogates,
      // beyond U+10FFFF; and U+FFFD itself
      "\xff", "\xfe", "\x80", "\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf",
      "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xEF\xBF\xBD",
      // special pieces typed as text, and the trained models' user-defined symbols
      "<unk>", "</s>", "<s>", "<pad>", "<sep>", "<2es>", "\xEF\xBC\xA1\xEF\xBC\xA2", "@@",
      "\xEF\xAC\x81x", "<0x41>"};
  return *kFragments;
}

std::string RandomText(std::mt19937& rng, const std::vector<std::string>& words) {
  const std::vector<std::string>& fragments = Fragments();
  std::string text;
  const int n = std::uniform_int_distribution<int>(0, 12)(rng);
  for (int i = 0; i < n; ++i) {
    const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
    if (kind < 4) {
      text += fragments[std::uniform_int_distribution<size_t>(0, fragments.size() - 1)(rng)];
    } else if (kind < 8) {
      text += words[std::uniform_int_distribution<size_t>(0, words.size() - 1)(rng)];
    } else if (kind == 8) {
      text += static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    } else {
      text += std::string(std::uniform_int_distribution<size_t>(1, 4)(rng), ' ');
    }
    if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) text += ' ';
  }
  return text;
}

class SentencePieceEqualityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path source = TSERVE_SOURCE_DIR;
    models_ = new std::vector<ModelFile>();
    for (const fs::path& dir : {source / "tests/data/models", source / "models"}) {
      if (!fs::is_directory(dir)) continue;
      std::vector<fs::path> found;
      for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.path().extension() == ".spm") found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      for (const fs::path& p : found) {
        models_->push_back({fs::relative(p, source).string(), p.string()});
      }
    }
    // More models to compare on, e.g. a downloaded OPUS-MT model's source.spm.
    if (const char* extra = std::getenv("TSERVE_SPM_EXTRA_MODELS")) {
      const std::vector<std::string> paths = absl::StrSplit(extra, ':', absl::SkipEmpty());
      for (const std::string& p : paths) models_->push_back({p, p});
    }

    texts_ = new std::vector<std::string>();
    for (const fs::path& golden : {source / "tests/data/golden"}) {
      for (const auto& entry : fs::recursive_directory_iterator(golden)) {
        if (entry.path().filename() != "golden.json") continue;
        std::ifstream in(entry.path());
        const nlohmann::json json = nlohmann::json::parse(in);
        for (const auto& s : json.at("sentences")) texts_->push_back(s.at("text"));
      }
    }
    std::vector<std::string> corpus = ReadLines(source / "tests/data/en-es/test.en");
    for (std::string& line : ReadLines(source / "tests/data/en-es/test.es")) {
      corpus.push_back(std::move(line));
    }
    texts_->insert(texts_->end(), corpus.begin(), corpus.end());
    std::vector<std::string> words;
    for (const std::string& line : corpus) {
      std::vector<std::string> split = absl::StrSplit(line, ' ', absl::SkipEmpty());
      words.insert(words.end(), split.begin(), split.end());
    }
    std::mt19937 rng(20240611);
    for (int i = 0; i < kRandomTexts; ++i) texts_->push_back(RandomText(rng, words));
    texts_->push_back("");

    TrainModels(corpus);
  }

  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
    delete models_;
    delete texts_;
  }

  // Trains unigram models with different options on `corpus` (plus the special
  // fragments, so that some of them become pieces).
  static void TrainModels(const std::vector<std::string>& corpus) {
    root_ = new std::string(::testing::TempDir() + "/spm_equality_" + std::to_string(getpid()));
    fs::create_directories(*root_);
    const std::string input = *root_ + "/corpus.txt";
    {
      std::ofstream out(input);
      for (const std::string& line : corpus) out << line << '\n';
      std::mt19937 rng(7);
      for (int i = 0; i < 300; ++i) {
        std::string line = RandomText(rng, {"the", "world", "\xEF\xAC\x81x", "<sep>"});
        std::erase(line, '\n');
        std::erase(line, '\r');
        std::erase(line, '\0');
        out << line << '\n';
      }
    }
    const std::string rules = *root_ + "/denormalization.tsv";
    std::ofstream(rules) << "6C 6C\t4C\n61 62\t41 42 43\n";

    const std::string common =
        " --model_type=unigram --hard_vocab_limit=false --num_threads=1 --minloglevel=2"
        " --input=" +
        input;
    const std::vector<std::pair<std::string, std::string>> variants = {
        {"nmt_nfkc-user-defined",
         " --vocab_size=400 --character_coverage=1.0 --normalization_rule_name=nmt_nfkc"
         " --user_defined_symbols=<sep>,\xEF\xBC\xA1\xEF\xBC\xA2,\xEF\xAC\x81x,@@"
         " --control_symbols=<2es>"},
        {"byte-fallback", " --vocab_size=600 --character_coverage=0.98 --byte_fallback=true"},
        {"raw-whitespace",
         " --vocab_size=300 --character_coverage=0.995 --normalization_rule_name=identity"
         " --add_dummy_prefix=false --remove_extra_whitespaces=false"},
        {"suffix-nfkc_cf",
         " --vocab_size=300 --character_coverage=1.0 --normalization_rule_name=nfkc_cf"
         " --treat_whitespace_as_suffix=true --split_by_whitespace=false"},
        {"denormalizer",
         " --vocab_size=250 --character_coverage=1.0 --denormalization_rule_tsv=" + rules +
             " --unk_surface=<?> --unk_id=3 --bos_id=0 --eos_id=1 --pad_id=2"},
    };
    for (const auto& [name, flags] : variants) {
      const std::string prefix = *root_ + "/" + name;
      const auto s =
          sentencepiece::SentencePieceTrainer::Train("--model_prefix=" + prefix + common + flags);
      ASSERT_TRUE(s.ok()) << name << ": " << s.ToString();
      models_->push_back({"trained/" + name, prefix + ".model"});
    }
    // Unescaped whitespace: NormalizerSpec.escape_whitespaces has no training flag, but
    // a second normalizer_spec field is merged into the first by every protobuf
    // reader, so appending {escape_whitespaces: false} switches it off.
    for (const char* base : {"raw-whitespace", "nmt_nfkc-user-defined"}) {
      std::ifstream in(*root_ + "/" + std::string(base) + ".model", std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      bytes += std::string("\x1a\x02\x28\x00", 4);
      const std::string path = *root_ + "/" + std::string(base) + "-unescaped.model";
      std::ofstream(path, std::ios::binary) << bytes;
      models_->push_back({"trained/" + std::string(base) + "-unescaped", path});
    }
  }

  static std::string* root_;
  static std::vector<ModelFile>* models_;
  static std::vector<std::string>* texts_;
};

std::string* SentencePieceEqualityTest::root_ = nullptr;
std::vector<ModelFile>* SentencePieceEqualityTest::models_ = nullptr;
std::vector<std::string>* SentencePieceEqualityTest::texts_ = nullptr;

// The trained variants really have the options they are named after, so the
// comparisons above cover them.
TEST_F(SentencePieceEqualityTest, TrainedModelsHaveTheirOptions) {
  const auto load = [](const std::string& name) {
    absl::StatusOr<std::unique_ptr<Processor>> p = Processor::Load(*root_ + "/" + name + ".model");
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *std::move(p) : nullptr;
  };
  const auto count = [](const Processor& p, PieceType type) {
    return std::count_if(p.model().pieces.begin(), p.model().pieces.end(),
                         [&](const Piece& piece) { return piece.type == type; });
  };
  std::unique_ptr<Processor> user = load("nmt_nfkc-user-defined");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(count(*user, PieceType::kUserDefined), 4);
  EXPECT_EQ(count(*user, PieceType::kControl), 3);  // <s>, </s>, <2es>
  EXPECT_FALSE(user->model().normalizer_spec.precompiled_charsmap.empty());
  EXPECT_THAT(user->Encode("a\xEF\xBC\xA1\xEF\xBC\xA2<sep>"),
              ::testing::IsSupersetOf({"\xEF\xBC\xA1\xEF\xBC\xA2", "<sep>"}));

  std::unique_ptr<Processor> bytes = load("byte-fallback");
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(count(*bytes, PieceType::kByte), 256);
  // A character the training text never had ("龘") becomes its UTF-8 bytes.
  EXPECT_THAT(bytes->Encode("\xE9\xBE\x98"),
              ::testing::IsSupersetOf({"<0xE9>", "<0xBE>", "<0x98>"}));

  std::unique_ptr<Processor> raw = load("raw-whitespace");
  ASSERT_NE(raw, nullptr);
  EXPECT_FALSE(raw->model().normalizer_spec.add_dummy_prefix);
  EXPECT_FALSE(raw->model().normalizer_spec.remove_extra_whitespaces);
  std::unique_ptr<Processor> unescaped = load("raw-whitespace-unescaped");
  ASSERT_NE(unescaped, nullptr);
  EXPECT_FALSE(unescaped->model().normalizer_spec.escape_whitespaces);

  std::unique_ptr<Processor> suffix = load("suffix-nfkc_cf");
  ASSERT_NE(suffix, nullptr);
  EXPECT_TRUE(suffix->model().trainer_spec.treat_whitespace_as_suffix);
  EXPECT_EQ(suffix->model().normalizer_spec.name, "nfkc_cf");

  std::unique_ptr<Processor> denormalizer = load("denormalizer");
  ASSERT_NE(denormalizer, nullptr);
  ASSERT_TRUE(denormalizer->model().denormalizer_spec.has_value());
  EXPECT_FALSE(denormalizer->model().denormalizer_spec->precompiled_charsmap.empty());
  EXPECT_EQ(denormalizer->model().trainer_spec.unk_surface, "<?>");
  // The rules written above: "ll" -> "L", "ab" -> "ABC".
  EXPECT_EQ(denormalizer->Decode(denormalizer->Encode("abll")), "ABCL");
}

std::string Show(const std::vector<std::string>& pieces) {
  return "[" + absl::StrJoin(pieces, "|") + "]";
}

TEST_F(SentencePieceEqualityTest, EncodeAndDecodeMatchLibSentencePiece) {
  ASSERT_GE(models_->size(), 8u + 7u);
  for (const ModelFile& model : *models_) {
    SCOPED_TRACE(model.name);
    sentencepiece::SentencePieceProcessor reference;
    ASSERT_TRUE(reference.Load(model.path).ok());
    absl::StatusOr<std::unique_ptr<Processor>> ours = Processor::Load(model.path);
    ASSERT_TRUE(ours.ok()) << ours.status();

    int mismatches = 0;
    for (const std::string& text : *texts_) {
      const std::vector<std::string> expected = reference.EncodeAsPieces(text);
      const std::vector<std::string> actual = (*ours)->Encode(text);
      if (actual != expected && ++mismatches <= 5) {
        ADD_FAILURE() << "encoding '" << text << "': libsentencepiece " << Show(expected)
                      << ", tserve " << Show(actual);
      }
      const std::string decoded = reference.DecodePieces(expected);
      if ((*ours)->Decode(expected) != decoded && ++mismatches <= 5) {
        ADD_FAILURE() << "decoding " << Show(expected) << ": libsentencepiece '" << decoded
                      << "', tserve '" << (*ours)->Decode(expected) << "'";
      }
    }
    EXPECT_EQ(mismatches, 0);
    std::cout << model.name << ": " << texts_->size() << " texts encoded and decoded, "
              << mismatches << " differences\n";
  }
}

// The tokenizer decodes pieces from vocab.json, which may hold pieces the model lacks,
// in any order: control and unknown pieces, byte pieces, leading "▁" anywhere.
TEST_F(SentencePieceEqualityTest, DecodingArbitraryPieceSequencesMatches) {
  std::mt19937 rng(99);
  for (const ModelFile& model : *models_) {
    SCOPED_TRACE(model.name);
    sentencepiece::SentencePieceProcessor reference;
    ASSERT_TRUE(reference.Load(model.path).ok());
    absl::StatusOr<std::unique_ptr<Processor>> ours = Processor::Load(model.path);
    ASSERT_TRUE(ours.ok()) << ours.status();
    ASSERT_EQ((*ours)->size(), reference.GetPieceSize());

    std::vector<std::string> candidates = {"\xE2\x96\x81",
                                           "\xE2\x96\x81\xE2\x96\x81",
                                           "not-a-piece",
                                           "\xE2\x96\x81zzq",
                                           "<0x41>",
                                           "<0xC3>",
                                           "<0xA9>",
                                           "<0xFF>",
                                           "<unk>",
                                           "</s>",
                                           " ",
                                           "\xff"};
    for (int id = 0; id < reference.GetPieceSize(); ++id) {
      candidates.push_back(reference.IdToPiece(id));
      EXPECT_EQ((*ours)->PieceToId(reference.IdToPiece(id)), id);
    }
    for (const std::string& c : candidates)
      EXPECT_EQ((*ours)->PieceToId(c), reference.PieceToId(c));

    int mismatches = 0;
    for (int i = 0; i < kRandomPieceSequences; ++i) {
      std::vector<std::string> pieces(std::uniform_int_distribution<size_t>(0, 10)(rng));
      for (std::string& p : pieces) {
        p = candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng)];
      }
      const std::string expected = reference.DecodePieces(pieces);
      const std::string actual = (*ours)->Decode(pieces);
      if (actual != expected && ++mismatches <= 5) {
        ADD_FAILURE() << "decoding " << Show(pieces) << ": libsentencepiece '" << expected
                      << "', tserve '" << actual << "'";
      }
    }
    EXPECT_EQ(mismatches, 0);
    std::cout << model.name << ": " << kRandomPieceSequences << " piece sequences decoded, "
              << mismatches << " differences\n";
  }
}

}  // namespace
}  // namespace tserve::engine::spm
