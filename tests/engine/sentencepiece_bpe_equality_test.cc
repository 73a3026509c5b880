// tserve's SentencePiece runtime on BPE models (engine/text/bpe.h) against
// libsentencepiece itself: BPE models are trained here with libsentencepiece's trainer on
// seeded corpora in Latin, Cyrillic, CJK and Arabic script, with the options that change
// encoding (normalization rules, user-defined and control symbols, byte fallback,
// whitespace handling, UNUSED pieces), and thousands of texts per model must give the
// same pieces and ids, and the pieces the same decoded text.
// With TSERVE_NLLB_SPM=/path/to/sentencepiece.bpe.model, NLLB-200's model is compared too.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

// Debian's sentencepiece headers declare `namespace absl { using std::string_view; }`,
// which collides with the system Abseil; see sentencepiece_equality_test.cc.
#define absl sentencepiece_absl
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#undef absl

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/text/sentencepiece.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::engine::spm {
namespace {

namespace fs = std::filesystem;

constexpr int kCorpusLines = 2500;
constexpr int kSentencesPerScript = 1500;
constexpr int kMixedTextsPerScript = 1500;
constexpr int kHardTexts = 600;
constexpr int kPieceSequences = 500;

enum class Script { kLatin, kCyrillic, kCjk, kArabic };
constexpr Script kScripts[] = {Script::kLatin, Script::kCyrillic, Script::kCjk, Script::kArabic};

std::string Utf8(char32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

std::string Utf8(std::u32string_view chars) {
  std::string s;
  for (char32_t c : chars) s += Utf8(c);
  return s;
}

size_t Pick(std::mt19937& rng, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}

// Roughly Zipfian: low indexes are much more frequent, as in real text.
size_t PickZipf(std::mt19937& rng, size_t n) {
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  return std::min(n - 1, static_cast<size_t>(std::pow(static_cast<double>(n), u)) - 1);
}

// A seeded lexicon of word-like strings in one script.
std::vector<std::string> MakeLexicon(Script script, size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> words;
  const auto syllables = [&](std::u32string_view consonants, std::u32string_view vowels) {
    std::string word;
    const size_t n = 1 + Pick(rng, 4);
    for (size_t i = 0; i < n; ++i) {
      if (Pick(rng, 5) != 0) word += Utf8(consonants[PickZipf(rng, consonants.size())]);
      word += Utf8(vowels[PickZipf(rng, vowels.size())]);
      if (Pick(rng, 4) == 0) word += Utf8(consonants[PickZipf(rng, consonants.size())]);
    }
    return word;
  };
  while (words.size() < size) {
    switch (script) {
      case Script::kLatin:
        words.push_back(syllables(U"tnsrlmdcpbgvfhzjqxkwy\u00f1\u00e7",
                                  U"eaoiu\u00e1\u00e9\u00ed\u00f3\u00fa\u00fc\u00e0\u00e8"));
        break;
      case Script::kCyrillic:
        words.push_back(
            syllables(U"\u043d\u0442\u0441\u0440\u0432\u043b\u043a\u043c\u0434\u043f"
                      U"\u0437\u0431\u0433\u0447\u0439\u0445\u0436\u0448\u0446\u0449"
                      U"\u0444\u044a\u044c",
                      U"\u043e\u0430\u0435\u0438\u0443\u044f\u044b\u044e\u044d"
                      U"\u0451"));
        break;
      case Script::kCjk: {
        // Chinese-like words of ideographs, Japanese-like words of kana and kanji.
        std::string word;
        const size_t n = 1 + Pick(rng, 3);
        const bool japanese = Pick(rng, 2) == 0;
        for (size_t i = 0; i < n; ++i) {
          word += Utf8(static_cast<char32_t>(0x4E00 + PickZipf(rng, 3000) * 7));
          if (japanese) word += Utf8(static_cast<char32_t>(0x3042 + PickZipf(rng, 80)));
          if (japanese && Pick(rng, 4) == 0) {
            word += Utf8(static_cast<char32_t>(0x30A2 + PickZipf(rng, 80)));
          }
        }
        words.push_back(word);
        break;
      }
      case Script::kArabic: {
        std::string word;
        const size_t n = 2 + Pick(rng, 5);
        for (size_t i = 0; i < n; ++i) {
          word += Utf8(static_cast<char32_t>(0x0627 + PickZipf(rng, 36)));
          if (Pick(rng, 12) == 0) word += Utf8(static_cast<char32_t>(0x064B + Pick(rng, 8)));
        }
        words.push_back(word);
        break;
      }
    }
  }
  return words;
}

// A sentence of words from `lexicon`, with the script's spacing and punctuation.
std::string MakeSentence(std::mt19937& rng, Script script,
                         const std::vector<std::string>& lexicon) {
  std::string text;
  const size_t n = 2 + Pick(rng, 14);
  for (size_t i = 0; i < n; ++i) {
    std::string word = lexicon[PickZipf(rng, lexicon.size())];
    if (script == Script::kLatin && i == 0 && word[0] >= 'a' && word[0] <= 'z') word[0] -= 32;
    if (i > 0 && script != Script::kCjk) text += ' ';
    text += word;
    if (Pick(rng, 9) == 0) {
      switch (script) {
        case Script::kCjk:
          text += Utf8(U"\u3001");
          break;
        case Script::kArabic:
          text += Utf8(U"\u060c");
          break;
        default:
          text += ',';
          break;
      }
    }
    if (Pick(rng, 25) == 0) text += script == Script::kArabic ? Utf8(U"\u0664\u0662") : "42";
  }
  switch (script) {
    case Script::kCjk:
      text += Utf8(Pick(rng, 4) == 0 ? U"\uff1f" : U"\u3002");
      break;
    case Script::kArabic:
      text += Utf8(Pick(rng, 4) == 0 ? U"\u061f" : U".");
      break;
    default:
      text += Pick(rng, 4) == 0 ? "?" : ".";
      break;
  }
  return text;
}

// Fragments for the hard cases: whitespace of every kind, characters NFKC changes,
// characters no model knows, malformed UTF-8, special pieces typed as text.
const std::vector<std::string>& Fragments() {
  static const auto* const kFragments =
      new std::vector<std::string>{" ",
                                   "  ",
                                   "   ",
                                   "\t",
                                   "\n",
                                   "\r\n",
                                   "\xC2\xA0",
                                   "\xE3\x80\x80",
                                   "\xE2\x80\x8B",
                                   "\xE2\x96\x81",
                                   "\xE2\x96\x81\xE2\x96\x81",
                                   "a\xE2\x96\x81"
                                   "b",
                                   ".",
                                   ",",
                                   "!",
                                   "?",
                                   "-",
                                   "'",
                                   "\"",
                                   "(",
                                   ")",
                                   "0",
                                   "7",
                                   "1999",
                                   "e\xCC\x81",
                                   "\xC3\xA9",
                                   "\xEF\xAC\x81",
                                   "\xEF\xBC\xA8\xEF\xBD\x85\xEF\xBD\x8C\xEF\xBD\x8C\xEF\xBD\x8F",
                                   "\xE2\x91\xA0",
                                   "\xE3\x8E\x8F",
                                   "\xC2\xBD",
                                   "\xEF\xBD\xB6",
                                   "\xEF\xBA\x8D",
                                   "\xEF\xBB\xBB",
                                   "\xE2\x80\xA6",
                                   "\xF0\x9F\x98\x80",
                                   "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
                                   "\xE9\xBE\x98",
                                   "\xE9\xBE\x98\xE9\xBE\x98\xE9\xBE\x98",
                                   "\xEA\xB0\x80\xEB\x82\x98",
                                   "\xE0\xA4\xA8\xE0\xA4\xAE",
                                   "\xCE\xB1\xCE\xB2\xCE\xB3",
                                   "\xF0\x9D\x90\x80",
                                   std::string("\0", 1),
                                   "\x01",
                                   "\x7f",
                                   "\xC2\x85",
                                   "\xff",
                                   "\x80",
                                   "\xc3",
                                   "\xe2\x82",
                                   "\xf0\x9f\x98",
                                   "\xc0\xaf",
                                   "\xed\xa0\x80",
                                   "\xEF\xBF\xBD",
                                   "<unk>",
                                   "<s>",
                                   "</s>",
                                   "<pad>",
                                   "<sep>",
                                   "<2es>",
                                   "\xC2\xA7",
                                   "\xEF\xBC\xA1\xEF\xBC\xA2",
                                   "@@",
                                   "@@@",
                                   "\xEF\xAC\x81x",
                                   "<0x41>",
                                   "\xE2\x96\x81<sep>"};
  return *kFragments;
}

// Words and fragments mixed, with whitespace runs and random bytes.
std::string MakeMixedText(std::mt19937& rng, const std::vector<std::string>& lexicon) {
  const std::vector<std::string>& fragments = Fragments();
  std::string text;
  const size_t n = Pick(rng, 14);
  for (size_t i = 0; i < n; ++i) {
    const size_t kind = Pick(rng, 10);
    if (kind < 3) {
      text += fragments[Pick(rng, fragments.size())];
    } else if (kind < 8) {
      text += lexicon[PickZipf(rng, lexicon.size())];
    } else if (kind == 8) {
      text += static_cast<char>(Pick(rng, 256));
    } else {
      text += std::string(1 + Pick(rng, 4), ' ');
    }
    if (Pick(rng, 2) == 0) text += ' ';
  }
  return text;
}

struct TrainedModel {
  std::string name;
  std::string path;
  std::vector<Script> scripts;  // whose texts it is compared on
};

// Rewrites a serialized ModelProto so that the pieces `choose` picks (by index and
// piece) become UNUSED: an extra `type` field in a piece message overrides the first,
// as in every protobuf reader. There is no trainer flag for UNUSED pieces.
template <typename Choose>
std::string MarkUnused(const std::string& model, Choose choose) {
  const auto read_varint = [&](size_t& at) {
    uint64_t v = 0;
    for (int shift = 0; at < model.size(); shift += 7) {
      const auto b = static_cast<uint8_t>(model[at++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
    }
    return v;
  };
  const auto write_varint = [](std::string& out, uint64_t v) {
    for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7F) | 0x80);
    out += static_cast<char>(v);
  };
  std::string out;
  int index = 0;
  for (size_t at = 0; at < model.size();) {
    const size_t field_start = at;
    const uint64_t tag = read_varint(at);
    switch (tag & 7) {
      case 0:
        read_varint(at);
        break;
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      case 2: {
        const uint64_t length = read_varint(at);
        std::string payload = model.substr(at, length);
        at += length;
        if (tag == (1 << 3 | 2)) {
          // The piece string is the first field: tag 0x0A, length, bytes.
          const std::string piece = payload.substr(2, static_cast<uint8_t>(payload[1]));
          if (choose(index++, piece)) {
            payload += std::string("\x18\x05", 2);
            write_varint(out, tag);
            write_varint(out, payload.size());
            out += payload;
            continue;
          }
        }
        break;
      }
      default:
        ADD_FAILURE() << "unexpected wire type";
        return model;
    }
    out += model.substr(field_start, at - field_start);
  }
  return out;
}

std::string Show(const std::vector<std::string>& pieces) {
  return "[" + absl::StrJoin(pieces, "|") + "]";
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class SentencePieceBpeEqualityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(::testing::TempDir() + "/spm_bpe_equality_" + std::to_string(getpid()));
    fs::create_directories(*root_);
    texts_ = new std::vector<std::vector<std::string>>(std::size(kScripts));
    hard_texts_ = new std::vector<std::string>();
    models_ = new std::vector<TrainedModel>();

    std::vector<std::string> corpus_files;
    for (size_t s = 0; s < std::size(kScripts); ++s) {
      const Script script = kScripts[s];
      const std::vector<std::string> lexicon = MakeLexicon(script, 4000, 11 + s);
      std::mt19937 rng(100 + s);
      const std::string file = *root_ + "/corpus" + std::to_string(s) + ".txt";
      std::ofstream out(file);
      for (int i = 0; i < kCorpusLines; ++i) out << MakeSentence(rng, script, lexicon) << '\n';
      // Special fragments, so that user-defined symbols occur in training.
      for (int i = 0; i < 50; ++i) out << "<sep> " << lexicon[Pick(rng, 100)] << " @@ \n";
      corpus_files.push_back(file);
      // Texts to compare on: unseen sentences (another seed) and mixtures.
      std::mt19937 text_rng(500 + s);
      std::vector<std::string>& texts = (*texts_)[s];
      for (int i = 0; i < kSentencesPerScript; ++i) {
        texts.push_back(MakeSentence(text_rng, script, lexicon));
      }
      for (int i = 0; i < kMixedTextsPerScript; ++i) {
        texts.push_back(MakeMixedText(text_rng, lexicon));
      }
      // Long texts: a paragraph, and one without any space.
      std::string paragraph;
      for (int i = 0; i < 300; ++i) paragraph += MakeSentence(text_rng, script, lexicon) + " ";
      texts.push_back(paragraph);
      std::string unspaced;
      for (int i = 0; i < 200; ++i) unspaced += lexicon[PickZipf(text_rng, lexicon.size())];
      texts.push_back(unspaced);
    }
    // Hard cases shared by every model.
    std::mt19937 rng(77);
    const std::vector<std::string> ascii = MakeLexicon(Script::kLatin, 200, 3);
    for (int i = 0; i < kHardTexts; ++i) hard_texts_->push_back(MakeMixedText(rng, ascii));
    for (const std::string& f : Fragments()) {
      hard_texts_->push_back(f);
      hard_texts_->push_back("  " + f + f + f + "  ");
    }
    hard_texts_->insert(hard_texts_->end(), {"", " ", "   ", "\t \n", "a", " a ", "a  b",
                                             "\xE9\xBE\x98\xE9\xBE\x98 \xE9\xBE\x98x"});

    const std::string all = absl::StrJoin(corpus_files, ",");
    const std::string common = " --model_type=bpe --num_threads=1 --minloglevel=2";
    struct Variant {
      std::string name;
      std::string flags;
      std::vector<Script> scripts;
    };
    const std::vector<Variant> variants = {
        {"latin-nmt_nfkc-user-defined",
         " --input=" + corpus_files[0] +
             " --vocab_size=1200 --character_coverage=0.9995"
             " --normalization_rule_name=nmt_nfkc"
             " --user_defined_symbols=<sep>,\xEF\xBC\xA1\xEF\xBC\xA2,\xEF\xAC\x81x,@@"
             " --control_symbols=<2es>,\xC2\xA7",
         {Script::kLatin}},
        {"cyrillic-byte-fallback",
         " --input=" + corpus_files[1] +
             " --vocab_size=1200 --character_coverage=0.999 --byte_fallback=true",
         {Script::kCyrillic}},
        {"cjk", " --input=" + corpus_files[2] + " --vocab_size=4000", {Script::kCjk}},
        {"cjk-byte-fallback",
         " --input=" + corpus_files[2] +
             " --vocab_size=2500 --character_coverage=0.995 --byte_fallback=true"
             " --user_defined_symbols=<sep>,@@",
         {Script::kCjk}},
        {"arabic-suffix-nfkc",
         " --input=" + corpus_files[3] +
             " --vocab_size=1000 --normalization_rule_name=nfkc"
             " --treat_whitespace_as_suffix=true --split_by_whitespace=false",
         {Script::kArabic}},
        {"mixed-raw-whitespace",
         " --input=" + all +
             " --vocab_size=3000 --normalization_rule_name=identity"
             " --add_dummy_prefix=false --remove_extra_whitespaces=false"
             " --unk_id=3 --bos_id=0 --eos_id=1 --pad_id=2 --unk_surface=<?>",
         {Script::kLatin, Script::kCyrillic, Script::kCjk, Script::kArabic}},
    };
    for (const Variant& v : variants) {
      const std::string prefix = *root_ + "/" + v.name;
      const auto s =
          sentencepiece::SentencePieceTrainer::Train("--model_prefix=" + prefix + common + v.flags);
      ASSERT_TRUE(s.ok()) << v.name << ": " << s.ToString();
      models_->push_back({v.name, prefix + ".model", v.scripts});
    }
    // UNUSED pieces take part in merging and are split again afterwards.
    for (const char* base : {"latin-nmt_nfkc-user-defined", "cyrillic-byte-fallback"}) {
      const std::string bytes = ReadBytes(*root_ + "/" + base + ".model");
      const std::string path = *root_ + "/" + base + "-unused.model";
      std::ofstream(path, std::ios::binary)
          << MarkUnused(bytes, [](int index, const std::string& piece) {
               return index % 4 == 1 && piece.size() >= 2 && piece[0] != '<';
             });
      models_->push_back({std::string(base) + "-unused",
                          path,
                          {base[0] == 'l' ? Script::kLatin : Script::kCyrillic}});
    }
  }

  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
    delete texts_;
    delete hard_texts_;
    delete models_;
  }

  static std::vector<std::string> TextsFor(const TrainedModel& model) {
    std::vector<std::string> texts = *hard_texts_;
    for (Script script : model.scripts) {
      const auto s = static_cast<size_t>(
          std::find(std::begin(kScripts), std::end(kScripts), script) - std::begin(kScripts));
      texts.insert(texts.end(), (*texts_)[s].begin(), (*texts_)[s].end());
    }
    return texts;
  }

  // Encodes and decodes every text with both; returns the number of differences.
  static int Compare(const std::string& name, const std::string& path,
                     const std::vector<std::string>& texts) {
    sentencepiece::SentencePieceProcessor reference;
    EXPECT_TRUE(reference.Load(path).ok());
    absl::StatusOr<std::unique_ptr<Processor>> loaded = Processor::Load(path);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    if (!loaded.ok()) return 1;
    const Processor& ours = **loaded;
    EXPECT_EQ(ours.size(), reference.GetPieceSize());

    int mismatches = 0;
    size_t pieces = 0;
    for (const std::string& text : texts) {
      const std::vector<std::string> expected = reference.EncodeAsPieces(text);
      const std::vector<std::string> actual = ours.Encode(text);
      pieces += expected.size();
      if (actual != expected && ++mismatches <= 5) {
        ADD_FAILURE() << "encoding '" << text << "': libsentencepiece " << Show(expected)
                      << ", tserve " << Show(actual);
      }
      const std::vector<int> expected_ids = reference.EncodeAsIds(text);
      std::vector<int> ids;
      for (const std::string& piece : actual) ids.push_back(ours.PieceToId(piece));
      if (ids != expected_ids && ++mismatches <= 5) {
        ADD_FAILURE() << "ids of '" << text << "' differ";
      }
      const std::string decoded = reference.DecodePieces(expected);
      if (ours.Decode(expected) != decoded && ++mismatches <= 5) {
        ADD_FAILURE() << "decoding " << Show(expected) << ": libsentencepiece '" << decoded
                      << "', tserve '" << ours.Decode(expected) << "'";
      }
    }
    // Arbitrary piece sequences, as vocab.json may hold them.
    std::mt19937 rng(99);
    std::vector<std::string> candidates = {"\xE2\x96\x81", "not-a-piece", "<0xC3>", "<0xA9>",
                                           "<unk>",        "</s>",        " ",      "\xff"};
    for (int id = 0; id < reference.GetPieceSize(); ++id) {
      candidates.push_back(reference.IdToPiece(id));
    }
    for (int i = 0; i < kPieceSequences; ++i) {
      std::vector<std::string> sequence(Pick(rng, 10));
      for (std::string& p : sequence) p = candidates[Pick(rng, candidates.size())];
      const std::string expected = reference.DecodePieces(sequence);
      if (ours.Decode(sequence) != expected && ++mismatches <= 5) {
        ADD_FAILURE() << "decoding " << Show(sequence) << ": libsentencepiece '" << expected
                      << "', tserve '" << ours.Decode(sequence) << "'";
      }
    }
    std::cout << name << ": " << texts.size() << " texts (" << pieces << " pieces) and "
              << kPieceSequences << " piece sequences, " << mismatches << " differences\n";
    return mismatches;
  }

  static std::string* root_;
  static std::vector<std::vector<std::string>>* texts_;  // by script, as kScripts
  static std::vector<std::string>* hard_texts_;
  static std::vector<TrainedModel>* models_;
};

std::string* SentencePieceBpeEqualityTest::root_ = nullptr;
std::vector<std::vector<std::string>>* SentencePieceBpeEqualityTest::texts_ = nullptr;
std::vector<std::string>* SentencePieceBpeEqualityTest::hard_texts_ = nullptr;
std::vector<TrainedModel>* SentencePieceBpeEqualityTest::models_ = nullptr;

TEST_F(SentencePieceBpeEqualityTest, TrainedModelsHaveTheirOptions) {
  ASSERT_EQ(models_->size(), 8u);
  for (const TrainedModel& model : *models_) {
    absl::StatusOr<std::unique_ptr<Processor>> p = Processor::Load(model.path);
    ASSERT_TRUE(p.ok()) << model.name << ": " << p.status();
    EXPECT_EQ((*p)->model().trainer_spec.model_type, ModelType::kBpe);
    const auto count = [&](PieceType type) {
      return std::count_if((*p)->model().pieces.begin(), (*p)->model().pieces.end(),
                           [&](const Piece& piece) { return piece.type == type; });
    };
    if (model.name.find("byte-fallback") != std::string::npos) {
      EXPECT_EQ(count(PieceType::kByte), 256) << model.name;
    }
    if (model.name.ends_with("-unused")) {
      EXPECT_GT(count(PieceType::kUnused), 50) << model.name;
    }
    if (model.name.starts_with("latin-nmt_nfkc-user-defined")) {
      EXPECT_EQ(count(PieceType::kUserDefined), 4);
      EXPECT_THAT((*p)->Encode("a\xEF\xBC\xA1\xEF\xBC\xA2<sep>"),
                  ::testing::IsSupersetOf({"\xEF\xBC\xA1\xEF\xBC\xA2", "<sep>"}));
      // "§" is a one-character control piece: BPE leaves it a symbol of its own, which
      // SentencePiece refuses to encode (no pieces at all).
      EXPECT_THAT((*p)->Encode("a \xC2\xA7 b"), ::testing::IsEmpty());
      EXPECT_THAT((*p)->Encode("a b"), ::testing::Not(::testing::IsEmpty()));
    }
  }
}

TEST_F(SentencePieceBpeEqualityTest, EncodeAndDecodeMatchLibSentencePiece) {
  for (const TrainedModel& model : *models_) {
    SCOPED_TRACE(model.name);
    EXPECT_EQ(Compare(model.name, model.path, TextsFor(model)), 0);
  }
}

// BPE merging is a priority queue over adjacent pairs: a long text without spaces must
// not take quadratic time.
TEST_F(SentencePieceBpeEqualityTest, LongTextsEncodeInLinearishTime) {
  for (const TrainedModel& model : *models_) {
    if (model.name != "cjk" && model.name != "mixed-raw-whitespace") continue;
    SCOPED_TRACE(model.name);
    absl::StatusOr<std::unique_ptr<Processor>> p = Processor::Load(model.path);
    ASSERT_TRUE(p.ok());
    std::string text;
    for (size_t i = 0; text.size() < 100'000; ++i) {
      text += (*texts_)[2][i % (*texts_)[2].size()];
    }
    sentencepiece::SentencePieceProcessor reference;
    ASSERT_TRUE(reference.Load(model.path).ok());
    const auto start = std::chrono::steady_clock::now();
    const std::vector<std::string> pieces = (*p)->Encode(text);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(pieces, reference.EncodeAsPieces(text));
    EXPECT_LT(seconds, 5.0);
    std::cout << model.name << ": " << text.size() << " bytes -> " << pieces.size() << " pieces in "
              << seconds << " s\n";
  }
}

// NLLB-200 / M2M100's sentencepiece.bpe.model (CC-BY-NC 4.0, so not in the repository),
// or any other BPE models: compared when TSERVE_NLLB_SPM names them (':'-separated).
TEST_F(SentencePieceBpeEqualityTest, GivenModelsMatch) {
  const char* paths = std::getenv("TSERVE_NLLB_SPM");
  if (paths == nullptr || *paths == '\0') GTEST_SKIP() << "TSERVE_NLLB_SPM is not set";
  std::vector<std::string> texts = *hard_texts_;
  for (const std::vector<std::string>& by_script : *texts_) {
    texts.insert(texts.end(), by_script.begin(), by_script.end());
  }
  const std::vector<std::string> split = absl::StrSplit(paths, ':', absl::SkipEmpty());
  for (const std::string& path : split) {
    SCOPED_TRACE(path);
    EXPECT_EQ(Compare(path, path, texts), 0);
  }
}

}  // namespace
}  // namespace tserve::engine::spm
