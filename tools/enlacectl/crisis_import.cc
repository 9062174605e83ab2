#include "tools/enlacectl/crisis_import.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {
namespace {

namespace cv1 = ::enlace::crisis::v1;
using Item = ImportLineParser::Item;

constexpr char kBom[] = "\xEF\xBB\xBF";
// At most this many bad lines are listed (the count says how many there are).
constexpr int kMaxListedErrors = 20;

std::string Trimmed(absl::string_view s) { return std::string(absl::StripAsciiWhitespace(s)); }

absl::string_view WithoutCr(absl::string_view line) {
  absl::ConsumeSuffix(&line, "\r");
  return line;
}

// The registry's id: 1-64 of A-Z a-z 0-9 _ - (ImportRegistrationsRequest.Item.request_id).
absl::Status CheckId(const std::string& id) {
  if (id.empty()) {
    return absl::InvalidArgumentError(
        "id: empty (each line needs the registration's id in your registry)");
  }
  const bool ok = id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
                    return absl::ascii_isalnum(c) || c == '_' || c == '-';
                  });
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("id: \"", id, "\" is not 1-64 of A-Z a-z 0-9 _ -"));
  }
  return absl::OkStatus();
}

// What both formats do: upper-cased codes, the host country from the area.
void Normalize(cv1::Registration* r) {
  r->set_host_country(absl::AsciiStrToUpper(r->host_country()));
  r->set_area(absl::AsciiStrToUpper(r->area()));
  r->set_post(absl::AsciiStrToUpper(r->post()));
  if (r->host_country().empty() && r->area().size() > 3 && r->area()[2] == '-') {
    r->set_host_country(r->area().substr(0, 2));
  }
}

absl::StatusOr<bool> ParseBool(absl::string_view column, absl::string_view value) {
  bool b = false;
  if (!value.empty() && !absl::SimpleAtob(value, &b)) {
    return absl::InvalidArgumentError(
        absl::StrCat(column, ": \"", value, "\" is not true/false (or yes/no, 1/0)"));
  }
  return b;
}

std::string ProtobufMessage(const google::protobuf::util::Status& status) {
  return status.message().ToString();
}

}  // namespace

absl::StatusOr<ImportFormat> ParseImportFormat(absl::string_view word) {
  const std::string w = absl::AsciiStrToLower(word);
  if (w == "csv") return ImportFormat::kCsv;
  if (w == "jsonl" || w == "ndjson") return ImportFormat::kJsonl;
  return absl::InvalidArgumentError(
      absl::StrCat("format: unknown value \"", word, "\"; one of: csv, jsonl"));
}

std::optional<ImportFormat> ImportFormatOfFile(absl::string_view path) {
  const std::string p = absl::AsciiStrToLower(path);
  if (absl::EndsWith(p, ".csv")) return ImportFormat::kCsv;
  if (absl::EndsWith(p, ".jsonl") || absl::EndsWith(p, ".ndjson") || absl::EndsWith(p, ".json")) {
    return ImportFormat::kJsonl;
  }
  return std::nullopt;
}

const std::vector<std::string>& ImportCsvColumns() {
  static const auto* columns = new std::vector<std::string>{
      "id",    "given_names",  "family_names",  "birth_date", "host_country",
      "area",  "arrival_date", "return_date",   "post",       "phone",
      "child", "older_person", "medical_needs",
  };
  return *columns;
}

absl::StatusOr<std::vector<std::string>> SplitCsvLine(absl::string_view line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    // Leading blanks before a quote are allowed: a, "b".
    size_t start = i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < line.size() && line[i] == '"') {
      const size_t column = fields.size() + 1;
      std::string value;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            value += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value += line[i++];
      }
      if (!closed) {
        return absl::InvalidArgumentError(
            absl::StrCat("field ", column,
                         ": the quote does not close on this line (fields with line breaks are not "
                         "supported)"));
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') {
        return absl::InvalidArgumentError(absl::StrCat(
            "field ", column, ": text after the closing quote (write \"\" for a quote inside)"));
      }
      fields.push_back(std::move(value));
    } else {
      i = start;
      const size_t comma = line.find(',', i);
      const size_t end = comma == absl::string_view::npos ? line.size() : comma;
      fields.push_back(Trimmed(line.substr(i, end - i)));
      i = end;
    }
    if (i >= line.size()) break;
    ++i;  // the comma
    if (i == line.size()) {
      fields.emplace_back();  // "a,b," ends with an empty field
      break;
    }
  }
  return fields;
}

