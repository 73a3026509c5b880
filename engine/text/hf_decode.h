// transformers' rules for turning pieces back into text where they differ from
// SentencePiece's own decoding (NllbTokenizer.convert_tokens_to_string and
// clean_up_tokenization).
#ifndef TSERVE_ENGINE_TEXT_HF_DECODE_H_
#define TSERVE_ENGINE_TEXT_HF_DECODE_H_

#include <string>
#include <string_view>
#include <vector>

namespace tserve::engine {

// NllbTokenizer: the pieces joined, every "▁" made a space, and white space (Python's
// str.strip(): str.isspace() characters) removed from both ends.
std::string JoinPiecesNllb(const std::vector<std::string>& pieces);

// Python's str.replace(from, to): every non-overlapping occurrence, left to right.
std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to);

// `text` without white space (Python's str.strip()) at either end.
std::string StripPythonWhitespace(std::string_view text);
// Python's str.lstrip() and str.rstrip(): white space removed at one end.
std::string_view LstripPythonWhitespace(std::string_view text);
std::string_view RstripPythonWhitespace(std::string_view text);

// clean_up_tokenization: " ." " ?" " !" " ," " ' " " n't" " 'm" " 's" " 've" " 're" lose
// their space, replaced in that order, each everywhere.
std::string CleanUpTokenizationSpaces(std::string text);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_HF_DECODE_H_
