#ifndef TSERVE_TESTS_DEPLOY_BACKGROUND_LOAD_H_
#define TSERVE_TESTS_DEPLOY_BACKGROUND_LOAD_H_

// Steady traffic against a live server while a test watches its metrics:
// threads that call Translate, TranslateStream and Encode through the client
// library, and one that sends invalid requests so that error series exist.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"

namespace tserve::testing {

class BackgroundLoad {
 public:
  // Starts the threads; `model` names the model every call asks for.
  BackgroundLoad(std::shared_ptr<client::Client> client, std::string model);
  // Stop().
  ~BackgroundLoad();

  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  // Asks the threads to finish their current call and joins them.
  void Stop();

  // Calls that succeeded, and calls meant to succeed that failed.
  int succeeded() const { return succeeded_.load(); }
  int failed() const { return failed_.load(); }
  // Invalid requests the server refused, as it should.
  int refused() const { return refused_.load(); }

 private:
  void TranslateLoop();
  void StreamLoop();
  void EncodeLoop();
  void InvalidLoop();
  // Sleeps a little between calls, and says whether to go on.
  bool Pause() const;

  std::shared_ptr<client::Client> client_;
  std::string model_;
  std::atomic<bool> stop_{false};
  std::atomic<int> succeeded_{0};
  std::atomic<int> failed_{0};
  std::atomic<int> refused_{0};
  std::vector<std::thread> threads_;
};

}  // namespace tserve::testing

#endif  // TSERVE_TESTS_DEPLOY_BACKGROUND_LOAD_H_