absl::StatusOr<ImportLineParser> ImportLineParser::Make(ImportFormat format,
                                                        absl::string_view header) {
  if (format == ImportFormat::kJsonl) return ImportLineParser(format, {});
  header = WithoutCr(header);
  absl::ConsumePrefix(&header, kBom);
  auto fields = SplitCsvLine(header);
  if (!fields.ok()) return fields.status();
  std::vector<std::string> columns;
  std::vector<std::string> problems;
  for (const std::string& f : *fields) {
    const std::string column = absl::AsciiStrToLower(f);
    const auto& known = ImportCsvColumns();
    if (std::find(known.begin(), known.end(), column) == known.end()) {
      problems.push_back(column.empty() ? "an empty column name"
                                        : absl::StrCat("unknown column \"", f, "\""));
    } else if (std::find(columns.begin(), columns.end(), column) != columns.end()) {
      problems.push_back(absl::StrCat("column \"", column, "\" twice"));
    }
    columns.push_back(column);
  }
  if (std::find(columns.begin(), columns.end(), "id") == columns.end()) {
    problems.push_back("no id column (each line's id in your registry)");
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header: ", absl::StrJoin(problems, "; "),
        "; the header names the columns, from: ", absl::StrJoin(ImportCsvColumns(), ",")));
  }
  return ImportLineParser(format, std::move(columns));
}

absl::StatusOr<std::optional<Item>> ImportLineParser::Parse(absl::string_view line) const {
  line = WithoutCr(line);
  absl::ConsumePrefix(&line, kBom);
  if (absl::StripAsciiWhitespace(line).empty()) return std::optional<Item>();
  auto item = format_ == ImportFormat::kCsv ? ParseCsv(line) : ParseJson(line);
  if (!item.ok()) return item.status();
  return std::optional<Item>(*std::move(item));
}

absl::StatusOr<Item> ImportLineParser::ParseCsv(absl::string_view line) const {
  auto fields = SplitCsvLine(line);
  if (!fields.ok()) return fields.status();
  if (fields->size() != columns_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(fields->size(), " fields, but the header has ", columns_.size(), " columns"));
  }
  Item item;
  cv1::Registration* r = item.mutable_registration();
  for (size_t i = 0; i < columns_.size(); ++i) {
    const std::string& column = columns_[i];
    const std::string& v = (*fields)[i];
    if (column == "id") {
      item.set_request_id(v);
    } else if (column == "given_names") {
      r->set_given_names(v);
    } else if (column == "family_names") {
      r->set_family_names(v);
    } else if (column == "birth_date") {
      r->set_birth_date(v);
    } else if (column == "host_country") {
      r->set_host_country(v);
    } else if (column == "area") {
      r->set_area(v);
    } else if (column == "arrival_date") {
      r->set_arrival_date(v);
    } else if (column == "return_date") {
      r->set_return_date(v);
    } else if (column == "post") {
      r->set_post(v);
    } else if (column == "phone") {
      r->set_phone(v);
    } else {
      auto b = ParseBool(column, v);
      if (!b.ok()) return b.status();
      if (column == "child") r->set_child(*b);
      if (column == "older_person") r->set_older_person(*b);
      if (column == "medical_needs") r->set_medical_needs(*b);
    }
  }
  if (absl::Status s = CheckId(item.request_id()); !s.ok()) return s;
  Normalize(r);
  return item;
}

absl::StatusOr<Item> ImportLineParser::ParseJson(absl::string_view line) const {
  google::protobuf::Struct object;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &object);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not a JSON object: ", ProtobufMessage(parsed)));
  }
  Item item;
  auto id = object.fields().find("id");
  if (id == object.fields().end()) {
    return absl::InvalidArgumentError(
        "id: missing (each line needs \"id\", the registration's id in your registry)");
  }
  const auto& v = id->second;
  if (v.kind_case() == google::protobuf::Value::kStringValue) {
    item.set_request_id(v.string_value());
  } else if (v.kind_case() == google::protobuf::Value::kNumberValue &&
             v.number_value() == std::floor(v.number_value()) && v.number_value() >= 0 &&
             v.number_value() < 1e15) {
    item.set_request_id(absl::StrCat(static_cast<int64_t>(v.number_value())));
  } else {
    return absl::InvalidArgumentError("id: not a string (or a whole number)");
  }
  if (absl::Status s = CheckId(item.request_id()); !s.ok()) return s;
  object.mutable_fields()->erase("id");
  std::string rest;
  auto printed = google::protobuf::util::MessageToJsonString(object, &rest);
  if (!printed.ok()) {
    return absl::InternalError(absl::StrCat("enlacectl bug: ", ProtobufMessage(printed)));
  }
  auto registration =
      google::protobuf::util::JsonStringToMessage(rest, item.mutable_registration());
  if (!registration.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a Registration in proto3 JSON: ", ProtobufMessage(registration)));
  }
  Normalize(item.mutable_registration());
  return item;
}

