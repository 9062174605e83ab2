#include "common/log/log.h"

#include <atomic>
#include <cstdio>

#include "absl/base/thread_annotations.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace enlace::log {
namespace {

std::atomic<Format> g_format{Format::kText};

absl::Mutex& WriteMutex() {
  static absl::Mutex* mu = new absl::Mutex();
  return *mu;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(absl::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    return 0;
  }
  return n;
}

// A JSON string literal; invalid UTF-8 becomes U+FFFD so every line stays valid JSON.
void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c == '\n') {
      out->append("\\n");
      ++i;
    } else if (c == '\t') {
      out->append("\\t");
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      absl::StrAppendFormat(out, "\\u%04x", c);
      ++i;
    } else if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (size_t n = Utf8Length(s, i); n > 0) {
      out->append(s.data() + i, n);
      i += n;
    } else {
      out->append("\\ufffd");
      ++i;
    }
  }
  out->push_back('"');
}

void AppendField(std::string* out, absl::string_view key, absl::string_view value) {
  absl::StrAppend(out, ",\"", key, "\":");
  AppendJsonString(out, value);
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Format> ParseFormat(absl::string_view name) {
  if (name.empty() || name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("log format \"", absl::CHexEscape(name), "\": \"text\" or \"json\""));
}

void SetFormat(Format format) { g_format.store(format); }
Format GetFormat() { return g_format.load(); }

std::string FormatText(const Entry& entry) {
  return absl::StrCat(entry.component, ": ", entry.message);
}

std::string FormatJson(const Entry& entry, absl::Time now) {
  std::string out = "{\"time\":";
  AppendJsonString(&out, absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()));
  AppendField(&out, "level", LevelName(entry.level));
  AppendField(&out, "component", entry.component);
  AppendField(&out, "event", entry.event);
  if (!entry.message.empty()) AppendField(&out, "msg", entry.message);
  if (!entry.rpc.empty()) AppendField(&out, "rpc", entry.rpc);
  if (!entry.code.empty()) AppendField(&out, "code", entry.code);
  if (entry.duration.has_value()) {
    absl::StrAppendFormat(&out, ",\"duration_ms\":%.3f",
                          absl::ToDoubleMilliseconds(*entry.duration));
  }
  if (!entry.peer.empty()) AppendField(&out, "peer", entry.peer);
  if (!entry.trace_id.empty()) AppendField(&out, "trace_id", entry.trace_id);
  out.push_back('}');
  return out;
}

void Write(const Entry& entry) {
  const Format format = GetFormat();
  if (format == Format::kText && entry.json_only) return;
  std::string line =
      format == Format::kJson ? FormatJson(entry, absl::Now()) : FormatText(entry);
  line.push_back('\n');
  absl::MutexLock l(&WriteMutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

namespace {
void WriteSimple(Level level, absl::string_view component, absl::string_view event,
                 absl::string_view message) {
  Entry e;
  e.level = level;
  e.component = std::string(component);
  e.event = std::string(event);
  e.message = std::string(message);
  Write(e);
}
}  // namespace

void Info(absl::string_view component, absl::string_view event, absl::string_view message) {
  WriteSimple(Level::kInfo, component, event, message);
}
void Warning(absl::string_view component, absl::string_view event, absl::string_view message) {
  WriteSimple(Level::kWarning, component, event, message);
}
void Error(absl::string_view component, absl::string_view event, absl::string_view message) {
  WriteSimple(Level::kError, component, event, message);
}

std::string TraceIdFromTraceparent(absl::string_view h) {
  // version "-" trace-id "-" parent-id "-" flags; version ff is invalid, all-zero ids too.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return "";
  const absl::string_view version = h.substr(0, 2);
  const absl::string_view trace = h.substr(3, 32);
  const absl::string_view parent = h.substr(36, 16);
  const absl::string_view flags = h.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace) || !IsLowerHex(parent) ||
      !IsLowerHex(flags)) {
    return "";
  }
  // Version 00 is exactly 55 characters; later versions may append "-..." fields.
  if (version == "00" ? h.size() != 55 : (h.size() > 55 && h[55] != '-')) return "";
  if (trace == std::string(32, '0') || parent == std::string(16, '0')) return "";
  return std::string(trace);
}

}  // namespace enlace::log
