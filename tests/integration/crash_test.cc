// Crash safety: many concurrent writers against a real enlace-node process that is SIGKILLed
// at random moments, then restarted. Every write that returned OK must be there, retries with
// the same request_id must not duplicate anything, and indexes must agree with the records.
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/cases/registry.h"
#include "services/cases/rules.h"
#include "common/crypto/key_vault.h"
#include "common/txn/committer.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

// The node's store as its config chooses it: RocksDB in data_dir, or the PostgreSQL database
// of bazel test --config=pg.
storage::StoreOptions NodeStore(const enlace::node::v1::NodeConfig& config) {
  storage::StoreOptions o = node::NodeStoreOptions(config.data_dir());
  o.postgres_conninfo = config.storage().postgres().conninfo();
  return o;
}

namespace v1 = ::enlace::cases::v1;

constexpr int kWriters = 8;
constexpr int kRounds = 6;

struct Ledger {
  absl::Mutex mu;
  std::map<std::string, std::string> case_by_request ABSL_GUARDED_BY(mu);
  std::set<std::string> actions ABSL_GUARDED_BY(mu);
  std::map<std::string, std::string> etag_by_case ABSL_GUARDED_BY(mu);
  std::set<std::string> updating ABSL_GUARDED_BY(mu);  // an update may be in flight
};

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  ctx->set_wait_for_ready(true);  // ride over the restart
  return ctx;
}

v1::Case NewCase(const std::string& person, int i) {
  v1::Case c;
  c.set_person(person);
  c.set_post(i % 2 ? "MX-LAX" : "MX-CHI");
  c.set_host_country("US");
  c.set_place("Chicago, Illinois");
  c.set_category(v1::CATEGORY_LABOUR);
  c.set_subtype(v1::SUBTYPE_WORK_INJURY);
  c.set_legal_basis(v1::LEGAL_BASIS_VITAL_INTEREST);
  return c;
}