// ---------------------------------------------------------------- FILE.progress

std::string ProgressFileName(absl::string_view file) { return absl::StrCat(file, ".progress"); }

std::string FormatProgress(const ImportProgress& progress) {
  return absl::StrFormat(
      "# enlacectl crisis import: the lines done (after a CSV's header); --restart ignores this "
      "file\nlines=%d\ndigest=%016x\n",
      progress.lines, progress.digest);
}

absl::StatusOr<ImportProgress> ParseProgress(absl::string_view text) {
  ImportProgress p;
  bool lines = false;
  bool digest = false;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    l = absl::StripAsciiWhitespace(l);
    if (absl::StartsWith(l, "#")) continue;
    if (absl::ConsumePrefix(&l, "lines=")) {
      lines = absl::SimpleAtoi(l, &p.lines) && p.lines >= 0;
    } else if (absl::ConsumePrefix(&l, "digest=")) {
      digest = absl::SimpleHexAtoi(l, &p.digest);
    }
  }
  if (!lines || !digest) {
    return absl::InvalidArgumentError("not a progress file of `enlacectl crisis import`");
  }
  return p;
}

uint64_t DigestLine(uint64_t digest, absl::string_view line) {
  for (unsigned char c : line) {
    digest ^= c;
    digest *= 1099511628211ull;
  }
  digest ^= '\n';
  digest *= 1099511628211ull;
  return digest;
}

// ---------------------------------------------------------------- the run

namespace {

// One file read line by line: the header (CSV) first, then the data lines.
class LineReader {
 public:
  explicit LineReader(const std::string& path) : in_(path, std::ios::binary) {}
  bool ok() const { return static_cast<bool>(in_); }
  // The next line; false at the end.
  bool Next(std::string* line) {
    if (!std::getline(in_, *line)) return false;
    ++number_;
    return true;
  }
  bool failed() const { return in_.bad(); }
  int64_t number() const { return number_; }  // the last line's, from 1

 private:
  std::ifstream in_;
  int64_t number_ = 0;
};

std::string CannotRead(const std::string& path) {
  return absl::StrCat("cannot read ", path, ": ", std::strerror(errno));
}

// The bad lines of a file, at most kMaxListedErrors of them listed.
class Problems {
 public:
  void Add(std::string problem) {
    if (++count_ <= kMaxListedErrors) listed_.push_back(std::move(problem));
  }
  int count() const { return count_; }
  std::string Text(const std::string& file) const {
    std::string out = absl::StrCat(file, ": ", count_, count_ == 1 ? " bad line" : " bad lines",
                                   "; nothing was sent");
    for (const auto& p : listed_) absl::StrAppend(&out, "\n", p);
    if (count_ > kMaxListedErrors) {
      absl::StrAppend(&out, "\n... and ", count_ - kMaxListedErrors, " more");
    }
    return out;
  }

 private:
  int count_ = 0;
  std::vector<std::string> listed_;
};

int BadFile(const ImportIo& io, const std::string& message) {
  io.err << FormatError(absl::InvalidArgumentError(message)) << std::flush;
  return 2;
}

// "[=========>          ]  1500/4200 lines   35%  820 lines/s"
std::string ProgressText(int64_t done, int64_t total, double rate, bool bar) {
  const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
  std::string text;
  if (bar) {
    constexpr int kWidth = 30;
    const int filled = total > 0 ? static_cast<int>(done * kWidth / total) : kWidth;
    text = absl::StrCat("[", std::string(filled, '='), filled < kWidth ? ">" : "",
                        std::string(std::max(0, kWidth - filled - 1), ' '), "]  ");
  }
  absl::StrAppend(&text, done, "/", total, " lines  ", percent, "%");
  if (rate > 0) absl::StrAppend(&text, "  ", static_cast<int64_t>(std::lround(rate)), " lines/s");
  return text;
}

struct Failure {
  int64_t line;
  std::string id;
  std::string field;
  std::string description;
};

}  // namespace

