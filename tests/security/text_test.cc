// Text (issue 8, item 7), through the real API: decomposed accents are found by a plain query,
// and names or document numbers that display differently from what they are are refused.
#include <memory>
#include <string>

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/ana";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

class TextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("text");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    auto node = node::Node::Start(testing::TestNodeConfig(dir_, "MX"));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    auto client = pki_->Client(kSupervisor);
    ASSERT_TRUE(client.ok());
    client_ = *client;
    persons_ = v1::PersonService::NewStub(
        testing::MakeChannel(node_->api_port(), pki_->ca(), &client_));
  }
  void TearDown() override {
    if (node_) EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  }

  absl::StatusOr<v1::Person> Create(const std::string& given, const std::string& family,
                                    const std::string& passport = "") {
    v1::CreatePersonRequest req;
    req.set_parent("countries/MX");
    v1::Person* p = req.mutable_person();
    p->set_given_names(given);
    p->set_family_names(family);
    p->set_sex(v1::SEX_MALE);
    p->set_birth_date("1985-06-01");
    p->add_nationalities("MX");
    p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
    if (!passport.empty()) {
      auto* d = p->add_documents();
      d->set_type(v1::DOCUMENT_TYPE_PASSPORT);
      d->set_number(passport);
      d->set_issuing_country("MX");
    }
    v1::Person out;
    absl::Status s = FromGrpcStatus(persons_->CreatePerson(Ctx().get(), req, &out));
    if (!s.ok()) return s;
    return out;
  }

  std::vector<std::string> Search(const std::string& query) {
    v1::SearchPersonsRequest req;
    req.set_parent("countries/MX");
    req.set_name_query(query);
    v1::SearchPersonsResponse resp;
    grpc::Status s = persons_->SearchPersons(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> names;
    for (const auto& p : resp.persons()) names.push_back(p.name());
    return names;
  }

  static bool HasViolation(const absl::Status& s, const std::string& field) {
    for (const auto& v : GetFieldViolations(s)) {
      if (v.field == field) return true;
    }
    return false;
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  pki::CertAndKey client_;
  std::unique_ptr<node::Node> node_;
  std::unique_ptr<v1::PersonService::Stub> persons_;
};

// Bug: names typed with decomposed accents (e + U+0301, as some phones send) were not found
// by "jose perez" nor by "José Pérez", and were stored decomposed.
TEST_F(TextTest, DecomposedNameIsFoundByPlainQuery) {
  auto created = Create("Jose\xcc\x81", "Pe\xcc\x81rez Lo\xcc\x81pez");
  ASSERT_TRUE(created.ok()) << created.status();
  // Stored in NFC.
  EXPECT_EQ(created->given_names(), "Jos\xc3\xa9");
  EXPECT_EQ(created->family_names(), "P\xc3\xa9rez L\xc3\xb3pez");
  const std::vector<std::string> want = {created->name()};
  EXPECT_EQ(Search("jose perez"), want);
  EXPECT_EQ(Search("Jos\xc3\xa9 P\xc3\xa9rez"), want);  // typed composed
  EXPECT_EQ(Search("Jose\xcc\x81 Pe\xcc\x81rez"), want);  // typed decomposed
}

// Attack: names and document numbers carrying a right-to-left override, zero-width
// characters or a lone combining mark were accepted (and display as something else).
TEST_F(TextTest, BidiOverrideAndInvisibleCharactersInNamesAreRefused) {
  auto rlo = Create("Ana", "P\xe2\x80\xae" "zereP");  // U+202E RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(rlo.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolation(rlo.status(), "person.family_names")) << rlo.status();
  auto zwsp = Create("An\xe2\x80\x8b" "a", "Campos");  // U+200B ZERO WIDTH SPACE
  EXPECT_TRUE(HasViolation(zwsp.status(), "person.given_names")) << zwsp.status();
  auto lone = Create("\xcc\x81" "Ana", "Campos");  // leading combining acute
  EXPECT_TRUE(HasViolation(lone.status(), "person.given_names")) << lone.status();
  auto doc = Create("Ana", "Campos", "G1234\xe2\x80\x8d" "5678");  // U+200D in the number
  EXPECT_TRUE(HasViolation(doc.status(), "person.documents[0].number")) << doc.status();
  auto doc_rlo = Create("Ana", "Campos", "\xe2\x80\xae" "87654321");
  EXPECT_TRUE(HasViolation(doc_rlo.status(), "person.documents[0].number")) << doc_rlo.status();
  // Nothing was written.
  EXPECT_TRUE(Search("ana").empty());
}

}  // namespace
}  // namespace enlace