TEST(CrashTest, AcknowledgedWritesSurviveSigkill) {
  const std::string dir = testing::MakeTempDir("crash");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto client = pki->Client("spiffe://mx.enlace.example/role/supervisor/user/crash");
  ASSERT_TRUE(client.ok());
  auto config = testing::TestNodeConfig(dir, "MX");
  auto node = testing::NodeProcess::Start(config, dir);
  ASSERT_TRUE(node.ok()) << node.status();
  // Restarts reuse the port so clients reconnect to the same address.
  config.set_api_address(absl::StrCat("127.0.0.1:", (*node)->port()));
  auto channel = testing::MakeChannel((*node)->port(), pki->ca(), &*client);
  auto persons = v1::PersonService::NewStub(channel);
  auto cases = v1::CaseService::NewStub(channel);

  std::vector<std::string> person_names;
  for (int t = 0; t < kWriters; ++t) {
    v1::CreatePersonRequest req;
    req.set_parent("countries/MX");
    auto* p = req.mutable_person();
    p->set_given_names(absl::StrCat("Trabajador ", t));
    p->set_family_names("García");
    p->set_sex(v1::SEX_MALE);
    p->add_nationalities("MX");
    p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
    v1::Person out;
    grpc::Status s = persons->CreatePerson(Ctx().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    person_names.push_back(out.name());
  }

  Ledger ledger;
  std::atomic<bool> stop{false};
  std::atomic<int> failures_seen{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        // 1. Create a case; retry the same request_id until acknowledged.
        v1::CreateCaseRequest create;
        create.set_parent("countries/MX");
        *create.mutable_case_() = NewCase(person_names[t], i);
        create.set_request_id(absl::StrCat("w", t, "-case-", i));
        v1::Case c;
        while (true) {
          grpc::Status s = cases->CreateCase(Ctx().get(), create, &c);
          if (s.ok()) break;
          ASSERT_TRUE(s.error_code() == grpc::UNAVAILABLE ||
                      s.error_code() == grpc::DEADLINE_EXCEEDED ||
                      s.error_code() == grpc::CANCELLED)
              << s.error_message();
          ++failures_seen;
        }
        {
          absl::MutexLock l(&ledger.mu);
          auto [it, inserted] = ledger.case_by_request.emplace(create.request_id(), c.name());
          ASSERT_TRUE(inserted);
          ledger.etag_by_case[c.name()] = c.etag();
        }
        // 2. An action, same discipline.
        v1::AddActionRequest add;
        add.set_parent(c.name());
        add.set_request_id(absl::StrCat("w", t, "-action-", i));
        add.mutable_action()->set_type(v1::ACTION_TYPE_HOSPITAL_VISIT);
        add.mutable_action()->set_officer("ofc-1");
        *add.mutable_action()->mutable_occur_time() = enlace::ToProtoTime(absl::Now());
        add.mutable_action()->set_outcome(v1::ACTION_OUTCOME_COMPLETED);
        v1::Action a;
        while (true) {
          grpc::Status s = cases->AddAction(Ctx().get(), add, &a);
          if (s.ok()) break;
          ASSERT_NE(s.error_code(), grpc::INVALID_ARGUMENT) << s.error_message();
          ++failures_seen;
        }
        {
          absl::MutexLock l(&ledger.mu);
          ledger.actions.insert(a.name());
        }
        // 3. An etag-checked update, not retried: its outcome is uncertain if it fails.
        v1::UpdateCaseRequest upd;
        *upd.mutable_case_() = c;
        upd.mutable_case_()->set_place(absl::StrCat("Hospital ", i));
        upd.mutable_case_()->set_status(v1::STATUS_IN_PROGRESS);
        upd.mutable_update_mask()->add_paths("place");
        upd.mutable_update_mask()->add_paths("status");
        {
          absl::MutexLock l(&ledger.mu);
          ledger.updating.insert(c.name());
        }
        v1::Case updated;
        grpc::Status s = cases->UpdateCase(Ctx().get(), upd, &updated);
        if (s.ok()) {
          absl::MutexLock l(&ledger.mu);
          ledger.etag_by_case[c.name()] = updated.etag();
          ledger.updating.erase(c.name());
        }
      }
    });
  }

  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < kRounds; ++round) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 900)(rng)));
    ASSERT_EQ((*node)->Stop(SIGKILL), 128 + SIGKILL);

    // With the node dead, open its store directly and check it against the ledger.
    {
      auto store = storage::Store::Open(NodeStore(config));
      ASSERT_TRUE(store.ok()) << store.status();
      auto keys = crypto::LoadMasterKeys(config.security().master_key_file());
      ASSERT_TRUE(keys.ok()) << keys.status();
      auto vault = crypto::KeyVault::Open(config.data_dir() + ".keys", *keys);
      ASSERT_TRUE(vault.ok()) << vault.status();
      auto committer = txn::Committer::Create(store->get(), "MX");
      ASSERT_TRUE(committer.ok());
      cases::Registry::Options options;
      options.country = "MX";
      options.post_codes = {"MX-LAX", "MX-CHI", "MX-GUA"};
      options.vault = vault->get();
      options.audit_reads = false;
      auto registry = cases::Registry::Create(options, store->get(), committer->get());
      ASSERT_TRUE(registry.ok());
      auto problems = (*registry)->CheckConsistency();
      ASSERT_TRUE(problems.ok());
      ASSERT_TRUE(problems->empty()) << "round " << round << ": " << (*problems)[0];
      absl::MutexLock l(&ledger.mu);
      Caller caller = *ParseIdentity("spiffe://mx.enlace.example/role/supervisor/user/check");
      for (const auto& [name, etag] : ledger.etag_by_case) {
        v1::GetCaseRequest get;
        get.set_name(name);
        auto c = (*registry)->GetCase(get, caller);
        ASSERT_TRUE(c.ok()) << "acknowledged case lost: " << name;
        if (ledger.updating.count(name) == 0) {
          EXPECT_EQ(c->etag(), etag) << "acknowledged update lost on " << name;
        }
      }
      for (const auto& action : ledger.actions) {
        v1::ListActionsRequest list;
        list.set_parent(action.substr(0, action.find("/actions/")));
        auto r = (*registry)->ListActions(list, caller);
        ASSERT_TRUE(r.ok());
        bool found = false;
        for (const auto& a : r->actions()) found |= a.name() == action;
        ASSERT_TRUE(found) << "acknowledged action lost: " << action;
      }
    }
    auto restarted = testing::NodeProcess::Start(config, dir);
    ASSERT_TRUE(restarted.ok()) << restarted.status();
    *node = *std::move(restarted);
  }
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_GT(failures_seen.load(), 0) << "the kills never interrupted a call";

  // Retries never duplicated a case: one case per request id.
  ASSERT_EQ((*node)->Stop(SIGTERM), 0) << "clean shutdown after SIGTERM";
  auto store = storage::Store::Open(NodeStore(config));
  ASSERT_TRUE(store.ok());
  int64_t stored = 0;
  for (auto it = (*store)->ScanPrefix((*store)->cf("cases"), ""); it->Valid(); it->Next()) {
    ++stored;
  }
  absl::MutexLock l(&ledger.mu);
  EXPECT_EQ(stored, static_cast<int64_t>(ledger.case_by_request.size()));
  EXPECT_GT(stored, 50);
  std::cout << "crash test: " << kRounds << " kills, " << stored << " cases, "
            << ledger.actions.size() << " actions, " << failures_seen.load()
            << " interrupted calls\n";
}

}  // namespace
}  // namespace enlace
