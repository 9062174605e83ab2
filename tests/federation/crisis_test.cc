// Crises across real node processes: a hurricane declared by Honduras over Cortés reaches every
// member; Mexico and Guatemala see their nationals there as unaccounted; a Guatemalan post
// that meets a Mexican in a shelter tells Mexico, with the time; a refugee's sighting never
// leaves; the lead member's picture adds up to what each member holds; seats offered to
// Guatemala are seen by Guatemala; a node killed during a burst of notes loses and duplicates
// none; bad input changes nothing.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "enlace/crisis/v1/crisis.grpc.pb.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace xv1 = ::enlace::crisis::v1;
namespace cv1 = ::enlace::cases::v1;

class CrisisTest : public FederationFixture {
 protected:
  std::unique_ptr<xv1::CrisisService::Stub> Stub(const std::string& country,
                                                 const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return xv1::CrisisService::NewStub(MakeChannel(m.api_port, m.pki->ca(), &*cert));
  }
  std::unique_ptr<xv1::CrisisService::Stub> Supervisor(const std::string& country) {
    return Stub(country, "role/supervisor/user/guardia");
  }

  static xv1::DeclareCrisisRequest Hurricane(const std::string& title = "Huracán Sara") {
    xv1::DeclareCrisisRequest req;
    req.set_parent("countries/HN");
    auto* c = req.mutable_crisis();
    c->set_type(xv1::CRISIS_TYPE_HURRICANE);
    c->set_title(title);
    c->set_host_country("HN");
    c->add_areas("HN-CR");
    c->add_areas("HN-AT");
    c->set_phase(xv1::PHASE_ACTIVE);
    c->set_hotline("+504 2236 0000");
    auto* m = c->add_measures();
    m->set_member("MX");
    m->set_description("visa humanitaria para desplazados");
    return req;
  }

  // Registers `n` nationals of `country` in HN-CR (documents "{country}-{i}").
  std::vector<std::string> Register(xv1::CrisisService::Stub& stub, const std::string& country,
                                    int n, const std::string& post) {
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) {
      xv1::CreateRegistrationRequest req;
      req.set_parent("countries/" + country);
      req.set_request_id(absl::StrCat("reg-", i));
      auto* r = req.mutable_registration();
      r->set_given_names(absl::StrCat("Persona ", i));
      r->set_family_names(country == "MX" ? "Hernández" : "Tzul");
      r->set_birth_date(i == 0 ? "2012-05-01" : "1985");
      auto* d = r->add_documents();
      d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
      d->set_number(absl::StrCat(country, "-", i));
      d->set_issuing_country(country);
      r->set_host_country("HN");
      r->set_area("HN-CR");
      r->set_post(post);
      r->set_phone("+504 9999 0000");
      xv1::Registration out;
      grpc::Status s = stub.CreateRegistration(Deadline().get(), req, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      names.push_back(out.name());
    }
    return names;
  }

  std::string WaitForCrisis(const std::string& country, xv1::CrisisService::Stub& stub,
                            const std::string& title) {
    std::string name;
    WaitFor(
        [&] {
          xv1::ListCrisesResponse list;
          if (!stub.ListCrises(Deadline().get(), xv1::ListCrisesRequest(), &list).ok()) {
            return false;
          }
          for (const auto& c : list.crises()) {
            if (c.title() == title) name = c.name();
          }
          return !name.empty();
        },
        absl::Seconds(60));
    return name;
  }

  std::vector<xv1::AccountingEntry> Worklist(xv1::CrisisService::Stub& stub,
                                             const std::string& crisis,
                                             std::vector<xv1::WelfareStatus> statuses = {}) {
    xv1::ListWorklistRequest req;
    req.set_crisis(crisis);
    for (auto s : statuses) req.add_statuses(s);
    req.set_page_size(1000);
    xv1::ListWorklistResponse out;
    if (!stub.ListWorklist(Deadline().get(), req, &out).ok()) return {};
    return {out.entries().begin(), out.entries().end()};
  }

  xv1::Board Board(xv1::CrisisService::Stub& stub, const std::string& crisis) {
    xv1::GetBoardRequest req;
    req.set_crisis(crisis);
    xv1::Board out;
    EXPECT_TRUE(stub.GetBoard(Deadline().get(), req, &out).ok());
    return out;
  }

