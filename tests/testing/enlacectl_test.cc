#include "tests/testing/enlacectl_test.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/pki/pki.h"

namespace enlace::testing {

void EnlacectlTest::StartNode(const std::string& tag, const std::vector<CliIdentity>& identities,
                              const std::function<void(enlace::node::v1::NodeConfig&)>& adjust) {
  dir_ = MakeTempDir(tag);
  auto pki = TestPki::Create(dir_, "MX");
  ASSERT_TRUE(pki.ok()) << pki.status();
  pki_ = std::make_unique<TestPki>(*pki);
  for (const CliIdentity& who : identities) {
    auto client = pki_->Client(who.uri);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(
        pki::WriteFile(absl::StrCat(dir_, "/", who.stem, ".pem"), client->cert_pem, 0600).ok());
    ASSERT_TRUE(
        pki::WriteFile(absl::StrCat(dir_, "/", who.stem, ".key"), client->key_pem, 0600).ok());
  }
  enlace::node::v1::NodeConfig config = TestNodeConfig(dir_, "MX");
  if (adjust) adjust(config);
  auto node = NodeProcess::Start(config, dir_);
  ASSERT_TRUE(node.ok()) << node.status();
  node_ = *std::move(node);
  server_ = absl::StrCat("localhost:", node_->port());
}

void EnlacectlTest::TearDown() {
  if (node_ == nullptr) return;
  const int code = node_->Stop(SIGTERM);
  if (code != 0) {
    std::ifstream in(node_->log_path(), std::ios::binary);
    std::stringstream log;
    log << in.rdbuf();
    ADD_FAILURE() << "the node exited with " << code << "\n" << log.str();
  }
}

CommandResult EnlacectlTest::Run(const CliIdentity& who, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--server=" + server_, "--tls_dir=" + dir_,
                                  absl::StrCat("--identity=", who.stem)};
  all.insert(all.end(), args.begin(), args.end());
  return RunCommand(RunfilePath("tools/enlacectl/enlacectl"), all,
                    absl::StrCat(dir_, "/run.", runs_++));
}

std::string EnlacectlTest::Field(const std::string& out, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::ConsumePrefix(&line, key + ":")) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

}  // namespace enlace::testing