int RunImport(const ImportOptions& options, const std::string& parent, const ImportSink& send,
              const ImportIo& io) {
  const std::string& file = options.file;
  ImportFormat format;
  if (!options.format.empty()) {
    auto f = ParseImportFormat(options.format);
    if (!f.ok()) return BadFile(io, std::string(f.status().message()));
    format = *f;
  } else if (auto f = ImportFormatOfFile(file)) {
    format = *f;
  } else {
    return BadFile(io, absl::StrCat("format: cannot tell from the name ", file,
                                    "; give format=csv or format=jsonl"));
  }
  const int batch = options.batch;
  if (batch < 1 || batch > 500) return BadFile(io, "batch: not 1..500");

  // Where an earlier run stopped.
  const std::string progress_file = ProgressFileName(file);
  ImportProgress resume;
  if (!options.restart) {
    std::ifstream p(progress_file, std::ios::binary);
    if (p) {
      std::string text((std::istreambuf_iterator<char>(p)), std::istreambuf_iterator<char>());
      auto parsed = ParseProgress(text);
      if (!parsed.ok()) {
        return BadFile(io, absl::StrCat(progress_file, ": ", parsed.status().message(),
                                        "; remove it, or run with --restart"));
      }
      resume = *parsed;
    }
  }

  // Pass 1: every line checked, the data lines counted, the done ones' digest.
  const bool csv = format == ImportFormat::kCsv;
  std::string header;
  std::optional<ImportLineParser> parser;
  int64_t total = 0;
  uint64_t digest = ImportProgress().digest;
  {
    LineReader in(file);
    if (!in.ok()) return BadFile(io, CannotRead(file));
    if (csv && !in.Next(&header)) {
      return BadFile(io, absl::StrCat(file, ": empty; a CSV file starts with a header row (",
                                      absl::StrJoin(ImportCsvColumns(), ","), ")"));
    }
    auto made = ImportLineParser::Make(format, header);
    if (!made.ok()) return BadFile(io, absl::StrCat(file, ":1: ", made.status().message()));
    parser.emplace(*std::move(made));
    Problems problems;
    std::map<std::string, int64_t> ids;  // id -> its line
    std::string line;
    while (in.Next(&line)) {
      if (total < resume.lines) digest = DigestLine(digest, line);
      ++total;
      auto item = parser->Parse(line);
      if (!item.ok()) {
        problems.Add(absl::StrCat(file, ":", in.number(), ": ", item.status().message()));
        continue;
      }
      if (!item->has_value()) continue;
      auto [it, fresh] = ids.emplace((*item)->request_id(), in.number());
      if (!fresh) {
        problems.Add(absl::StrCat(file, ":", in.number(), ": id \"", (*item)->request_id(),
                                  "\" is on line ", it->second, " too"));
      }
    }
    if (in.failed()) return BadFile(io, CannotRead(file));
    if (problems.count() > 0) return BadFile(io, problems.Text(file));
  }
  if (resume.lines > total || (resume.lines > 0 && digest != resume.digest)) {
    return BadFile(
        io, absl::StrCat(progress_file, " says ", resume.lines, " lines were done, but ", file,
                         resume.lines > total ? absl::StrCat(" has ", total)
                                              : std::string(" has changed in them"),
                         "; run with --restart (lines sent again create nothing "
                         "twice)"));
  }

  cv1::ImportRegistrationsResponse summary;
  std::vector<Failure> failures;
  int64_t done = resume.lines;
  int64_t sent_lines = 0;
  const absl::Time start = io.now();
  bool progress_warned = false;
  bool progress_shown = false;
  auto show_progress = [&] {
    const double seconds = absl::ToDoubleSeconds(io.now() - start);
    const double rate = seconds > 0 ? sent_lines / seconds : 0;
    if (io.tty) {
      io.err << "\r" << ProgressText(done, total, rate, true) << "\x1b[K" << std::flush;
    } else {
      io.err << "import: " << ProgressText(done, total, rate, false) << "\n" << std::flush;
    }
    progress_shown = true;
  };
  auto end_progress = [&] {
    if (io.tty && progress_shown) io.err << "\n" << std::flush;
  };
  auto print_summary = [&] {
    if (io.json) {
      cv1::ImportRegistrationsResponse out = summary;
      for (const auto& f : failures) {
        auto* x = out.add_failures();
        x->set_index(static_cast<int32_t>(f.line));
        x->set_request_id(f.id);
        x->set_field(f.field);
        x->set_description(f.description);
      }
      auto line = JsonLine(out);
      io.out << (line.ok() ? *line : FormatError(line.status()));
    } else {
      std::string text = absl::StrCat(file, ": ", total, " lines");
      if (resume.lines > 0) {
        absl::StrAppend(&text, ", ", resume.lines, " done by an earlier run (", progress_file, ")");
      }
      absl::StrAppend(&text, ", ", sent_lines, " sent now\ncreated: ", summary.created(),
                      "  already present: ", summary.already_present(),
                      "  refused: ", failures.size(), "\n");
      if (!failures.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& f : failures) {
          rows.push_back({absl::StrCat(f.line), f.id, f.field, f.description});
        }
        absl::StrAppend(&text, FormatTable({"LINE", "ID", "FIELD", "DESCRIPTION"}, rows));
      }
      io.out << text;
    }
    io.out << std::flush;
  };

  if (resume.lines == total) {
    if (total > 0) {
      io.err << "nothing to send: every line of " << file << " was done by an earlier run ("
             << progress_file << "; --restart sends them again)\n"
             << std::flush;
    }
    print_summary();
    return 0;
  }

  // Pass 2: the lines after those done, in batches.
  LineReader in(file);
  if (!in.ok()) return BadFile(io, CannotRead(file));
  std::string line;
  if (csv) in.Next(&line);
  for (int64_t i = 0; i < resume.lines && in.Next(&line); ++i) {
  }
  cv1::ImportRegistrationsRequest request;
  request.set_parent(parent);
  std::vector<int64_t> item_lines;  // the file line of each item in `request`
  int64_t pending = 0;              // data lines read since the last batch
  bool more = true;
  while (more) {
    more = in.Next(&line);
    if (more) {
      digest = DigestLine(digest, line);
      ++pending;
      auto item = parser->Parse(line);  // checked in pass 1
      if (item.ok() && item->has_value()) {
        *request.add_items() = **item;
        item_lines.push_back(in.number());
      }
    }
    if (request.items_size() < batch && more) continue;
    if (pending == 0) break;
    if (request.items_size() > 0) {
      auto response = send(request);
      if (!response.ok()) {
        end_progress();
        io.err << FormatError(response.status());
        io.err << "stopped after " << done << " of " << total << " lines";
        if (done > resume.lines || resume.lines > 0) {
          io.err << " (recorded in " << progress_file << ")";
        }
        io.err << "; run the same command again to go on from there\n" << std::flush;
        print_summary();
        return 1;
      }
      summary.set_created(summary.created() + response->created());
      summary.set_already_present(summary.already_present() + response->already_present());
      for (const auto& f : response->failures()) {
        const bool known = f.index() >= 0 && f.index() < static_cast<int>(item_lines.size());
        std::string id = f.request_id();
        if (id.empty() && known) id = request.items(f.index()).request_id();
        failures.push_back({known ? item_lines[f.index()] : 0, id, f.field(), f.description()});
      }
    }
    done += pending;
    sent_lines += pending;
    pending = 0;
    request.clear_items();
    item_lines.clear();
    // Recorded only now that the node has the batch: a batch lost on the way is sent again.
    ImportProgress progress{done, digest};
    const std::string tmp = progress_file + ".tmp";
    bool written = false;
    {
      std::ofstream p(tmp, std::ios::binary | std::ios::trunc);
      p << FormatProgress(progress);
      p.close();
      written = static_cast<bool>(p) && std::rename(tmp.c_str(), progress_file.c_str()) == 0;
    }
    if (!written && !progress_warned) {
      progress_warned = true;
      end_progress();
      io.err << "warning: cannot write " << progress_file << " (" << std::strerror(errno)
             << "): an interrupted import would start again from the first line\n";
    }
    show_progress();
  }
  if (in.failed()) {
    end_progress();
    io.err << FormatError(absl::DataLossError(CannotRead(file)));
    print_summary();
    return 1;
  }
  end_progress();
  print_summary();
  return failures.empty() ? 0 : 1;
}

}  // namespace enlace::cli
