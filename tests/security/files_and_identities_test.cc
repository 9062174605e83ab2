// Files and identities (issue 8, item 6): what the node writes is owner-only, a private key
// that others can read stops the node from starting, and an identity has one spelling.
#include <dirent.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

v1::CreatePersonRequest NewPersonRequest(const std::string& request_id) {
  v1::CreatePersonRequest req;
  req.set_parent("countries/MX");
  req.set_request_id(request_id);
  v1::Person* p = req.mutable_person();
  p->set_given_names("Rosa");
  p->set_family_names("Campos");
  p->set_sex(v1::SEX_FEMALE);
  p->set_birth_date("1990-01-02");
  p->add_nationalities("MX");
  p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
  return req;
}

// Every file and directory under `root` with its mode, `root` included.
void Walk(const std::string& root, std::vector<std::pair<std::string, mode_t>>* out) {
  struct stat st;
  if (lstat(root.c_str(), &st) != 0) return;
  out->emplace_back(root, st.st_mode);
  if (!S_ISDIR(st.st_mode)) return;
  DIR* d = opendir(root.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    Walk(root + "/" + name, out);
  }
  closedir(d);
}

class FilesAndIdentitiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("files");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
};

// Attack: data and vault files were 0644 in 0755 directories, so any local account could copy
// the store, the wrapped keys and the index keys.
TEST_F(FilesAndIdentitiesTest, DataFilesAreOwnerOnly) {
  const auto config = testing::TestNodeConfig(dir_, "MX");
  // As deploy/local/up.sh does, the data directory exists already, made with the usual umask.
  ASSERT_EQ(mkdir(config.data_dir().c_str(), 0755), 0);
  ASSERT_EQ(chmod(config.data_dir().c_str(), 0755), 0);
  {
    auto node = node::Node::Start(config);
    ASSERT_TRUE(node.ok()) << node.status();
    auto client = pki_->Client("spiffe://mx.enlace.example/role/supervisor/user/ana");
    ASSERT_TRUE(client.ok());
    auto persons = v1::PersonService::NewStub(
        testing::MakeChannel((*node)->api_port(), pki_->ca(), &*client));
    v1::Person out;
    grpc::Status s = persons->CreatePerson(Ctx().get(), NewPersonRequest("r1"), &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE((*node)->Shutdown(absl::Seconds(5)).ok());
  }
  std::vector<std::pair<std::string, mode_t>> entries;
  Walk(config.data_dir(), &entries);
  Walk(config.data_dir() + ".keys", &entries);
  ASSERT_GT(entries.size(), 10u);  // both stores were written
  for (const auto& [path, mode] : entries) {
    EXPECT_EQ(mode & 077, 0u) << path << " has mode " << std::oct << (mode & 07777);
  }
}

// Attack: a node started on a private key that other local accounts could read.
TEST_F(FilesAndIdentitiesTest, KeyFileReadableByOthersRefusesStart) {
  auto config = testing::TestNodeConfig(dir_, "MX");
  const std::string tls_key = config.api_tls().key_file();
  ASSERT_EQ(chmod(tls_key.c_str(), 0644), 0);
  auto node = node::Node::Start(config);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(node.status().message(), tls_key)) << node.status();
  EXPECT_TRUE(absl::StrContains(node.status().message(), absl::StrCat("chmod 600 ", tls_key)))
      << node.status();
  ASSERT_EQ(chmod(tls_key.c_str(), 0600), 0);

  const std::string master_key = config.security().master_key_file();
  ASSERT_EQ(chmod(master_key.c_str(), 0640), 0);
  node = node::Node::Start(config);
  ASSERT_FALSE(node.ok());
  EXPECT_TRUE(absl::StrContains(node.status().message(), master_key)) << node.status();
  EXPECT_TRUE(absl::StrContains(node.status().message(), "chmod 600")) << node.status();
  ASSERT_EQ(chmod(master_key.c_str(), 0600), 0);

  // The federation signing key (it also signs the audit checkpoints).
  auto fed = testing::TestFederation::Create(dir_, {"GT"});
  ASSERT_TRUE(fed.ok()) << fed.status();
  ASSERT_TRUE((*fed)->WriteManifest({"GT"}, 1).ok());
  auto& gt = (*fed)->member("GT");
  const std::string signing_key = gt.config.federation().signing_key_file();
  ASSERT_EQ(chmod(signing_key.c_str(), 0604), 0);
  node = node::Node::Start(gt.config);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(node.status().message(), signing_key)) << node.status();
  ASSERT_EQ(chmod(signing_key.c_str(), 0600), 0);

  // With every key owner-only the same configuration starts.
  node = node::Node::Start(config);
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_TRUE((*node)->Shutdown(absl::Seconds(5)).ok());
}

// Attack: a certificate for spiffe://MX.enlace.example/... (country label in upper case) was
// accepted as a second identity of the same user: its own rate bucket, its own request ids,
// and missed by an auditor filtering on the canonical actor.
TEST_F(FilesAndIdentitiesTest, MixedCaseTrustDomainIsOneIdentity) {
  auto node = node::Node::Start(testing::TestNodeConfig(dir_, "MX"));
  ASSERT_TRUE(node.ok()) << node.status();
  auto canonical = pki_->Client("spiffe://mx.enlace.example/role/supervisor/user/ana");
  auto shouted = pki_->Client("spiffe://MX.enlace.example/role/supervisor/user/ana");
  ASSERT_TRUE(canonical.ok() && shouted.ok());
  v1::Person first;
  grpc::Status s = v1::PersonService::NewStub(testing::MakeChannel(
                       (*node)->api_port(), pki_->ca(), &*canonical))
                       ->CreatePerson(Ctx().get(), NewPersonRequest("same-id"), &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::Person second;
  s = v1::PersonService::NewStub(
          testing::MakeChannel((*node)->api_port(), pki_->ca(), &*shouted))
          ->CreatePerson(Ctx().get(), NewPersonRequest("same-id"), &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "spiffe://mx.enlace.example/"))
      << s.error_message();
  EXPECT_TRUE((*node)->Shutdown(absl::Seconds(5)).ok());
}

}  // namespace
}  // namespace enlace