  static xv1::RecordWelfareNoteRequest Note(const std::string& crisis, const std::string& subject,
                                            xv1::WelfareStatus status,
                                            const std::string& request_id = "") {
    xv1::RecordWelfareNoteRequest req;
    req.set_request_id(request_id);
    auto* n = req.mutable_note();
    n->set_crisis(crisis);
    n->set_subject(subject);
    n->set_status(status);
    n->set_source(xv1::NOTE_SOURCE_FAMILY_INQUIRY);
    n->set_last_known_area("HN-CR");
    *n->mutable_observe_time() = ToProtoTime(absl::Now() - absl::Minutes(10));
    return req;
  }

  uint64_t QueuedFor(const std::string& from, const std::string& to) {
    const auto status = Status(from);
    for (const auto& p : status.peers()) {
      if (p.country() == to) return p.last_seq_queued();
    }
    return 0;
  }
};

TEST_F(CrisisTest, HurricaneInCortesIsAccountedForAcrossMembers) {
  Init({"HN", "MX", "GT"}, {"HN", "MX", "GT"});
  for (const char* c : {"HN", "MX", "GT"}) StartNode(c);
  auto hn = Supervisor("HN");
  auto mx = Supervisor("MX");
  auto gt = Supervisor("GT");
  // Nationals enrolled before the hurricane.
  const auto mexicans = Register(*mx, "MX", 7, "MX-GUA");
  const auto guatemalans = Register(*gt, "GT", 3, "GT-GUA");

  xv1::Crisis declared;
  ASSERT_TRUE(hn->DeclareCrisis(Deadline().get(), Hurricane(), &declared).ok());
  EXPECT_EQ(declared.lead_member(), "HN");
  const std::string crisis = declared.name();
  // It reaches every member, and each sees its own nationals there as unaccounted.
  ASSERT_EQ(WaitForCrisis("MX", *mx, "Huracán Sara"), crisis);
  ASSERT_EQ(WaitForCrisis("GT", *gt, "Huracán Sara"), crisis);
  ASSERT_TRUE(WaitFor([&] { return Worklist(*mx, crisis).size() == 7; }, absl::Seconds(60)));
  ASSERT_TRUE(WaitFor([&] { return Worklist(*gt, crisis).size() == 3; }, absl::Seconds(60)));
  auto mx_list = Worklist(*mx, crisis);
  EXPECT_EQ(mx_list[0].risk(), 0) << "the child comes first";
  EXPECT_EQ(mx_list[0].display_name(), "Persona 0 Hernández");
  for (const auto& e : mx_list) EXPECT_EQ(e.status(), xv1::WELFARE_STATUS_UNACCOUNTED);

  // A Guatemalan post meets a Mexican national in a shelter at 09:40.
  auto gt_officer = Stub("GT", "role/officer/post/GT-GUA/user/consul");
  const absl::Time seen = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) - 3600);
  xv1::SendSightingRequest sighting;
  sighting.set_parent("countries/GT");
  sighting.set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  sighting.set_request_id("albergue-1");
  auto* s = sighting.mutable_sighting();
  s->set_crisis(crisis);
  s->set_nationality("MX");
  s->set_given_names("Persona 3");
  s->set_family_names("Hernández");
  s->set_birth_year(1985);
  s->mutable_document()->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
  s->mutable_document()->set_number("MX-3");
  s->mutable_document()->set_issuing_country("MX");
  s->set_area("HN-CR");
  s->set_status(xv1::WELFARE_STATUS_CONTACTED_SAFE);
  s->set_needs("agua, medicamento para la presión");
  s->set_contact_made(true);
  *s->mutable_observe_time() = ToProtoTime(seen);
  xv1::SendSightingResponse sent;
  ASSERT_TRUE(gt_officer->SendSighting(Deadline().get(), sighting, &sent).ok());
  EXPECT_EQ(sent.sent_to(), "MX");
  // Mexico gets the welfare note on its registration, with the time it was seen.
  ASSERT_TRUE(WaitFor(
      [&] { return Worklist(*mx, crisis, {xv1::WELFARE_STATUS_CONTACTED_SAFE}).size() == 1; },
      absl::Seconds(60)));
  const auto safe = Worklist(*mx, crisis, {xv1::WELFARE_STATUS_CONTACTED_SAFE})[0];
  EXPECT_EQ(safe.subject(), mexicans[3]);
  xv1::ListWelfareNotesRequest lr;
  lr.set_crisis(crisis);
  lr.set_subject(mexicans[3]);
  xv1::ListWelfareNotesResponse notes;
  ASSERT_TRUE(mx->ListWelfareNotes(Deadline().get(), lr, &notes).ok());
  ASSERT_EQ(notes.notes_size(), 1);
  EXPECT_EQ(notes.notes(0).from_member(), "GT");
  EXPECT_EQ(notes.notes(0).source(), xv1::NOTE_SOURCE_ANOTHER_MEMBER);
  EXPECT_EQ(FromProtoTime(notes.notes(0).observe_time()), seen);
  EXPECT_EQ(notes.notes(0).details(), "agua, medicamento para la presión");

  // A refugee's sighting is refused and nothing leaves Guatemala.
  const uint64_t queued = QueuedFor("GT", "MX");
  sighting.set_request_id("albergue-2");
  sighting.set_international_protection(cv1::INTERNATIONAL_PROTECTION_REFUGEE);
  grpc::Status refused = gt_officer->SendSighting(Deadline().get(), sighting, &sent);
  EXPECT_EQ(refused.error_code(), grpc::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_EQ(QueuedFor("GT", "MX"), queued) << "a refugee's whereabouts left for their state";

  // The lead member's picture adds up to what each member holds (small cells withheld).
  ASSERT_TRUE(WaitFor(
      [&] {
        xv1::GetRegionalPictureRequest pr;
        pr.set_crisis(crisis);
        xv1::RegionalPicture picture;
        if (!hn->GetRegionalPicture(Deadline().get(), pr, &picture).ok()) return false;
        std::map<std::string, std::map<int, std::pair<int64_t, bool>>> got;
        for (const auto& c : picture.cells())
          got[c.member()][c.status()] = {c.count(), c.withheld()};
        for (const char* member : {"MX", "GT"}) {
          auto stub = Supervisor(member);
          const xv1::Board b = Board(*stub, crisis);
          if (got[member].size() != static_cast<size_t>(b.by_status_size())) return false;
          for (const auto& sc : b.by_status()) {
            const auto& cell = got[member][sc.status()];
            if (sc.count() < 5 ? !cell.second : cell.first != sc.count()) return false;
          }
        }
        return got["MX"][xv1::WELFARE_STATUS_UNACCOUNTED].first == 6 &&
               got["MX"][xv1::WELFARE_STATUS_CONTACTED_SAFE].second &&
               got["GT"][xv1::WELFARE_STATUS_UNACCOUNTED].second;
      },
      absl::Seconds(60)));

  // An evacuation flight with seats offered to Guatemalans is seen by Guatemala.
  xv1::PublishMovementRequest mv;
  mv.set_parent("countries/HN");
  mv.set_request_id("vuelo-1");
  auto* m = mv.mutable_movement();
  m->set_crisis(crisis);
  m->set_mode(xv1::TRANSPORT_MODE_AIR);
  m->set_from_place("Aeropuerto Ramón Villeda Morales, San Pedro Sula");
  m->set_to_place("Aeropuerto Toncontín, Tegucigalpa");
  *m->mutable_depart_time() = ToProtoTime(absl::Now() + absl::Hours(6));
  m->set_seats(180);
  auto* offer = m->add_offered();
  offer->set_member("GT");
  offer->set_seats(40);
  auto* pax = m->add_passengers();
  pax->set_nationality("HN");
  pax->set_passengers(120);
  xv1::Movement published;
  ASSERT_TRUE(hn->PublishMovement(Deadline().get(), mv, &published).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        xv1::ListMovementsRequest lm;
        lm.set_crisis(crisis);
        lm.set_offered_to("GT");
        xv1::ListMovementsResponse out;
        return gt->ListMovements(Deadline().get(), lm, &out).ok() && out.movements_size() == 1 &&
               out.movements(0).offered(0).seats() == 40;
      },
      absl::Seconds(60)));
}

