#ifndef TSERVE_TESTS_E2E_CHRF_H_
#define TSERVE_TESTS_E2E_CHRF_H_

#include <string>
#include <vector>

namespace tserve::testing {

// Corpus chrF as sacreBLEU computes it by default, the same definition as
// tools/demo/scoring.py: character n-grams of orders 1..6 over the text with
// whitespace removed (characters are Unicode code points of the UTF-8
// input), counts and matches summed over the corpus per order, precision and
// recall averaged over the orders present on both sides, F-beta with
// beta = 2, times 100.
double CorpusChrf(const std::vector<std::string>& hypotheses,
                  const std::vector<std::string>& references);

}  // namespace tserve::testing

#endif  // TSERVE_TESTS_E2E_CHRF_H_
