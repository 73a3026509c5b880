// Keeps libsentencepiece and libprotobuf apart in one process.
//
// Debian's libsentencepiece.so.0 carries its own copy of protobuf-lite (3.14)
// and exports it; the server also needs the system libprotobuf (3.21) for
// gRPC. With both in the global symbol scope one copy serves both libraries'
// calls and the process crashes at start-up or when a model loads. So the
// server binaries do not link libsentencepiece: the few functions the
// tokenizer calls directly are defined here as jumps into a copy of the
// library loaded with RTLD_LOCAL | RTLD_DEEPBIND, which resolves its own
// protobuf symbols inside itself. Its virtual functions need nothing: the
// real constructor installs the real vtable. (The linker drops the
// libsentencepiece.so the engine asks for because nothing else refers to it:
// the toolchain links --as-needed.)
//
// x86-64 only. The list must cover every sentencepiece symbol the engine
// refers to; a missing one makes the linker keep libsentencepiece.so, and
// every end-to-end test with a model then fails at start-up.

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace {

// The mangled names the engine's tokenizer refers to, in trampoline order.
constexpr const char* kSymbols[] = {
    "_ZN13sentencepiece22SentencePieceProcessorC1Ev",
    "_ZN13sentencepiece22SentencePieceProcessor4LoadESt17basic_string_viewIcSt11char_traitsIcEE",
    "_ZN13sentencepiece4util6StatusD1Ev",
    "_ZNK13sentencepiece4util6Status4codeEv",
    "_ZNK13sentencepiece4util6Status8ToStringB5cxx11Ev",
};
constexpr int kCount = sizeof(kSymbols) / sizeof(kSymbols[0]);

}  // namespace

extern "C" {
__attribute__((visibility("hidden"))) void* tserve_sentencepiece_targets[kCount];
}

#define TSERVE_TRAMPOLINE(name, index)              \
  __asm__(                                          \
      ".text\n"                                     \
      ".globl " name                                \
      "\n"                                          \
      ".type " name ", @function\n" name            \
      ":\n"                                         \
      "  jmp *tserve_sentencepiece_targets+" #index \
      "*8(%rip)\n"                                  \
      ".size " name ", .-" name "\n");

TSERVE_TRAMPOLINE("_ZN13sentencepiece22SentencePieceProcessorC1Ev", 0)
TSERVE_TRAMPOLINE(
    "_ZN13sentencepiece22SentencePieceProcessor4LoadESt17basic_string_viewIcSt11char_traitsIcEE", 1)
TSERVE_TRAMPOLINE("_ZN13sentencepiece4util6StatusD1Ev", 2)
TSERVE_TRAMPOLINE("_ZNK13sentencepiece4util6Status4codeEv", 3)
TSERVE_TRAMPOLINE("_ZNK13sentencepiece4util6Status8ToStringB5cxx11Ev", 4)

namespace {

[[noreturn]] void Fail(const char* what, const char* detail) {
  std::fprintf(stderr, "tserve: cannot load SentencePiece (%s): %s\n", what,
               detail != nullptr ? detail : "unknown error");
  std::_Exit(1);
}

// Before main() and before any other static initialiser can tokenize.
__attribute__((constructor(101))) void LoadSentencePiece() {
  // dlmopen on the base namespace is dlopen; unlike dlopen, sanitizer
  // runtimes let it through with RTLD_DEEPBIND.
  void* library =
      dlmopen(LM_ID_BASE, "libsentencepiece.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (library == nullptr) Fail("libsentencepiece.so.0", dlerror());
  for (int i = 0; i < kCount; ++i) {
    void* target = dlsym(library, kSymbols[i]);
    if (target == nullptr) Fail(kSymbols[i], dlerror());
    tserve_sentencepiece_targets[i] = target;
  }
}

}  // namespace