TEST_F(CrisisTest, BadInputGetsAClearErrorAndStoresNothing) {
  Init({"HN", "MX", "GT"}, {"HN", "MX", "GT"});
  for (const char* c : {"HN", "MX", "GT"}) StartNode(c);
  auto hn = Supervisor("HN");
  auto mx = Supervisor("MX");
  auto gt = Supervisor("GT");
  const auto mexicans = Register(*mx, "MX", 2, "MX-GUA");
  xv1::Crisis declared;
  // An area that is not in the host country.
  auto bad = Hurricane();
  bad.mutable_crisis()->add_areas("GT-QC");
  grpc::Status s = hn->DeclareCrisis(Deadline().get(), bad, &declared);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("crisis.areas[2]"), std::string::npos) << s.error_message();
  ASSERT_TRUE(hn->DeclareCrisis(Deadline().get(), Hurricane(), &declared).ok());
  const std::string crisis = declared.name();
  ASSERT_EQ(WaitForCrisis("MX", *mx, "Huracán Sara"), crisis);
  ASSERT_TRUE(WaitFor([&] { return Worklist(*mx, crisis).size() == 2; }, absl::Seconds(60)));

  xv1::AccountingEntry e;
  // An area the crisis does not cover.
  auto note = Note(crisis, mexicans[0], xv1::WELFARE_STATUS_CONTACTED_SAFE);
  note.mutable_note()->set_last_known_area("HN-FM");
  s = mx->RecordWelfareNote(Deadline().get(), note, &e);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("note.last_known_area"), std::string::npos);
  // A transition that makes no sense: safe after a confirmed death.
  ASSERT_TRUE(
      mx->RecordWelfareNote(Deadline().get(),
                            Note(crisis, mexicans[1], xv1::WELFARE_STATUS_DECEASED_CONFIRMED), &e)
          .ok());
  s = mx->RecordWelfareNote(Deadline().get(),
                            Note(crisis, mexicans[1], xv1::WELFARE_STATUS_CONTACTED_SAFE), &e);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << s.error_message();
  // A sighting of the sender's own national.
  xv1::SendSightingRequest own;
  own.set_parent("countries/GT");
  own.set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  auto* sg = own.mutable_sighting();
  sg->set_crisis(crisis);
  sg->set_nationality("GT");
  sg->set_given_names("Ana");
  sg->set_family_names("Tzul");
  sg->set_area("HN-CR");
  sg->set_status(xv1::WELFARE_STATUS_CONTACTED_SAFE);
  *sg->mutable_observe_time() = ToProtoTime(absl::Now());
  xv1::SendSightingResponse sent;
  ASSERT_TRUE(WaitForCrisis("GT", *gt, "Huracán Sara") == crisis);
  s = gt->SendSighting(Deadline().get(), own, &sent);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("sighting.nationality"), std::string::npos);
  // Notes for a crisis that is closed.
  xv1::GetCrisisRequest get;
  get.set_name(crisis);
  xv1::Crisis current;
  ASSERT_TRUE(hn->GetCrisis(Deadline().get(), get, &current).ok());
  xv1::UpdateCrisisRequest close;
  *close.mutable_crisis() = current;
  close.mutable_crisis()->set_phase(xv1::PHASE_CLOSED);
  close.mutable_update_mask()->add_paths("phase");
  ASSERT_TRUE(hn->UpdateCrisis(Deadline().get(), close, &current).ok());
  // ... and a phase that goes back.
  *close.mutable_crisis() = current;
  close.mutable_crisis()->set_phase(xv1::PHASE_ACTIVE);
  EXPECT_EQ(hn->UpdateCrisis(Deadline().get(), close, &current).error_code(),
            grpc::FAILED_PRECONDITION);
  ASSERT_TRUE(WaitFor(
      [&] {
        xv1::Crisis c;
        return mx->GetCrisis(Deadline().get(), get, &c).ok() && c.phase() == xv1::PHASE_CLOSED;
      },
      absl::Seconds(60)));
  s = mx->RecordWelfareNote(Deadline().get(),
                            Note(crisis, mexicans[0], xv1::WELFARE_STATUS_BELIEVED_SAFE), &e);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << s.error_message();
  // Nothing of the refused notes was stored.
  const xv1::Board b = Board(*mx, crisis);
  EXPECT_EQ(b.total(), 2);
  int unaccounted = 0, deceased = 0;
  for (const auto& c : b.by_status()) {
    if (c.status() == xv1::WELFARE_STATUS_UNACCOUNTED) unaccounted = c.count();
    if (c.status() == xv1::WELFARE_STATUS_DECEASED_CONFIRMED) deceased = c.count();
  }
  EXPECT_EQ(unaccounted, 1);
  EXPECT_EQ(deceased, 1);
  xv1::ListWelfareNotesRequest lr;
  lr.set_crisis(crisis);
  lr.set_subject(mexicans[0]);
  xv1::ListWelfareNotesResponse notes;
  ASSERT_TRUE(mx->ListWelfareNotes(Deadline().get(), lr, &notes).ok());
  EXPECT_EQ(notes.notes_size(), 0);
}

