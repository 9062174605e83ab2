// A standalone driver for libFuzzer-style targets, so the fuzz targets also run as ordinary
// Bazel tests with gcc (no clang, no sanitizers). It runs every seed of the corpus, then a
// fixed number of deterministic random mutations of those seeds (bit flips, byte edits,
// erasures, insertions, duplications, truncations, splices, dictionary tokens, random bytes).
// The sequence depends only on --seed and the corpus, so a failure reproduces exactly; a time
// budget stops early on a slow machine (reported, never a failure).
//
//   envelope_fuzz_test --corpus=DIR [--corpus=DIR ...] [--dict=FILE] [--mutations=N]
//                      [--max_seconds=S] [--max_len=N] [--seed=N] [--save_failing=DIR]
//   envelope_fuzz_test FILE ...     # runs exactly these inputs (e.g. a libFuzzer crash-* file)
//
// A target signals a bug by crashing or aborting (FUZZ_CHECK); the driver's signal handler then
// names the input (seed, or mutation number) and, with --save_failing=DIR (default
// $TEST_UNDECLARED_OUTPUTS_DIR under Bazel), writes it to DIR/fuzz-crash-input.bin.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <iostream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

using Bytes = std::string;

struct Options {
  std::vector<std::string> corpus_dirs;
  std::vector<std::string> files;
  std::string dict;
  std::string save_failing;
  long mutations = 20000;
  double max_seconds = 15;
  size_t max_len = 4096;
  uint64_t seed = 20261129;
};

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag) { return a.substr(flag.size()); };
    if (StartsWith(a, "--corpus=")) {
      o.corpus_dirs.push_back(value("--corpus="));
    } else if (StartsWith(a, "--dict=")) {
      o.dict = value("--dict=");
    } else if (StartsWith(a, "--save_failing=")) {
      o.save_failing = value("--save_failing=");
    } else if (StartsWith(a, "--mutations=")) {
      o.mutations = std::atol(value("--mutations=").c_str());
    } else if (StartsWith(a, "--max_seconds=")) {
      o.max_seconds = std::atof(value("--max_seconds=").c_str());
    } else if (StartsWith(a, "--max_len=")) {
      o.max_len = static_cast<size_t>(std::atol(value("--max_len=").c_str()));
    } else if (StartsWith(a, "--seed=")) {
      o.seed = std::strtoull(value("--seed=").c_str(), nullptr, 10);
    } else if (StartsWith(a, "--")) {
      std::cerr << "fuzz driver: unknown flag " << a << "\n";
      std::exit(2);
    } else {
      o.files.push_back(a);
    }
  }
  // Environment overrides, handy with `bazel test --test_env=FUZZ_MUTATIONS=200000`.
  if (const char* m = std::getenv("FUZZ_MUTATIONS")) o.mutations = std::atol(m);
  if (const char* s = std::getenv("FUZZ_MAX_SECONDS")) o.max_seconds = std::atof(s);
  if (const char* s = std::getenv("FUZZ_SEED")) o.seed = std::strtoull(s, nullptr, 10);
  if (o.save_failing.empty()) {
    if (const char* d = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) o.save_failing = d;
  }
  return o;
}

