#ifndef ENLACE_TOOLS_ENLACECTL_CRISIS_IMPORT_H_
#define ENLACE_TOOLS_ENLACECTL_CRISIS_IMPORT_H_

// `enlacectl crisis import FILE`: a ministry's registry, exported as CSV or JSON lines, sent to
// enlace.crisis.v1.CrisisService.ImportRegistrations in batches. Internal to enlacectl
// (commands.cc runs it; cli_test.cc tests it with a fake sink instead of a node).
//
// The file. Every line is one registration whose `id` (its id in the ministry's registry,
// 1-64 of A-Z a-z 0-9 _ -) becomes the item's request_id, so a line sent twice creates nothing
// twice. Blank lines are skipped. Lines with line breaks inside a field are not supported.
// - CSV: the first line names the columns, in any order, each at most once: id (required),
//   given_names, family_names, birth_date, host_country, area, arrival_date, return_date, post,
//   phone, child, older_person, medical_needs. Fields are separated by commas and may be quoted
//   ("Pérez, Ana"; "" inside quotes is one "). child, older_person and medical_needs read
//   true/false, yes/no, 1/0 (empty: false).
// - JSONL: one JSON object per line, a Registration in proto3 JSON (givenNames or given_names,
//   ...) plus "id": {"id":"r-1","givenNames":"Ana","familyNames":"Pérez","area":"HN-CR"}.
// In both, host_country, area and post are upper-cased, and host_country, when empty, is the
// area's country (HN for HN-CR).
//
// The run. Every line is checked before anything is sent: a bad file is refused whole, each
// problem as FILE:LINE: what is wrong (exit code 2). Then the lines go in batches; after each
// call that returned OK, FILE.progress records how many lines (after a CSV's header, blank
// ones included) are done, with a digest of them; the next run starts after them (--restart:
// from the first line), and refuses to when those lines have changed since. A progress line per
// batch goes to stderr (one line rewritten in place when stderr is a terminal). The summary
// (stdout): lines sent, created, already present, and each refused line (LINE ID FIELD
// DESCRIPTION, LINE being the line number in FILE); with --json one
// ImportRegistrationsResponse whose failures[].index is that line number.

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "enlace/crisis/v1/crisis.pb.h"
#include "tools/enlacectl/cli.h"

namespace enlace::cli {

enum class ImportFormat { kCsv, kJsonl };

// "csv", "jsonl" (or "ndjson"); INVALID_ARGUMENT naming format= otherwise.
absl::StatusOr<ImportFormat> ParseImportFormat(absl::string_view word);
// The format a file's name says: .csv; .jsonl, .ndjson, .json. nullopt for any other name.
std::optional<ImportFormat> ImportFormatOfFile(absl::string_view path);

// The CSV columns `crisis import` reads, in the order help lists them.
const std::vector<std::string>& ImportCsvColumns();

// One CSV line split into its fields (unquoted ones trimmed); INVALID_ARGUMENT for a quote
// that does not close on this line or text after a closing quote.
absl::StatusOr<std::vector<std::string>> SplitCsvLine(absl::string_view line);

// Reads the data lines of one import file.
class ImportLineParser {
 public:
  using Item = crisis::v1::ImportRegistrationsRequest::Item;

  // CSV: `header` is the file's first line (unknown, repeated or missing id column:
  // INVALID_ARGUMENT). JSONL: `header` is unused.
  static absl::StatusOr<ImportLineParser> Make(ImportFormat format, absl::string_view header);

  // One data line (a trailing '\r' is ignored): nullopt for a blank line; INVALID_ARGUMENT
  // saying what is wrong, starting with the column or key when it is one value.
  absl::StatusOr<std::optional<Item>> Parse(absl::string_view line) const;

 private:
  ImportLineParser(ImportFormat format, std::vector<std::string> columns)
      : format_(format), columns_(std::move(columns)) {}
  absl::StatusOr<Item> ParseCsv(absl::string_view line) const;
  absl::StatusOr<Item> ParseJson(absl::string_view line) const;

  ImportFormat format_;
  std::vector<std::string> columns_;  // CSV
};

// What FILE.progress holds: the number of data lines done and a digest of them (FNV-1a 64 of
// each line and a '\n'), so a changed file is not resumed in the wrong place.
struct ImportProgress {
  int64_t lines = 0;
  uint64_t digest = 14695981039346656037ull;  // FNV-1a offset basis: no line yet
};
std::string ProgressFileName(absl::string_view file);  // FILE.progress
// "lines=1500\ndigest=0123456789abcdef\n" after a comment line.
std::string FormatProgress(const ImportProgress& progress);
absl::StatusOr<ImportProgress> ParseProgress(absl::string_view text);
// The digest after one more line.
uint64_t DigestLine(uint64_t digest, absl::string_view line);

// One ImportRegistrations call (the node, or a test's fake).
using ImportSink = std::function<absl::StatusOr<crisis::v1::ImportRegistrationsResponse>(
    const crisis::v1::ImportRegistrationsRequest&)>;

struct ImportIo {
  std::ostream& out;  // the summary
  std::ostream& err;  // progress and errors
  bool tty = false;   // err is a terminal: one progress line rewritten in place
  bool json = false;  // the summary as one JSON line
  std::function<absl::Time()> now;
};

// Runs `crisis import` as above, sending ImportRegistrationsRequests with `parent`. Exit code:
// 0 every line imported (or already present), 1 a call failed (the summary so far is printed,
// and the next run resumes) or some lines were refused, 2 the file, its format or its
// progress file is bad (nothing sent).
int RunImport(const ImportOptions& options, const std::string& parent, const ImportSink& send,
              const ImportIo& io);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_CRISIS_IMPORT_H_