// Notes streamed by several callers while the node is SIGKILLed: every note acknowledged
// before the kill is there after the restart, and re-sending every note (same request ids)
// records none twice.
TEST_F(CrisisTest, KilledDuringABurstOfNotesLosesAndDuplicatesNothing) {
  Init({"HN", "MX"}, {"HN", "MX"});
  StartNode("HN");
  StartNode("MX");
  auto hn = Supervisor("HN");
  auto mx = Supervisor("MX");
  const auto mexicans = Register(*mx, "MX", 40, "MX-GUA");
  xv1::Crisis declared;
  ASSERT_TRUE(hn->DeclareCrisis(Deadline().get(), Hurricane(), &declared).ok());
  const std::string crisis = declared.name();
  ASSERT_EQ(WaitForCrisis("MX", *mx, "Huracán Sara"), crisis);
  ASSERT_TRUE(WaitFor([&] { return Worklist(*mx, crisis).size() == 40; }, absl::Seconds(60)));

  constexpr int kThreads = 4;
  constexpr int kRounds = 10;  // notes per person: 400 in all
  auto note_for = [&](int i, int round) {
    return Note(
        crisis, mexicans[i],
        round % 2 == 0 ? xv1::WELFARE_STATUS_BELIEVED_SAFE : xv1::WELFARE_STATUS_CONTACTED_SAFE,
        absl::StrCat("burst-", i, "-", round));
  };
  std::atomic<int> acked{0};
  std::vector<std::map<int, int>> acked_by(kThreads);  // person -> notes acknowledged
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto stub = Supervisor("MX");
      for (int round = 0; round < kRounds; ++round) {
        for (int i = t; i < 40; i += kThreads) {
          xv1::AccountingEntry e;
          if (!stub->RecordWelfareNote(Deadline(absl::Seconds(5)).get(), note_for(i, round), &e)
                   .ok()) {
            return;  // the node is gone
          }
          ++acked_by[t][i];
          ++acked;
        }
      }
    });
  }
  // Kill once part of the burst is acknowledged (sync on progress, not on time).
  WaitFor([&] { return acked.load() >= 40; }, absl::Seconds(30));
  ASSERT_EQ(StopNode("MX", SIGKILL), 128 + SIGKILL);
  for (auto& th : threads) th.join();
  std::cout << acked.load() << " of " << 40 * kRounds << " notes acknowledged before SIGKILL\n";
  StartNode("MX");
  mx = Supervisor("MX");
  auto notes_of = [&](int i) {
    xv1::ListWelfareNotesRequest lr;
    lr.set_crisis(crisis);
    lr.set_subject(mexicans[i]);
    xv1::ListWelfareNotesResponse notes;
    EXPECT_TRUE(mx->ListWelfareNotes(Deadline().get(), lr, &notes).ok());
    return notes.notes_size();
  };
  // Every acknowledged note survived the kill.
  for (const auto& by_person : acked_by) {
    for (const auto& [i, n] : by_person) EXPECT_GE(notes_of(i), n) << mexicans[i];
  }
  // Clients retry everything; nothing is recorded twice.
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < 40; ++i) {
      xv1::AccountingEntry e;
      ASSERT_TRUE(mx->RecordWelfareNote(Deadline().get(), note_for(i, round), &e).ok());
    }
  }
  for (int i = 0; i < 40; ++i) EXPECT_EQ(notes_of(i), kRounds) << mexicans[i];
  const xv1::Board b = Board(*mx, crisis);
  EXPECT_EQ(b.total(), 40);
  EXPECT_EQ(b.accounted_for(), 40);
}