bool ReadFile(const std::string& path, Bytes* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// libFuzzer dictionary format: one token per line, `"token"` or `name="token"`, with \\, \"
// and \xNN escapes; '#' starts a comment line.
std::vector<Bytes> ReadDict(const std::string& path) {
  std::vector<Bytes> out;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "fuzz driver: cannot read dictionary " << path << "\n";
    std::exit(2);
  }
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find('"');
    const size_t last = line.rfind('"');
    if (line.empty() || line[0] == '#' || first == std::string::npos || last <= first) continue;
    Bytes token;
    for (size_t i = first + 1; i < last; ++i) {
      if (line[i] == '\\' && i + 1 < last) {
        const char c = line[++i];
        if (c == 'x' && i + 2 < last) {
          token.push_back(static_cast<char>(std::stoi(line.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          token.push_back(c);
        }
      } else {
        token.push_back(line[i]);
      }
    }
    if (!token.empty()) out.push_back(token);
  }
  return out;
}

class Mutator {
 public:
  Mutator(uint64_t seed, const std::vector<Bytes>* seeds, const std::vector<Bytes>* dict,
          size_t max_len)
      : rng_(seed), seeds_(seeds), dict_(dict), max_len_(max_len) {}

  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }
  char RandomByte() { return static_cast<char>(rng_() & 0xff); }

  Bytes Mutate(Bytes in) {
    const int rounds = 1 + static_cast<int>(Below(4));
    for (int r = 0; r < rounds; ++r) MutateOnce(in);
    if (in.size() > max_len_) in.resize(max_len_);
    return in;
  }

 private:
  void MutateOnce(Bytes& b) {
    static const unsigned char kInteresting[] = {0x00, 0x01, 0x02, 0x07, 0x08, 0x0a, 0x10,
                                                 0x20, 0x22, 0x3a, 0x7b, 0x7d, 0x7f, 0x80,
                                                 0x81, 0xc0, 0xe2, 0xf0, 0xfe, 0xff};
    switch (Below(12)) {
      case 0: {  // flip 1-4 bits
        if (b.empty()) break;
        for (size_t k = 1 + Below(4); k > 0; --k) b[Below(b.size())] ^= static_cast<char>(1 << Below(8));
        break;
      }
      case 1: {  // an interesting byte value
        if (b.empty()) break;
        b[Below(b.size())] = static_cast<char>(kInteresting[Below(sizeof(kInteresting))]);
        break;
      }
      case 2: {  // add a small delta to a byte (lengths, varints, tags, enum values)
        if (b.empty()) break;
        const size_t i = Below(b.size());
        b[i] = static_cast<char>(static_cast<unsigned char>(b[i]) + Below(71) - 35);
        break;
      }
      case 3: {  // erase a range
        if (b.empty()) break;
        const size_t at = Below(b.size());
        b.erase(at, 1 + Below(std::min<size_t>(b.size() - at, 32)));
        break;
      }
      case 4: {  // insert random bytes
        const size_t at = Below(b.size() + 1);
        Bytes ins(1 + Below(16), '\0');
        for (char& c : ins) c = RandomByte();
        b.insert(at, ins);
        break;
      }
      case 5: {  // duplicate a range elsewhere
        if (b.empty()) break;
        const size_t from = Below(b.size());
        const Bytes piece = b.substr(from, 1 + Below(std::min<size_t>(b.size() - from, 64)));
        b.insert(Below(b.size() + 1), piece);
        break;
      }
      case 6: {  // truncate
        b.resize(Below(b.size() + 1));
        break;
      }
      case 7: {  // splice: a prefix of this input and a suffix of another seed
        const Bytes& other = (*seeds_)[Below(seeds_->size())];
        b = b.substr(0, Below(b.size() + 1)) + other.substr(Below(other.size() + 1));
        break;
      }
      case 8: {  // overwrite a range with a range of another seed (cross-over)
        const Bytes& other = (*seeds_)[Below(seeds_->size())];
        if (b.empty() || other.empty()) break;
        const size_t from = Below(other.size());
        const Bytes piece = other.substr(from, 1 + Below(std::min<size_t>(other.size() - from, 64)));
        const size_t at = Below(b.size());
        b.replace(at, std::min(piece.size(), b.size() - at), piece);
        break;
      }
      case 9:
      case 10: {  // a dictionary token, inserted or overwriting
        if (dict_->empty()) {
          if (!b.empty()) b[Below(b.size())] = RandomByte();
          break;
        }
        const Bytes& t = (*dict_)[Below(dict_->size())];
        const size_t at = Below(b.size() + 1);
        if (Below(2) == 0 || at + t.size() > b.size()) {
          b.insert(at, t);
        } else {
          b.replace(at, t.size(), t);
        }
        break;
      }
      case 11: {  // rarely, entirely random bytes
        if (Below(8) != 0) {
          if (!b.empty()) b[Below(b.size())] = RandomByte();
          break;
        }
        b.assign(Below(256), '\0');
        for (char& c : b) c = RandomByte();
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  const std::vector<Bytes>* seeds_;
  const std::vector<Bytes>* dict_;
  size_t max_len_;
};

// The input being run, for the crash handler. Writing every input to a file instead would
// cost a disk flush each (ext4 flushes a truncated-and-rewritten file on close).
const Bytes* g_current = nullptr;
long g_index = -1;  // -1: a seed or a file; else the mutation number
char g_save_path[4096] = "";

void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void WriteStr(int fd, const char* s) { WriteAll(fd, s, std::strlen(s)); }

// Async-signal-safe: says which input crashed and saves it, then lets the signal kill us.
void OnCrash(int sig) {
  WriteStr(2, "\nfuzz driver: crashed on ");
  if (g_index >= 0) {
    char num[24];
    int i = sizeof(num) - 1;
    num[i] = '\0';
    long v = g_index;
    do {
      num[--i] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0 && i > 0);
    WriteStr(2, "mutation #");
    WriteStr(2, num + i);
  } else {
    WriteStr(2, "a seed or given input");
  }
  if (g_current != nullptr && g_save_path[0] != '\0') {
    const int fd = open(g_save_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      WriteAll(fd, g_current->data(), g_current->size());
      close(fd);
      WriteStr(2, "; input saved to ");
      WriteStr(2, g_save_path);
    }
  }
  WriteStr(2, "\n");
  signal(sig, SIG_DFL);
  raise(sig);
}

void InstallCrashHandler(const Options& o) {
  if (!o.save_failing.empty()) {
    std::snprintf(g_save_path, sizeof(g_save_path), "%s/fuzz-crash-input.bin",
                  o.save_failing.c_str());
  }
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) signal(sig, &OnCrash);
}

void Run(const Bytes& input, long index) {
  g_current = &input;
  g_index = index;
  // An exact-size heap copy, as libFuzzer passes it (so overreads hit the allocation's end).
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() + (input.empty() ? 1 : 0)]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
  g_current = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  InstallCrashHandler(o);
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);

  if (!o.files.empty()) {
    for (const auto& f : o.files) {
      Bytes input;
      if (!ReadFile(f, &input)) {
        std::cerr << "fuzz driver: cannot read " << f << "\n";
        return 2;
      }
      std::cerr << "running " << f << " (" << input.size() << " bytes)\n";
      Run(input, -1);
    }
    std::cerr << "fuzz driver: " << o.files.size() << " input(s) ran without a crash\n";
    return 0;
  }

  std::vector<std::string> paths;
  for (const auto& dir : o.corpus_dirs) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.is_regular_file()) paths.push_back(e.path().string());
    }
    if (ec) {
      std::cerr << "fuzz driver: cannot list corpus " << dir << ": " << ec.message() << "\n";
      return 2;
    }
  }
  std::sort(paths.begin(), paths.end());  // a fixed order, so the mutations are reproducible
  std::vector<Bytes> seeds;
  for (const auto& p : paths) {
    Bytes b;
    if (!ReadFile(p, &b)) {
      std::cerr << "fuzz driver: cannot read " << p << "\n";
      return 2;
    }
    seeds.push_back(std::move(b));
  }
  if (seeds.empty()) {
    std::cerr << "fuzz driver: no seed inputs (pass --corpus=DIR)\n";
    return 2;
  }
  std::vector<Bytes> dict;
  if (!o.dict.empty()) dict = ReadDict(o.dict);

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  const Bytes empty;
  Run(empty, -1);
  for (size_t i = 0; i < seeds.size(); ++i) Run(seeds[i], -1);
  std::cerr << "fuzz driver: " << seeds.size() << " seeds ran (" << paths.size()
            << " files), dictionary of " << dict.size() << " tokens\n";

  Mutator mutator(o.seed, &seeds, &dict, o.max_len);
  Bytes previous = seeds[0];
  long done = 0;
  size_t bytes = 0;
  for (; done < o.mutations; ++done) {
    if (o.max_seconds > 0 && (done & 63) == 0 && elapsed() > o.max_seconds) break;
    // Mostly mutate a seed; sometimes keep mutating the previous mutant (deeper changes).
    const Bytes& base = mutator.Below(4) == 0 ? previous : seeds[mutator.Below(seeds.size())];
    Bytes input = mutator.Mutate(base);
    Run(input, done);
    bytes += input.size();
    previous = std::move(input);
  }
  const double secs = elapsed();
  std::cerr << "fuzz driver: " << done << " of " << o.mutations << " mutations ran (seed "
            << o.seed << ", " << bytes << " bytes) in " << secs << " s"
            << (done < o.mutations ? " -- stopped by the time budget (not a failure)" : "")
            << "\n";
  return 0;
}
