// `tserve-server --check_model=DIR`: what a user runs when a downloaded model
// does not load. It reports each layout's facts and exits 0, or names what is
// wrong and exits 1.
#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_server.h"

namespace tserve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;
using testing::RunProcess;
using testing::ServerBinary;
using testing::TempDir;

const std::string kModels = TSERVE_SOURCE_DIR "/tests/data/models/";

ProcessResult Check(const std::string& dir) {
  auto result = RunProcess({ServerBinary(), "--check_model=" + dir, "--compute_type=float32"});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ProcessResult{};
}

// A copy of a test model directory whose files can be broken.
void CopyModel(const std::string& name, const std::string& to) {
  std::filesystem::copy(kModels + name, to, std::filesystem::copy_options::recursive);
}

TEST(CheckModelTest, ReportsShardedBinaryCheckpoint) {
  const ProcessResult r = Check(kModels + "odd-defaults-f32-bin-sharded");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("pytorch_model.bin, 2 shards"));
  EXPECT_THAT(r.output, HasSubstr("pytorch_model-00002-of-00002.bin"));
  // The tied views transformers saves are read from the one storage and not used.
  EXPECT_THAT(r.output, HasSubstr("unused tensors:        lm_head.weight"));
  EXPECT_THAT(r.output, HasSubstr("forced eos:            no"));
  EXPECT_THAT(r.output, HasSubstr("OK: tserve can serve this model"));
}

TEST(CheckModelTest, ReportsLanguagesSpecialIdsAndGenerationRules) {
  const ProcessResult r = Check(kModels + "multi-target-f32");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("target languages:      pob, por, spa (a request must name one"));
  EXPECT_THAT(r.output, HasSubstr("special ids:           pad 220, eos 13, decoder start 220"));
  EXPECT_THAT(r.output, HasSubstr("renormalize_logits:    true"));
  EXPECT_THAT(r.output, HasSubstr("\"Hello world.\" to pob"));
}

// NLLB-200, M2M100 and mBART-50 name source and target languages apart; the smoke
// translation uses English and the next language, the target token forced first.
TEST(CheckModelTest, ReportsSourceAndTargetLanguagesOfTheOtherFamilies) {
  struct Case {
    std::string dir, tokenizer, codes, smoke;
  };
  for (const Case& c : std::vector<Case>{
           {"nllb-layout-f32", "tokenizer (NLLB-200: sentencepiece.bpe.model, fairseq ids):",
            "3 codes: deu_Latn, eng_Latn, fra_Latn", "\"Hello world.\" from eng_Latn to deu_Latn"},
           {"m2m100-layout-f32",
            "tokenizer (M2M100: sentencepiece.bpe.model, vocab.json, fairseq ids):",
            "3 codes: de, en, fr", "\"Hello world.\" from en to de"},
           {"mbart-layout-f32", "tokenizer (mBART-50: sentencepiece.bpe.model, fairseq ids):",
            "3 codes: de_DE, en_XX, fr_XX", "\"Hello world.\" from en_XX to de_DE"}}) {
    SCOPED_TRACE(c.dir);
    const ProcessResult r = Check(kModels + c.dir);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr(c.tokenizer));
    EXPECT_THAT(r.output, HasSubstr("source languages:      " + c.codes +
                                    " (a request must name one: source_language)"));
    EXPECT_THAT(r.output, HasSubstr("target languages:      " + c.codes));
    EXPECT_THAT(r.output, HasSubstr(c.smoke));
    EXPECT_THAT(r.output, Not(HasSubstr(">>")));  // Marian's language tokens only
    EXPECT_THAT(r.output, HasSubstr("OK: tserve can serve this model"));
  }
}

TEST(CheckModelTest, ReportsSeparateVocabulariesWithoutSharedEmbeddings) {
  const ProcessResult r = Check(kModels + "separate-noshared-f32");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("separate: source 120, target 170"));
  EXPECT_THAT(r.output, HasSubstr("target_vocab.json:     170 pieces"));
}

TEST(CheckModelTest, ListsIgnoredGenerationFields) {
  TempDir tmp;
  const std::string dir = tmp.File("model");
  CopyModel("tiny-relu-tied-f32", dir);
  ASSERT_TRUE(testing::WriteFile(dir + "/generation_config.json",
                                 R"({"num_beams": 4, "no_repeat_ngram_size": 3})")
                  .ok());
  const ProcessResult r = Check(dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ignored:               no_repeat_ngram_size=3"));
}

TEST(CheckModelTest, NamesWhatIsWrong) {
  TempDir tmp;
  // No weights at all.
  std::string dir = tmp.File("no-weights");
  CopyModel("tiny-relu-tied-f32", dir);
  std::filesystem::remove(dir + "/model.safetensors");
  ProcessResult r = Check(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FAILED (weights)"));
  EXPECT_THAT(r.output, HasSubstr("pytorch_model.bin.index.json"));

  // A truncated pytorch_model.bin.
  dir = tmp.File("truncated");
  CopyModel("swish-untied-f16-bin", dir);
  std::filesystem::resize_file(dir + "/pytorch_model.bin", 100000);
  r = Check(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FAILED (weights)"));
  EXPECT_THAT(r.output, HasSubstr("pytorch_model.bin"));

  // A shape that disagrees with config.json.
  dir = tmp.File("shape");
  CopyModel("tiny-relu-tied-f32", dir);
  auto config = testing::ReadFile(dir + "/config.json");
  ASSERT_TRUE(config.ok());
  std::string text = *config;
  const std::string from = "\"decoder_ffn_dim\": 64";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "\"decoder_ffn_dim\": 65");
  ASSERT_TRUE(testing::WriteFile(dir + "/config.json", text).ok());
  r = Check(dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FAILED (loading)"));
  EXPECT_THAT(r.output, HasSubstr("fc1.weight' has shape [64, 48]; expected [65, 48]"));
  EXPECT_THAT(r.output, Not(HasSubstr("OK: tserve can serve")));

  // Not a directory.
  r = Check(tmp.File("missing"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FAILED (configuration)"));
}

}  // namespace
}  // namespace tserve
