#include "common/authz/policy_doc.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace enlace::authz {
namespace {

struct Block {
  size_t begin;  // first byte after the begin marker's line
  size_t end;    // first byte of the end marker's line
};

absl::StatusOr<Block> FindBlock(absl::string_view doc) {
  const size_t b = doc.find(kPolicyDocBegin);
  if (b == absl::string_view::npos) {
    return absl::NotFoundError(absl::StrCat("no line \"", kPolicyDocBegin, "\""));
  }
  const size_t after = doc.find('\n', b);
  if (after == absl::string_view::npos) return absl::NotFoundError("nothing after the marker");
  const size_t e = doc.find(kPolicyDocEnd, after);
  if (e == absl::string_view::npos) {
    return absl::NotFoundError(absl::StrCat("no line \"", kPolicyDocEnd, "\" after the table"));
  }
  return Block{after + 1, e};
}

}  // namespace

absl::StatusOr<std::string> ExtractPolicyBlock(absl::string_view doc) {
  absl::StatusOr<Block> block = FindBlock(doc);
  if (!block.ok()) return block.status();
  return std::string(doc.substr(block->begin, block->end - block->begin));
}

absl::StatusOr<std::string> ReplacePolicyBlock(absl::string_view doc, absl::string_view table) {
  absl::StatusOr<Block> block = FindBlock(doc);
  if (!block.ok()) return block.status();
  return absl::StrCat(doc.substr(0, block->begin), table, doc.substr(block->end));
}

std::string LineDiff(absl::string_view want, absl::string_view have) {
  if (want == have) return "";
  std::vector<absl::string_view> a = absl::StrSplit(want, '\n');
  std::vector<absl::string_view> b = absl::StrSplit(have, '\n');
  // Longest common subsequence of lines (tables are tens of lines).
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      absl::StrAppend(&out, " ", a[i], "\n");
      ++i, ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      absl::StrAppend(&out, "+", b[j], "\n");
      ++j;
    } else {
      absl::StrAppend(&out, "-", a[i], "\n");
      ++i;
    }
  }
  return out;
}

}  // namespace enlace::authz
