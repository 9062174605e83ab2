// docs/security.md's policy table must be exactly what the code grants: the access options of
// the node's modules' protos.

#include "common/authz/policy_doc.h"

#include <fstream>
#include <sstream>
#include <string>

#include "common/authz/policy.h"
#include "enlace/federation/v1/admin.pb.h"
#include "gtest/gtest.h"
#include "services/node/modules.h"

namespace enlace::authz {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PolicyDocTest, SecurityMdTableMatchesPolicyCc) {
  // Links every module's protos and the federation admin service's.
  // (descriptor() is defined in the .pb.cc, so calling it links the file in.)
  ASSERT_FALSE(node::NodeModules().empty());
  ASSERT_NE(federation::v1::GetFederationStatusRequest::descriptor(), nullptr);
  const std::string doc = ReadFile("docs/security.md");
  ASSERT_FALSE(doc.empty()) << "docs/security.md is not in the test's runfiles";
  absl::StatusOr<std::string> block = ExtractPolicyBlock(doc);
  ASSERT_TRUE(block.ok()) << "docs/security.md: " << block.status();
  const std::string want = PolicyTableMarkdown();
  EXPECT_EQ(*block, want)
      << "docs/security.md's policy table differs from the access options of the protos.\n"
      << "Regenerate it: bazel run //services/node:policy_doc -- --update\n"
      << "Diff (- code says, + doc says):\n"
      << LineDiff(want, *block);
}

TEST(PolicyDocTest, EveryRuleHasARowAndEveryRowARule) {
  const std::string table = PolicyTableMarkdown();
  for (const PolicyRule& rule : PolicyTable()) {
    EXPECT_NE(table.find(std::string("| `") + rule.method + "` |"), std::string::npos)
        << rule.method;
  }
  size_t rows = 0;
  for (char c : table) rows += c == '\n';
  EXPECT_EQ(rows, PolicyTable().size() + 2);  // header and alignment lines
}

TEST(PolicyDocTest, ReplaceKeepsTheRestOfTheDocument) {
  const std::string doc = std::string("intro\n") + std::string(kPolicyDocBegin) + "\n| old |\n" +
                          std::string(kPolicyDocEnd) + "\noutro\n";
  absl::StatusOr<std::string> out = ReplacePolicyBlock(doc, "| new |\n");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, std::string("intro\n") + std::string(kPolicyDocBegin) + "\n| new |\n" +
                      std::string(kPolicyDocEnd) + "\noutro\n");
  EXPECT_FALSE(ExtractPolicyBlock("no markers here\n").ok());
}

TEST(PolicyDocTest, LineDiffShowsMissingAndExtraRows) {
  EXPECT_EQ(LineDiff("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(LineDiff("a\nb\nc\n", "a\nc\nd\n"), " a\n-b\n c\n+d\n \n");
}

}  // namespace
}  // namespace enlace::authz
