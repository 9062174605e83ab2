// The node's API port as docs/api.md and docs/operations.md describe it: a real node
// (in-process), real mTLS on loopback, real RocksDB in a temporary directory.
#include "services/node/node.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/authz/policy.h"
#include "enlace/bench/v1/echo.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "services/node/modules.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/ana";

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("node");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    auto node = node::Node::Start(testing::TestNodeConfig(dir_, "MX"));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    auto client = pki_->Client(kSupervisor);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *client;
    channel_ = testing::MakeChannel(node_->api_port(), pki_->ca(), &client_);
    persons_ = v1::PersonService::NewStub(channel_);
  }
  void TearDown() override {
    if (node_ != nullptr) {
      EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
    }
  }

  friend class NodeModulesTest_AModuleIsOneEntryInTheList_Test;
  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  // grpc.health.v1.Health/Check for `service`, spoken in raw protobuf (Debian ships no
  // health stub): HealthCheckRequest{string service = 1} -> HealthCheckResponse{status = 1}.
  // Returns the call's status and, when OK, the ServingStatus number (1 SERVING,
  // 2 NOT_SERVING).
  grpc::Status HealthCheck(const std::string& service, int* serving) {
    std::string request;
    if (!service.empty()) {
      request.push_back('\x0a');
      request.push_back(static_cast<char>(service.size()));  // names are < 128 bytes
      request += service;
    }
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    const grpc::internal::RpcMethod method("/grpc.health.v1.Health/Check",
                                           grpc::internal::RpcMethod::NORMAL_RPC);
    auto ctx = Ctx();
    grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel_.get(), method, ctx.get(), in, &out);
    *serving = 0;
    if (!status.ok()) return status;
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(out.Dump(&slices).ok());
    std::string response;
    for (const grpc::Slice& s : slices) {
      response.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    // An absent field is 0 (UNKNOWN); otherwise 0x08 then the varint (< 128).
    if (response.size() == 2 && response[0] == '\x08') *serving = response[1];
    return status;
  }

  absl::StatusOr<v1::Person> CreatePerson(const std::string& given, const std::string& family) {
    v1::CreatePersonRequest req;
    req.set_parent("countries/MX");
    v1::Person* p = req.mutable_person();
    p->set_given_names(given);
    p->set_family_names(family);
    p->set_sex(v1::SEX_FEMALE);
    p->set_birth_date("1988-03-14");
    p->add_nationalities("MX");
    p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
    v1::Person out;
    grpc::Status s = persons_->CreatePerson(Ctx().get(), req, &out);
    if (!s.ok())
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return out;
  }

  grpc::Status Search(const std::string& query, v1::SearchPersonsResponse* out) {
    v1::SearchPersonsRequest req;
    req.set_parent("countries/MX");
    req.set_name_query(query);
    return persons_->SearchPersons(Ctx().get(), req, out);
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  pki::CertAndKey client_;
  std::unique_ptr<node::Node> node_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::PersonService::Stub> persons_;
};

