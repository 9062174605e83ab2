#include "common/time/clock.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace enlace {
namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

const Clock* Clock::Real() {
  static const RealClock* clock = new RealClock();
  return clock;
}

absl::Time FakeClock::Now() const {
  absl::MutexLock l(&mu_);
  return now_;
}

void FakeClock::Set(absl::Time t) {
  absl::MutexLock l(&mu_);
  now_ = t;
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock l(&mu_);
  now_ += d;
}

absl::Time FileClock::Now() const {
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  double seconds = 0;
  if (!in || !absl::SimpleAtod(absl::StripAsciiWhitespace(text.str()), &seconds)) {
    return absl::Now();
  }
  return absl::FromUnixMicros(std::llround(seconds * 1e6));
}

bool FileClock::Write(const std::string& path, absl::Time t) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << absl::StrFormat("%.6f\n", absl::ToDoubleSeconds(t - absl::UnixEpoch()));
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace enlace