// Mexico has no post in Atlántida: it asks Guatemala to act for its nationals there; both
// keep the request, only Guatemala answers, and Mexico sees what was done.
TEST_F(CrisisTest, AMemberActsForAnothersNationalsWhereItHasNoPost) {
  Init({"HN", "MX", "GT"}, {"HN", "MX", "GT"});
  for (const char* c : {"HN", "MX", "GT"}) StartNode(c);
  auto hn = Supervisor("HN");
  auto mx = Supervisor("MX");
  auto gt = Supervisor("GT");
  xv1::Crisis declared;
  ASSERT_TRUE(hn->DeclareCrisis(Deadline().get(), Hurricane(), &declared).ok());
  const std::string crisis = declared.name();
  ASSERT_EQ(WaitForCrisis("MX", *mx, "Huracán Sara"), crisis);
  ASSERT_EQ(WaitForCrisis("GT", *gt, "Huracán Sara"), crisis);

  xv1::RequestAssistanceRequest ask;
  ask.set_parent("countries/MX");
  ask.set_request_id("atlantida-1");
  auto* a = ask.mutable_assistance();
  a->set_crisis(crisis);
  a->set_to_country("GT");
  a->set_area("HN-AT");
  a->set_nationals(12);
  a->set_request("Visitar los albergues de La Ceiba; 12 connacionales registrados");
  xv1::AssistanceRequest asked;
  ASSERT_TRUE(mx->RequestAssistance(Deadline().get(), ask, &asked).ok());
  EXPECT_EQ(asked.state(), xv1::ASSISTANCE_STATE_REQUESTED);
  auto incoming = [&](xv1::CrisisService::Stub& stub) {
    xv1::ListAssistanceRequest req;
    req.set_incoming(true);
    xv1::ListAssistanceResponse out;
    if (!stub.ListAssistance(Deadline().get(), req, &out).ok())
      return xv1::ListAssistanceResponse();
    return out;
  };
  ASSERT_TRUE(WaitFor([&] { return incoming(*gt).requests_size() == 1; }, absl::Seconds(30)));
  EXPECT_EQ(incoming(*gt).requests(0).request(), asked.request());
  // Only the member asked to act answers.
  xv1::RespondToAssistanceRequest answer;
  answer.set_name(asked.name());
  answer.set_state(xv1::ASSISTANCE_STATE_ACCEPTED);
  answer.set_post("GT-GUA");
  answer.set_note("Aceptado: la sección consular visitará los albergues mañana");
  xv1::AssistanceRequest out;
  EXPECT_EQ(mx->RespondToAssistance(Deadline().get(), answer, &out).error_code(),
            grpc::PERMISSION_DENIED);
  // An officer of another post cannot take it before a supervisor assigns it.
  auto officer = Stub("GT", "role/officer/post/GT-GUA/user/consul");
  EXPECT_EQ(officer->RespondToAssistance(Deadline().get(), answer, &out).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(gt->RespondToAssistance(Deadline().get(), answer, &out).ok());
  EXPECT_EQ(out.to_post(), "GT-GUA");
  xv1::RespondToAssistanceRequest done;
  done.set_name(asked.name());
  done.set_state(xv1::ASSISTANCE_STATE_DONE);
  done.set_note("9 localizados a salvo en el albergue municipal; 3 ya habían salido");
  ASSERT_TRUE(officer->RespondToAssistance(Deadline().get(), done, &out).ok());
  // Nothing moves backwards.
  done.set_state(xv1::ASSISTANCE_STATE_DECLINED);
  EXPECT_EQ(gt->RespondToAssistance(Deadline().get(), done, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  // The asking member sees what was done.
  ASSERT_TRUE(WaitFor(
      [&] {
        xv1::ListAssistanceRequest req;
        xv1::ListAssistanceResponse list;
        return mx->ListAssistance(Deadline().get(), req, &list).ok() && list.requests_size() == 1 &&
               list.requests(0).state() == xv1::ASSISTANCE_STATE_DONE;
      },
      absl::Seconds(30)));
  xv1::ListAssistanceResponse mine;
  ASSERT_TRUE(mx->ListAssistance(Deadline().get(), xv1::ListAssistanceRequest(), &mine).ok());
  EXPECT_EQ(mine.requests(0).outcome(),
            "9 localizados a salvo en el albergue municipal; 3 ya habían salido");
  EXPECT_EQ(mine.requests(0).request(), asked.request());
}

}  // namespace
}  // namespace enlace::testing