// `grpc_health_probe -service=enlace.cases.v1.CaseService` must get SERVING, not NOT_FOUND.
TEST_F(NodeTest, HealthAnswersForEveryRegisteredService) {
  const std::vector<std::string> services = {
      "",
      "enlace.cases.v1.PersonService",
      "enlace.cases.v1.CaseService",
      "enlace.directory.v1.DirectoryService",
      "enlace.notifications.v1.NotificationService",
      "enlace.referrals.v1.ReferralService",
      "enlace.transfers.v1.TransferService",
      "enlace.audit.v1.AuditService",
  };
  for (const std::string& service : services) {
    int serving = 0;
    grpc::Status s = HealthCheck(service, &serving);
    EXPECT_TRUE(s.ok()) << "\"" << service << "\": " << s.error_code() << " " << s.error_message();
    EXPECT_EQ(serving, 1) << "\"" << service << "\" is not SERVING";
  }
  int serving = 0;
  EXPECT_EQ(HealthCheck("enlace.cases.v1.NoSuchService", &serving).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(NodeTest, HealthTurnsNotServingOnShutdown) {
  // Shutdown flips every service to NOT_SERVING before draining; after it the port is gone,
  // so this checks the flip through the server's own health service object.
  int serving = 0;
  ASSERT_TRUE(HealthCheck("enlace.cases.v1.CaseService", &serving).ok());
  EXPECT_EQ(serving, 1);
  EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  node_.reset();
  EXPECT_FALSE(HealthCheck("enlace.cases.v1.CaseService", &serving).ok());
}

// docs/api.md: "Requests are limited to 4 MiB": a larger one is refused by gRPC itself with
// RESOURCE_EXHAUSTED before any handler runs (and nothing is created).
TEST_F(NodeTest, RequestOver4MiBIsResourceExhausted) {
  v1::CreatePersonRequest req;
  req.set_parent("countries/MX");
  req.mutable_person()->set_given_names(std::string((4 << 20) + 1024, 'a'));
  v1::Person out;
  grpc::Status s = persons_->CreatePerson(Ctx().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  // Just under the limit reaches the handler (which refuses the 200-byte name rule).
  req.mutable_person()->set_given_names(std::string((4 << 20) - 4096, 'a'));
  s = persons_->CreatePerson(Ctx().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
}

// docs/api.md, SearchPersons: query words of one letter are ignored; at least one word must
// have two letters or more.
TEST_F(NodeTest, SearchPersonsIgnoresOneLetterWords) {
  ASSERT_TRUE(CreatePerson("José", "Pérez").ok());
  ASSERT_TRUE(CreatePerson("María", "Pérez").ok());
  v1::SearchPersonsResponse out;
  ASSERT_TRUE(Search("pe", &out).ok());
  EXPECT_EQ(out.persons_size(), 2);  // two letters is a word prefix
  out.Clear();
  ASSERT_TRUE(Search("j perez", &out).ok());
  EXPECT_EQ(out.persons_size(), 2);  // "j" does not narrow: María is found too
  out.Clear();
  ASSERT_TRUE(Search("jo perez", &out).ok());
  EXPECT_EQ(out.persons_size(), 1);
  out.Clear();
  grpc::Status s = Search("j p", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "at least 2 letters") ||
              absl::StrContains(s.error_details(), "at least 2 letters"))
      << s.error_message();
}

// A module is one entry in the node's list: its column family is opened, it can find the
// modules listed before it, it starts once every module exists, its erasure duty runs inside
// ErasePerson, and it stops at shutdown. Nothing else in the node is edited to add it.
struct ProbeRecord {
  std::vector<std::string> events;
  bool found_cases = false;
  bool column_family_open = false;
};
ProbeRecord* probe_record = nullptr;

class ProbeModule final : public node::Module {
 public:
  absl::string_view name() const override { return "probe"; }
  absl::Status OnPersonErased(const std::string& person_id, const std::vector<std::string>&,
                              txn::Transaction& txn) override {
    probe_record->events.push_back("erased " + person_id);
    txn.Audit("node/MX", "probe.person_erased", {person_id});
    return absl::OkStatus();
  }
  void Start() override { probe_record->events.push_back("start"); }
  void Stop() override { probe_record->events.push_back("stop"); }
};

node::ModuleSpec ProbeSpec() {
  return {"probe", [](storage::StoreOptions& o) { o.column_families.push_back("probe"); },
          [](const node::ModuleContext& ctx) -> absl::StatusOr<std::unique_ptr<node::Module>> {
            probe_record->found_cases = ctx.find("cases") != nullptr;
            probe_record->column_family_open = ctx.store->cf("probe") != nullptr;
            return std::make_unique<ProbeModule>();
          }};
}

TEST(NodeModulesTest, AModuleIsOneEntryInTheList) {
  ProbeRecord record;
  probe_record = &record;
  const std::string dir = testing::MakeTempDir("node-modules");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok()) << pki.status();
  std::vector<node::ModuleSpec> modules = node::NodeModules();
  modules.push_back(ProbeSpec());
  auto node = node::Node::Start(testing::TestNodeConfig(dir, "MX"), modules);
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_TRUE(record.found_cases);
  EXPECT_TRUE(record.column_family_open);
  EXPECT_EQ(record.events, std::vector<std::string>{"start"});

  auto client = pki->Client(kSupervisor);
  ASSERT_TRUE(client.ok());
  auto persons =
      v1::PersonService::NewStub(testing::MakeChannel((*node)->api_port(), pki->ca(), &*client));
  v1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  cp.mutable_person()->set_given_names("Rosa");
  cp.mutable_person()->set_family_names("Tzul");
  cp.mutable_person()->set_sex(v1::SEX_FEMALE);
  cp.mutable_person()->add_nationalities("MX");
  cp.mutable_person()->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
  v1::Person person;
  ASSERT_TRUE(persons->CreatePerson(NodeTest::Ctx().get(), cp, &person).ok());
  v1::ErasePersonRequest erase;
  erase.set_name(person.name());
  erase.set_reason("prueba");
  v1::ErasePersonResponse erased;
  grpc::Status s = persons->ErasePerson(NodeTest::Ctx().get(), erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(record.events.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(record.events[1], "erased ")) << record.events[1];

  ASSERT_TRUE((*node)->Shutdown(absl::Seconds(5)).ok());
  EXPECT_EQ(record.events.back(), "stop");
  probe_record = nullptr;
}

// A module whose service has a method without an access option: the node refuses to serve
// it rather than ship a method nobody can call (or that someone grants in a table elsewhere).
class UndeclaredModule final : public node::Module {
 public:
  absl::string_view name() const override { return "undeclared"; }
  std::vector<Service> Services() override {
    return {{enlace::bench::v1::EchoService::service_full_name(), &echo_}};
  }

 private:
  enlace::bench::v1::EchoService::CallbackService echo_;
};

TEST(NodeModulesTest, AServedMethodWithoutAnAccessOptionStopsTheNode) {
  const std::string dir = testing::MakeTempDir("node-undeclared");
  ASSERT_TRUE(testing::TestPki::Create(dir, "MX").ok());
  std::vector<node::ModuleSpec> modules = node::NodeModules();
  modules.push_back(
      {"undeclared", [](storage::StoreOptions&) {},
       [](const node::ModuleContext&) -> absl::StatusOr<std::unique_ptr<node::Module>> {
         return std::make_unique<UndeclaredModule>();
       }});
  auto node = node::Node::Start(testing::TestNodeConfig(dir, "MX"), modules);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(node.status().message(), "enlace.bench.v1.EchoService.Echo"))
      << node.status();
}

// Every method the node serves is in the policy table (the access options of the protos).
TEST_F(NodeTest, EveryServedMethodIsInThePolicyTable) {
  for (const std::string& service : node_->ServedServices()) {
    EXPECT_TRUE(authz::CheckServiceDeclaresAccess(service).ok()) << service;
  }
  EXPECT_GE(node_->ServedServices().size(), 7u);
}

}  // namespace
}  // namespace enlace
