#include "common/log/log.h"

#include "absl/time/civil_time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace enlace::log {
namespace {

// Parses `line` as one JSON object (protobuf's parser: strict, no trailing text).
google::protobuf::Struct ParseJson(const std::string& line) {
  google::protobuf::Struct out;
  auto s = google::protobuf::util::JsonStringToMessage(line, &out);
  EXPECT_TRUE(s.ok()) << s << ": " << line;
  return out;
}

absl::Time At() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 30, 23, 5, 9), absl::UTCTimeZone()) +
         absl::Milliseconds(42);
}

TEST(LogTest, JsonLineHasEveryFieldGiven) {
  Entry e;
  e.level = Level::kWarning;
  e.component = "rpc";
  e.event = "rpc";
  e.rpc = "enlace.cases.v1.CaseService/CreateCase";
  e.code = "NOT_FOUND";
  e.duration = absl::Microseconds(1500);
  e.peer = "GT";
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string line = FormatJson(e, At());
  EXPECT_EQ(line,
            "{\"time\":\"2026-11-30T23:05:09.042Z\",\"level\":\"warning\",\"component\":\"rpc\","
            "\"event\":\"rpc\",\"rpc\":\"enlace.cases.v1.CaseService/CreateCase\","
            "\"code\":\"NOT_FOUND\",\"duration_ms\":1.500,\"peer\":\"GT\","
            "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}");
  auto parsed = ParseJson(line);
  EXPECT_EQ(parsed.fields().at("duration_ms").number_value(), 1.5);
}

TEST(LogTest, JsonEscapesQuotesControlsAndInvalidUtf8) {
  Entry e;
  e.component = "federation";
  e.event = "link_stopped";
  e.message = std::string("a \"quoted\"\\ line\nwith\ttabs \x01, ñ and \xff\xfe bytes");
  const std::string line = FormatJson(e, At());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto parsed = ParseJson(line);
  EXPECT_EQ(parsed.fields().at("msg").string_value(),
            "a \"quoted\"\\ line\nwith\ttabs \x01, ñ and \xEF\xBF\xBD\xEF\xBF\xBD bytes");
  EXPECT_EQ(parsed.fields().count("rpc"), 0u);  // absent fields are left out
}

TEST(LogTest, TextLineIsComponentAndMessage) {
  Entry e;
  e.component = "enlace-node";
  e.event = "draining";
  e.message = "signal 15, draining";
  EXPECT_EQ(FormatText(e), "enlace-node: signal 15, draining");
}

TEST(LogTest, ParseFormat) {
  EXPECT_EQ(*ParseFormat(""), Format::kText);
  EXPECT_EQ(*ParseFormat("text"), Format::kText);
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(ParseFormat("JSON").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFormat("yaml").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LogTest, TraceIdOnlyFromAWellFormedTraceparent) {
  EXPECT_EQ(TraceIdFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  // A later version may carry more fields.
  EXPECT_EQ(TraceIdFromTraceparent(
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // v00 has 4 fields
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-Maria Lopez Garcia 1990-01-01 p-00f067aa0ba902b7-01",     // not hex
       }) {
    EXPECT_EQ(TraceIdFromTraceparent(bad), "") << bad;
  }
}

}  // namespace
}  // namespace enlace::log
