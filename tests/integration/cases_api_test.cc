// The cases API end to end: a real node (in-process) over real mTLS on loopback, real RocksDB
// in a temporary directory.
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/cases/rules.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

constexpr char kOfficer[] = "spiffe://mx.enlace.example/role/supervisor/user/ana";

class CasesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("api");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    auto node = node::Node::Start(testing::TestNodeConfig(dir_, "MX"));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    auto client = pki_->Client(kOfficer);
    ASSERT_TRUE(client.ok());
    client_ = *client;
    auto channel = testing::MakeChannel(node_->api_port(), pki_->ca(), &client_);
    persons_ = v1::PersonService::NewStub(channel);
    cases_ = v1::CaseService::NewStub(channel);
  }
  void TearDown() override {
    if (node_) {
      EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
    }
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  static v1::Person NewPerson(const std::string& given, const std::string& family,
                              const std::string& passport = "") {
    v1::Person p;
    p.set_given_names(given);
    p.set_family_names(family);
    p.set_sex(v1::SEX_FEMALE);
    p.set_birth_date("1988-03-14");
    p.add_nationalities("MX");
    p.add_languages("es");
    p.set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
    if (!passport.empty()) {
      auto* d = p.add_documents();
      d->set_type(v1::DOCUMENT_TYPE_PASSPORT);
      d->set_number(passport);
      d->set_issuing_country("MX");
    }
    return p;
  }

  static v1::Case NewCase(const std::string& person, const std::string& post = "MX-LAX") {
    v1::Case c;
    c.set_person(person);
    c.set_post(post);
    c.set_host_country("US");
    c.set_place("Los Ángeles, California");
    c.set_category(v1::CATEGORY_MIGRATION);
    c.set_subtype(v1::SUBTYPE_IMMIGRATION_DETENTION);
    c.set_risk(v1::RISK_HIGH);
    c.set_urgent(true);
    c.set_legal_basis(v1::LEGAL_BASIS_VITAL_INTEREST);
    c.set_summary("Detenida por ICE en Adelanto; solicita visita consular.");
    return c;
  }

  absl::StatusOr<v1::Person> CreatePerson(const v1::Person& p, const std::string& rid = "") {
    v1::CreatePersonRequest req;
    req.set_parent("countries/MX");
    *req.mutable_person() = p;
    req.set_request_id(rid);
    v1::Person out;
    auto s = FromGrpcStatus(persons_->CreatePerson(Ctx().get(), req, &out));
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<v1::Case> CreateCase(const v1::Case& c, const std::string& rid = "") {
    v1::CreateCaseRequest req;
    req.set_parent("countries/MX");
    *req.mutable_case_() = c;
    req.set_request_id(rid);
    v1::Case out;
    auto s = FromGrpcStatus(cases_->CreateCase(Ctx().get(), req, &out));
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<v1::ListCasesResponse> List(v1::ListCasesRequest req) {
    req.set_parent("countries/MX");
    v1::ListCasesResponse out;
    auto s = FromGrpcStatus(cases_->ListCases(Ctx().get(), req, &out));
    if (!s.ok()) return s;
    return out;
  }

  int CountCases() {
    int n = 0;
    v1::ListCasesRequest req;
    req.set_page_size(1000);
    while (true) {
      auto r = List(req);
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) return -1;
      n += r->cases_size();
      if (r->next_page_token().empty()) return n;
      req.set_page_token(r->next_page_token());
    }
  }

  static bool HasViolation(const absl::Status& s, const std::string& field) {
    for (const auto& v : GetFieldViolations(s)) {
      if (v.field == field) return true;
    }
    return false;
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<node::Node> node_;
  pki::CertAndKey client_;
  std::unique_ptr<v1::PersonService::Stub> persons_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
};

TEST_F(CasesApiTest, PersonLifecycleRecordsCallerAndChecksEtag) {
  auto p = CreatePerson(NewPerson("José Luis", "Pérez Hernández", "G12345678"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(absl::StartsWith(p->name(), "countries/MX/persons/"));
  EXPECT_EQ(p->created_by(), kOfficer);
  EXPECT_FALSE(p->etag().empty());
  EXPECT_TRUE(p->has_create_time());

  v1::GetPersonRequest get;
  get.set_name(p->name());
  v1::Person got;
  ASSERT_TRUE(persons_->GetPerson(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.given_names(), "José Luis");

  v1::UpdatePersonRequest upd;
  *upd.mutable_person() = got;
  upd.mutable_person()->set_birth_date("1988");
  upd.mutable_update_mask()->add_paths("birth_date");
  v1::Person updated;
  ASSERT_TRUE(persons_->UpdatePerson(Ctx().get(), upd, &updated).ok());
  EXPECT_EQ(updated.birth_date(), "1988");
  EXPECT_NE(updated.etag(), got.etag());
  // The old etag is now stale.
  auto stale = FromGrpcStatus(persons_->UpdatePerson(Ctx().get(), upd, &updated));
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted) << stale;

  get.set_name("countries/MX/persons/00000000000000000000");
  EXPECT_EQ(persons_->GetPerson(Ctx().get(), get, &got).error_code(), grpc::NOT_FOUND);
  get.set_name("countries/MX/persons/../../etc");
  auto bad = FromGrpcStatus(persons_->GetPerson(Ctx().get(), get, &got));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolation(bad, "name"));
}

TEST_F(CasesApiTest, DuplicateDocumentIsRefused) {
  ASSERT_TRUE(CreatePerson(NewPerson("Ana", "López", "X1")).ok());
  auto dup = CreatePerson(NewPerson("Ana María", "López", "x-1"));
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists) << dup.status();
}

TEST_F(CasesApiTest, IdempotentCreatesReturnTheFirstResult) {
  auto a = CreatePerson(NewPerson("Rosa", "Martínez"), "req-person-1");
  auto b = CreatePerson(NewPerson("Rosa", "Martínez"), "req-person-1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->name(), b->name());
  auto other = CreatePerson(NewPerson("Rosa", "Martín"), "req-person-1");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolation(other.status(), "request_id"));

  // Concurrent retries of one CreateCase make exactly one case.
  std::vector<std::string> names(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto c = CreateCase(NewCase(a->name()), "req-case-1");
      ASSERT_TRUE(c.ok()) << c.status();
      names[i] = c->name();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 1u);
  EXPECT_EQ(CountCases(), 1);

  v1::AddActionRequest add;
  add.set_parent(names[0]);
  add.set_request_id("req-action-1");
  auto* action = add.mutable_action();
  action->set_type(v1::ACTION_TYPE_DETENTION_VISIT);
  action->set_officer("ofc-0042");
  *action->mutable_occur_time() = ToProtoTime(absl::Now() - absl::Hours(2));
  action->set_outcome(v1::ACTION_OUTCOME_COMPLETED);
  v1::Action a1, a2;
  ASSERT_TRUE(cases_->AddAction(Ctx().get(), add, &a1).ok());
  ASSERT_TRUE(cases_->AddAction(Ctx().get(), add, &a2).ok());
  EXPECT_EQ(a1.name(), a2.name());
}

TEST_F(CasesApiTest, ConcurrentUpdatesExactlyOneWins) {
  auto p = CreatePerson(NewPerson("Lucía", "Gómez"));
  ASSERT_TRUE(p.ok());
  auto c = CreateCase(NewCase(p->name()));
  ASSERT_TRUE(c.ok());
  for (int round = 0; round < 20; ++round) {
    v1::GetCaseRequest get;
    get.set_name(c->name());
    v1::Case current;
    ASSERT_TRUE(cases_->GetCase(Ctx().get(), get, &current).ok());
    std::atomic<int> ok{0}, aborted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        v1::UpdateCaseRequest upd;
        *upd.mutable_case_() = current;
        upd.mutable_case_()->set_place(absl::StrCat("Adelanto ", round, "-", i));
        upd.mutable_update_mask()->add_paths("place");
        v1::Case out;
        grpc::Status s = cases_->UpdateCase(Ctx().get(), upd, &out);
        if (s.ok()) ++ok;
        if (s.error_code() == grpc::ABORTED) ++aborted;
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(ok.load(), 1) << "round " << round;
    ASSERT_EQ(aborted.load(), 3) << "round " << round;
  }
}

TEST_F(CasesApiTest, CaseLifecycleAndClosedCaseRefusesActions) {
  auto p = CreatePerson(NewPerson("Carmen", "Ruíz"));
  ASSERT_TRUE(p.ok());
  auto c = CreateCase(NewCase(p->name()));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->status(), v1::STATUS_OPEN);
  EXPECT_EQ(c->created_by(), kOfficer);

  for (int i = 0; i < 3; ++i) {
    v1::AddActionRequest add;
    add.set_parent(c->name());
    auto* a = add.mutable_action();
    a->set_type(i == 0 ? v1::ACTION_TYPE_DETENTION_VISIT : v1::ACTION_TYPE_LEGAL_ORIENTATION);
    a->set_officer("ofc-7");
    *a->mutable_occur_time() = ToProtoTime(absl::Now() - absl::Minutes(30 - i));
    a->set_outcome(v1::ACTION_OUTCOME_COMPLETED);
    a->set_note("Visita en el centro de detención.");
    v1::Action out;
    ASSERT_TRUE(cases_->AddAction(Ctx().get(), add, &out).ok());
    EXPECT_EQ(out.post(), "MX-LAX");
    EXPECT_EQ(out.name(), absl::StrCat(c->name(), "/actions/0000000", i + 1));
  }
  v1::ListActionsRequest list;
  list.set_parent(c->name());
  list.set_page_size(2);
  v1::ListActionsResponse actions;
  ASSERT_TRUE(cases_->ListActions(Ctx().get(), list, &actions).ok());
  ASSERT_EQ(actions.actions_size(), 2);
  EXPECT_EQ(actions.actions(0).type(), v1::ACTION_TYPE_DETENTION_VISIT);
  list.set_page_token(actions.next_page_token());
  ASSERT_TRUE(cases_->ListActions(Ctx().get(), list, &actions).ok());
  EXPECT_EQ(actions.actions_size(), 1);
  EXPECT_TRUE(actions.next_page_token().empty());

  v1::CloseCaseRequest close;
  close.set_name(c->name());
  v1::Case closed;
  auto no_resolution = FromGrpcStatus(cases_->CloseCase(Ctx().get(), close, &closed));
  EXPECT_TRUE(HasViolation(no_resolution, "resolution")) << no_resolution;
  close.set_resolution(v1::RESOLUTION_OTHER);
  EXPECT_TRUE(HasViolation(FromGrpcStatus(cases_->CloseCase(Ctx().get(), close, &closed)),
                           "resolution_note"));
  close.set_resolution(v1::RESOLUTION_RESOLVED);
  close.set_resolution_note("Liberada y orientada.");
  ASSERT_TRUE(cases_->CloseCase(Ctx().get(), close, &closed).ok());
  EXPECT_EQ(closed.status(), v1::STATUS_CLOSED);
  EXPECT_TRUE(closed.has_close_time());
  EXPECT_EQ(cases_->CloseCase(Ctx().get(), close, &closed).error_code(),
            grpc::FAILED_PRECONDITION);

  v1::AddActionRequest add;
  add.set_parent(c->name());
  add.mutable_action()->set_type(v1::ACTION_TYPE_PHONE_CALL);
  add.mutable_action()->set_officer("ofc-7");
  *add.mutable_action()->mutable_occur_time() = ToProtoTime(absl::Now());
  add.mutable_action()->set_outcome(v1::ACTION_OUTCOME_COMPLETED);
  v1::Action out;
  EXPECT_EQ(cases_->AddAction(Ctx().get(), add, &out).error_code(), grpc::FAILED_PRECONDITION);

  v1::UpdateCaseRequest upd;
  *upd.mutable_case_() = closed;
  upd.mutable_update_mask()->add_paths("risk");
  v1::Case ignored;
  EXPECT_EQ(cases_->UpdateCase(Ctx().get(), upd, &ignored).error_code(),
            grpc::FAILED_PRECONDITION);

  // Status filter sees the change.
  v1::ListCasesRequest req;
  req.set_status(v1::STATUS_CLOSED);
  auto r = List(req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->cases_size(), 1);
  req.set_status(v1::STATUS_OPEN);
  r = List(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cases_size(), 0);
}

TEST_F(CasesApiTest, InvalidInputNamesTheFieldAndStoresNothing) {
  auto p = CreatePerson(NewPerson("Marta", "Díaz"));
  ASSERT_TRUE(p.ok());
  struct Bad {
    std::function<void(v1::Case&)> mutate;
    std::string field;
  };
  std::vector<Bad> bad = {
      {[](v1::Case& c) { c.set_post("MX-NOPE"); }, "case.post"},
      {[](v1::Case& c) { c.clear_post(); }, "case.post"},
      {[](v1::Case& c) { c.set_host_country("USA"); }, "case.host_country"},
      {[](v1::Case& c) { c.clear_place(); }, "case.place"},
      {[](v1::Case& c) { c.set_category(v1::CATEGORY_UNSPECIFIED); }, "case.category"},
      {[](v1::Case& c) { c.set_subtype(v1::SUBTYPE_UNPAID_WAGES); }, "case.subtype"},
      {[](v1::Case& c) { c.set_status(v1::STATUS_CLOSED); }, "case.status"},
      {[](v1::Case& c) { c.set_legal_basis(v1::LEGAL_BASIS_UNSPECIFIED); }, "case.legal_basis"},
      {[](v1::Case& c) { c.set_legal_basis(v1::LEGAL_BASIS_CONSENT); }, "case.consent"},
      {[](v1::Case& c) { c.set_summary(std::string(2001, 'x')); }, "case.summary"},
      {[](v1::Case& c) { c.set_person("countries/MX/persons/bad"); }, "case.person"},
      {[](v1::Case& c) { c.set_person("countries/GT/persons/00000000000000000000"); },
       "case.person"},
      {[](v1::Case& c) { c.set_risk(static_cast<v1::Risk>(77)); }, "case.risk"},
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    v1::Case c = NewCase(p->name());
    bad[i].mutate(c);
    auto r = CreateCase(c);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << i << r.status();
    EXPECT_TRUE(HasViolation(r.status(), bad[i].field)) << i << ": " << r.status();
  }
  // A well-formed reference to a person that does not exist.
  auto missing = CreateCase(NewCase("countries/MX/persons/00000000000000000000"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  v1::CreateCaseRequest wrong_parent;
  wrong_parent.set_parent("countries/GT");
  *wrong_parent.mutable_case_() = NewCase(p->name());
  v1::Case out;
  EXPECT_TRUE(HasViolation(FromGrpcStatus(cases_->CreateCase(Ctx().get(), wrong_parent, &out)),
                           "parent"));
  auto bad_person = CreatePerson(NewPerson("", ""));
  EXPECT_TRUE(HasViolation(bad_person.status(), "person.given_names"));
  EXPECT_EQ(CountCases(), 0);
  v1::SearchPersonsRequest s;
  s.set_parent("countries/MX");
  s.set_name_query("marta");
  v1::SearchPersonsResponse sr;
  ASSERT_TRUE(persons_->SearchPersons(Ctx().get(), s, &sr).ok());
  EXPECT_EQ(sr.persons_size(), 1);  // only the valid one

  // Bad list arguments.
  v1::ListCasesRequest l;
  l.set_page_size(-1);
  EXPECT_TRUE(HasViolation(List(l).status(), "page_size"));
  l.set_page_size(10);
  l.set_post("MX-NOPE");
  EXPECT_TRUE(HasViolation(List(l).status(), "post"));
  l.clear_post();
  *l.mutable_open_time_start() = ToProtoTime(absl::Now());
  *l.mutable_open_time_end() = ToProtoTime(absl::Now() - absl::Hours(1));
  EXPECT_TRUE(HasViolation(List(l).status(), "open_time_end"));
  // Update mask rules.
  auto c = CreateCase(NewCase(p->name()));
  ASSERT_TRUE(c.ok());
  v1::UpdateCaseRequest upd;
  *upd.mutable_case_() = *c;
  upd.mutable_update_mask()->add_paths("created_by");
  EXPECT_TRUE(HasViolation(FromGrpcStatus(cases_->UpdateCase(Ctx().get(), upd, &out)),
                           "update_mask"));
  upd.mutable_update_mask()->Clear();
  upd.mutable_update_mask()->add_paths("subtype");
  upd.mutable_case_()->set_subtype(v1::SUBTYPE_TRAFFICKING);
  EXPECT_TRUE(HasViolation(FromGrpcStatus(cases_->UpdateCase(Ctx().get(), upd, &out)),
                           "case.subtype"));
  v1::GetCaseRequest get;
  get.set_name(c->name());
  ASSERT_TRUE(cases_->GetCase(Ctx().get(), get, &out).ok());
  EXPECT_EQ(out.etag(), c->etag());  // nothing changed
}

TEST_F(CasesApiTest, ListFiltersAndPaginationWithConcurrentInserts) {
  auto p1 = CreatePerson(NewPerson("Pedro", "Sánchez"));
  auto p2 = CreatePerson(NewPerson("Juana", "Cruz"));
  ASSERT_TRUE(p1.ok() && p2.ok());
  std::set<std::string> before;
  const absl::Time t0 = absl::Now();
  for (int i = 0; i < 150; ++i) {
    v1::Case c = NewCase(i % 3 == 0 ? p2->name() : p1->name(), i % 2 ? "MX-LAX" : "MX-CHI");
    if (i % 5 == 0) {
      c.set_category(v1::CATEGORY_LABOUR);
      c.set_subtype(v1::SUBTYPE_UNPAID_WAGES);
    }
    auto r = CreateCase(c);
    ASSERT_TRUE(r.ok()) << r.status();
    before.insert(r->name());
  }
  const absl::Time t1 = absl::Now();

  std::atomic<bool> stop{false};
  std::thread inserter([&] {
    for (int i = 0; i < 60 && !stop; ++i) ASSERT_TRUE(CreateCase(NewCase(p1->name())).ok());
  });
  std::set<std::string> seen;
  v1::ListCasesRequest req;
  req.set_page_size(17);
  int pages = 0;
  absl::Time previous = absl::InfiniteFuture();
  while (true) {
    auto r = List(req);
    ASSERT_TRUE(r.ok()) << r.status();
    ++pages;
    for (const auto& c : r->cases()) {
      EXPECT_TRUE(seen.insert(c.name()).second) << "duplicate " << c.name();
      absl::Time t = enlace::FromProtoTime(c.create_time());
      EXPECT_LE(t, previous);  // newest first
      previous = t;
    }
    if (r->next_page_token().empty()) break;
    req.set_page_token(r->next_page_token());
  }
  stop = true;
  inserter.join();
  EXPECT_GT(pages, 8);
  for (const auto& n : before) EXPECT_TRUE(seen.count(n)) << "missed " << n;

  // Filters, alone and combined, against a brute-force count.
  auto count = [&](v1::ListCasesRequest r) {
    r.set_page_size(7);
    int n = 0;
    while (true) {
      auto page = List(r);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return -1;
      n += page->cases_size();
      if (page->next_page_token().empty()) return n;
      r.set_page_token(page->next_page_token());
    }
  };
  v1::ListCasesRequest f;
  f.set_post("MX-CHI");
  EXPECT_EQ(count(f), 75);
  f.set_category(v1::CATEGORY_LABOUR);
  EXPECT_EQ(count(f), 15);
  f.clear_post();
  EXPECT_EQ(count(f), 30);
  f.set_person(p2->name());
  EXPECT_EQ(count(f), 10);  // i % 15 == 0
  f.Clear();
  f.set_person(p2->name());
  EXPECT_EQ(count(f), 50);
  f.Clear();
  *f.mutable_open_time_start() = ToProtoTime(t0);
  *f.mutable_open_time_end() = ToProtoTime(t1);
  EXPECT_EQ(count(f), 150);
  f.set_post("MX-LAX");
  f.set_status(v1::STATUS_OPEN);
  EXPECT_EQ(count(f), 75);

  // A token cannot be reused with other filters, nor forged.
  v1::ListCasesRequest a;
  a.set_post("MX-LAX");
  a.set_page_size(5);
  auto first = List(a);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_page_token().empty());
  v1::ListCasesRequest b;
  b.set_post("MX-CHI");
  b.set_page_token(first->next_page_token());
  EXPECT_TRUE(HasViolation(List(b).status(), "page_token"));
  std::string forged = first->next_page_token();
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  a.set_page_token(forged);
  EXPECT_TRUE(HasViolation(List(a).status(), "page_token"));
}

TEST_F(CasesApiTest, SearchIgnoresCaseAndAccents) {
  auto jose = CreatePerson(NewPerson("José", "Pérez", "P-111"));
  auto josefina = CreatePerson(NewPerson("Josefina", "Pereira Núñez"));
  auto other = CreatePerson(NewPerson("María José", "Pérez Pérez"));
  ASSERT_TRUE(jose.ok() && josefina.ok() && other.ok());
  ASSERT_TRUE(CreatePerson(NewPerson("John", "Smith")).ok());
  auto search = [&](const std::string& q, const std::string& birth = "") {
    std::set<std::string> names;
    v1::SearchPersonsRequest s;
    s.set_parent("countries/MX");
    s.set_name_query(q);
    s.set_birth_date(birth);
    s.set_page_size(1);  // forces several pages
    while (true) {
      v1::SearchPersonsResponse r;
      grpc::Status st = persons_->SearchPersons(Ctx().get(), s, &r);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const auto& p : r.persons()) EXPECT_TRUE(names.insert(p.name()).second);
      if (r.next_page_token().empty()) break;
      s.set_page_token(r.next_page_token());
    }
    return names;
  };
  EXPECT_EQ(search("jose perez"), (std::set<std::string>{jose->name(), other->name()}));
  EXPECT_EQ(search("JOSÉ PÉREZ"), (std::set<std::string>{jose->name(), other->name()}));
  EXPECT_EQ(search("jos per"),
            (std::set<std::string>{jose->name(), josefina->name(), other->name()}));
  EXPECT_EQ(search("nunez"), (std::set<std::string>{josefina->name()}));
  EXPECT_EQ(search("perez", "1988"), (std::set<std::string>{jose->name(), other->name()}));
  EXPECT_TRUE(search("perez", "1990").empty());
  EXPECT_TRUE(search("zzz").empty());

  v1::SearchPersonsRequest byDoc;
  byDoc.set_parent("countries/MX");
  byDoc.mutable_document()->set_type(v1::DOCUMENT_TYPE_PASSPORT);
  byDoc.mutable_document()->set_number("p111");
  byDoc.mutable_document()->set_issuing_country("MX");
  v1::SearchPersonsResponse r;
  ASSERT_TRUE(persons_->SearchPersons(Ctx().get(), byDoc, &r).ok());
  ASSERT_EQ(r.persons_size(), 1);
  EXPECT_EQ(r.persons(0).name(), jose->name());
  byDoc.set_name_query("jose");
  auto both = FromGrpcStatus(persons_->SearchPersons(Ctx().get(), byDoc, &r));
  EXPECT_EQ(both.code(), absl::StatusCode::kInvalidArgument);
  byDoc.clear_name_query();
  byDoc.mutable_document()->set_issuing_country("");
  EXPECT_TRUE(HasViolation(FromGrpcStatus(persons_->SearchPersons(Ctx().get(), byDoc, &r)),
                           "document.issuing_country"));
}

TEST_F(CasesApiTest, ClientsWithoutAValidCertificateAreRefused) {
  v1::GetCaseRequest get;
  get.set_name("countries/MX/cases/00000000000000000000");
  v1::Case out;
  // No client certificate: the TLS handshake fails.
  auto no_cert = v1::CaseService::NewStub(testing::MakeChannel(node_->api_port(), pki_->ca(),
                                                               nullptr));
  EXPECT_EQ(no_cert->GetCase(Ctx().get(), get, &out).error_code(), grpc::UNAVAILABLE);
  // A certificate from another CA.
  auto foreign_ca = pki::MakeCa("Foreign CA", absl::Hours(1));
  ASSERT_TRUE(foreign_ca.ok());
  pki::IssueOptions o;
  o.common_name = "intruder";
  o.uris = {kOfficer};
  o.client = true;
  auto foreign = pki::IssueCert(*foreign_ca, o);
  ASSERT_TRUE(foreign.ok());
  auto intruder = v1::CaseService::NewStub(
      testing::MakeChannel(node_->api_port(), pki_->ca(), &*foreign));
  EXPECT_EQ(intruder->GetCase(Ctx().get(), get, &out).error_code(), grpc::UNAVAILABLE);
  // A certificate of the right CA but with no identity.
  auto anonymous = pki_->Client("");
  ASSERT_TRUE(anonymous.ok());
  auto anon = v1::CaseService::NewStub(
      testing::MakeChannel(node_->api_port(), pki_->ca(), &*anonymous));
  EXPECT_EQ(anon->GetCase(Ctx().get(), get, &out).error_code(), grpc::PERMISSION_DENIED);
  // And the officer gets through to NOT_FOUND.
  EXPECT_EQ(cases_->GetCase(Ctx().get(), get, &out).error_code(), grpc::NOT_FOUND);
}

TEST_F(CasesApiTest, DataSurvivesRestartAndIndexesAgree) {
  auto p = CreatePerson(NewPerson("Inés", "Ramírez", "R-9"));
  ASSERT_TRUE(p.ok());
  auto c = CreateCase(NewCase(p->name()));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  node_.reset();
  auto again = node::Node::Start(testing::TestNodeConfig(dir_, "MX"));
  ASSERT_TRUE(again.ok()) << again.status();
  node_ = *std::move(again);
  auto problems = node_->registry()->CheckConsistency();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << (*problems)[0];
  cases_ = v1::CaseService::NewStub(testing::MakeChannel(node_->api_port(), pki_->ca(), &client_));
  v1::GetCaseRequest get;
  get.set_name(c->name());
  v1::Case out;
  ASSERT_TRUE(cases_->GetCase(Ctx().get(), get, &out).ok());
  EXPECT_EQ(out.etag(), c->etag());
}

// Attack: a client forges the facts only the node records (which notification or transfer
// opened a case, where it was transferred, which action an action was copied from). They are
// output only: dropped, never stored.
TEST_F(CasesApiTest, ClientsCannotForgeTheNodesOwnFacts) {
  auto p = CreatePerson(NewPerson("Inés", "Cojtí"));
  ASSERT_TRUE(p.ok());
  v1::Case forged = NewCase(p->name());
  forged.set_opened_from("countries/US/notifications/06h2t8rxmwxeestfj72e");
  forged.set_transferred_to("countries/GT/cases/06h2t8rxmwxeestfj72e");
  auto c = CreateCase(forged);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->opened_from().empty());
  EXPECT_TRUE(c->transferred_to().empty());
  v1::AddActionRequest add;
  add.set_parent(c->name());
  add.mutable_action()->set_type(v1::ACTION_TYPE_PHONE_CALL);
  add.mutable_action()->set_officer("ofc-7");
  *add.mutable_action()->mutable_occur_time() = ToProtoTime(absl::Now() - absl::Minutes(5));
  add.mutable_action()->set_outcome(v1::ACTION_OUTCOME_COMPLETED);
  add.mutable_action()->set_copied_from("countries/GT/cases/x/actions/00000001");
  v1::Action out;
  ASSERT_TRUE(cases_->AddAction(Ctx().get(), add, &out).ok());
  EXPECT_TRUE(out.copied_from().empty());
}

}  // namespace
}  // namespace enlace
