// Shared pieces of the fuzz targets in fuzz/: the invariant check that turns a broken promise
// into a crash libFuzzer keeps, a UTF-8/control-character check that is independent of the
// code under test, and access to the test vectors.
//
// Every target is an ordinary `extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t)`:
// built with clang and -fsanitize=fuzzer by scripts/fuzz, and with g++ and fuzz/replay_main.cc
// for the test suite, which replays fuzz/corpus/<target>/ on every run.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#ifndef CUSTOMSD_FUZZ_VECTORS_DIR
#error "CUSTOMSD_FUZZ_VECTORS_DIR must name tests/vectors (set by the CMake files)"
#endif

// Aborts (a finding) when a promise of the code under test does not hold. Bad input alone
// never gets here: only a bug does.
#define FUZZ_REQUIRE(cond, what)                                                              \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz: invariant broken: %s\n  (%s) at %s:%d\n", (what), #cond,    \
                   __FILE__, __LINE__);                                                       \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

namespace customsd::fuzz {

// A finding that has been reported but not fixed yet can be tolerated by name, so a long run
// looks for other ones: CUSTOMSD_FUZZ_KNOWN="name,name" (names in fuzz/RESULTS.md). Nothing
// sets it by default: not scripts/fuzz, not the test suite.
inline bool KnownFinding(std::string_view name) {
  const char* known = std::getenv("CUSTOMSD_FUZZ_KNOWN");
  if (known == nullptr) return false;
  std::string_view list(known);
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Characters a message must not echo: C0 controls and DEL, C1 controls (U+0080-U+009F: CSI
// is a terminal escape) and Unicode's Bidi_Control characters, which make text display in
// another order than it is (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).
inline bool IsHiddenOrControl(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF) without
// any IsHiddenOrControl character: what the code promises for every message a person reads.
// Written here from the standards, not shared with the code under test.
inline bool IsSafeMessageText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (IsHiddenOrControl(b)) return false;
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (IsHiddenOrControl(cp)) return false;
    i += len;
  }
  return true;
}

// A file of tests/vectors/, read once by the caller (abort when missing: a broken setup, not
// a finding about the input).
inline std::string ReadVector(const char* name) {
  const std::string path = std::string(CUSTOMSD_FUZZ_VECTORS_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz: cannot read the test vector %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace customsd::fuzz
