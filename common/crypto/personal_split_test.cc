// The personal marks of the records sealed by referrals, transfers and notifications: what
// goes into the sealed part, what stays readable, and that the split is lossless. The
// expectations pin what the hand-written split functions did before the marks existed.
#include "common/crypto/personal_split.h"

#include "enlace/children/v1/children.pb.h"
#include "enlace/crisis/v1/crisis.pb.h"
#include "enlace/notifications/v1/notifications.pb.h"
#include "enlace/referrals/v1/referrals.pb.h"
#include "enlace/transfers/v1/transfers.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace enlace::crypto {
namespace {

namespace cv1 = ::enlace::cases::v1;
using google::protobuf::util::MessageDifferencer;

cv1::Person FullPerson() {
  cv1::Person p;
  p.set_given_names("Wenceslao Yahir");
  p.set_family_names("Quetzalcóatl Tepox");
  p.set_sex(cv1::SEX_MALE);
  p.set_birth_date("1988-02-29");
  p.set_age_band(cv1::AGE_BAND_ADULT_30_59);
  p.add_nationalities("MX");
  p.add_documents()->set_number("G77001122");
  p.add_languages("nah");
  p.set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  p.mutable_contact()->set_phone("+1 713 555 0100");
  return p;
}

template <typename M>
void ExpectLossless(const M& record, const M& pub, const M& personal) {
  M back = pub;
  back.MergeFrom(personal);
  EXPECT_TRUE(MessageDifferencer::Equals(back, record)) << back.DebugString();
}

TEST(PersonalSplitTest, TransferSealsPersonActionsAndTheCasesPersonalText) {
  transfers::v1::Transfer t;
  t.set_name("countries/MX/transfers/x");
  t.set_to_post("GT-TAP");
  *t.mutable_person() = FullPerson();
  t.add_actions()->set_note("visita al hospital");
  auto* c = t.mutable_case_snapshot();
  c->set_post("MX-HOU");
  c->set_place("Houston, TX");
  c->set_summary("Accidente en la obra");
  c->set_resolution_note("nota");
  c->mutable_consent()->set_giver_name("María Tepox");
  c->mutable_consent()->add_scopes(cv1::CONSENT_SCOPE_SERVICES);
  transfers::v1::Transfer pub, personal;
  SplitPersonal(t, &pub, &personal);
  EXPECT_FALSE(pub.has_person());
  EXPECT_EQ(pub.actions_size(), 0);
  EXPECT_TRUE(pub.case_snapshot().summary().empty());
  EXPECT_TRUE(pub.case_snapshot().resolution_note().empty());
  EXPECT_TRUE(pub.case_snapshot().consent().giver_name().empty());
  // Routing and the case's non-personal facts stay readable (as before the marks).
  EXPECT_EQ(pub.to_post(), "GT-TAP");
  EXPECT_EQ(pub.case_snapshot().place(), "Houston, TX");
  EXPECT_EQ(pub.case_snapshot().consent().scopes_size(), 1);
  EXPECT_EQ(personal.person().given_names(), "Wenceslao Yahir");
  EXPECT_EQ(personal.case_snapshot().summary(), "Accidente en la obra");
  EXPECT_TRUE(personal.name().empty());
  ExpectLossless(t, pub, personal);
}

TEST(PersonalSplitTest, ReferralSealsPersonPlaceAndSummary) {
  referrals::v1::Referral r;
  r.set_name("countries/MX/referrals/x");
  r.set_to_post("GT-TAP");
  *r.mutable_person() = FullPerson();
  r.set_place("Houston, TX");
  r.set_summary("Necesita asesoría legal");
  referrals::v1::Referral pub, personal;
  SplitPersonal(r, &pub, &personal);
  EXPECT_FALSE(pub.has_person());
  EXPECT_TRUE(pub.place().empty());
  EXPECT_TRUE(pub.summary().empty());
  EXPECT_EQ(pub.to_post(), "GT-TAP");
  EXPECT_EQ(personal.place(), "Houston, TX");
  ExpectLossless(r, pub, personal);
}

TEST(PersonalSplitTest, NotificationKeepsOnlyNationalitiesAndProtectionStatusReadable) {
  notifications::v1::Notification n;
  n.set_name("countries/US/notifications/x");
  *n.mutable_person() = FullPerson();
  n.mutable_person()->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  notifications::v1::Notification pub, personal;
  SplitPersonal(n, &pub, &personal);
  cv1::Person readable;
  readable.add_nationalities("MX");
  readable.set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  EXPECT_TRUE(MessageDifferencer::Equals(pub.person(), readable)) << pub.person().DebugString();
  EXPECT_EQ(personal.person().sex(), cv1::SEX_MALE);
  EXPECT_TRUE(personal.person().nationalities().empty());
  ExpectLossless(n, pub, personal);
}

// A personal field inside an unmarked repeated message field would escape the split: none of
// the sealed record types may have one (add a mark to the repeated field instead).
TEST(PersonalSplitTest, NoPersonalFieldEscapesTheSplitOfASealedRecordType) {
  for (const auto* type :
       {transfers::v1::Transfer::descriptor(), referrals::v1::Referral::descriptor(),
        notifications::v1::Notification::descriptor(), cv1::Case::descriptor(),
        cv1::Person::descriptor(), children::v1::ChildRecord::descriptor(),
        crisis::v1::Registration::descriptor(), crisis::v1::WelfareNote::descriptor(),
        crisis::v1::Sighting::descriptor(), crisis::v1::AssistanceRequest::descriptor()}) {
    EXPECT_TRUE(PersonalFieldsReachable(type)) << type->full_name();
    EXPECT_TRUE(HasPersonalFields(type)) << type->full_name();
  }
}

// A repeated message field nobody marked, whose elements hold personal fields (a child's
// tracing entries: the relative's name and last place), is sealed whole; what is not personal
// around it stays readable.
TEST(PersonalSplitTest, AnUnmarkedRepeatedFieldOfPersonalElementsIsSealedWhole) {
  children::v1::ChildRecord r;
  r.set_name("countries/MX/childRecords/x");
  r.set_state(children::v1::WORKFLOW_STATE_SERVICES);
  auto* t = r.add_tracing();
  t->set_relation("abuela");
  t->set_name("Petrona Caal Xol");
  t->set_last_place("Comitán");
  r.add_care()->set_caregiver("Lucía Mendoza");
  r.add_assessments()->set_recommendation("reunificación");
  children::v1::ChildRecord pub, personal;
  SplitPersonal(r, &pub, &personal);
  EXPECT_EQ(pub.tracing_size(), 0);
  EXPECT_EQ(pub.care_size(), 0);
  EXPECT_EQ(pub.assessments_size(), 0);
  EXPECT_EQ(pub.state(), children::v1::WORKFLOW_STATE_SERVICES);
  EXPECT_EQ(personal.tracing(0).name(), "Petrona Caal Xol");
  ExpectLossless(r, pub, personal);
}

}  // namespace
}  // namespace enlace::crypto
