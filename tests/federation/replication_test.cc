// The shared directory across real node processes: every member's entries reach every other
// member, across restarts, to a member added later through the manifest, and not to (or
// from) a member removed from it.
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace dv1 = ::enlace::directory::v1;

class ReplicationTest : public FederationFixture {};

TEST_F(ReplicationTest, DirectoryReachesEveryMemberIncludingLateAndNotRemovedOnes) {
  Init({"MX", "GT", "HN", "SV"}, {"MX", "GT", "HN"});
  for (const char* c : {"MX", "GT", "HN"}) StartNode(c);

  for (const char* c : {"MX", "GT", "HN"}) {
    for (int i = 0; i < 5; ++i) {
      ASSERT_FALSE(CreateOrg(c, absl::StrCat("Albergue ", c, " ", i)).empty());
    }
  }
  for (const char* c : {"MX", "GT", "HN"}) {
    EXPECT_TRUE(WaitFor([&] { return ListOrgs(c).size() == 15; }, absl::Seconds(30)))
        << c << " holds " << ListOrgs(c).size();
  }
  EXPECT_EQ(ListOrgs("GT", "MX"), ListOrgs("MX", "MX"));

  // Only the owner may change an entry, on its own node and through its peers alike.
  const std::string mx_org = ListOrgs("GT", "MX").begin()->first;
  dv1::GetOrganisationRequest get;
  get.set_name(mx_org);
  dv1::Organisation copy;
  ASSERT_TRUE(Directory("GT").GetOrganisation(Deadline().get(), get, &copy).ok());
  dv1::UpdateOrganisationRequest upd;
  *upd.mutable_organisation() = copy;
  upd.mutable_organisation()->set_display_name("Hijacked");
  upd.mutable_update_mask()->add_paths("display_name");
  dv1::Organisation out;
  EXPECT_EQ(Directory("GT").UpdateOrganisation(Deadline().get(), upd, &out).error_code(),
            grpc::PERMISSION_DENIED);
  dv1::CreateOrganisationRequest foreign;
  foreign.set_parent("countries/MX");
  foreign.mutable_organisation()->set_display_name("Fake MX entry");
  foreign.mutable_organisation()->set_type(dv1::ORGANISATION_TYPE_SHELTER);
  foreign.mutable_organisation()->add_services(dv1::SERVICE_SHELTER);
  EXPECT_EQ(Directory("GT").CreateOrganisation(Deadline().get(), foreign, &out).error_code(),
            grpc::PERMISSION_DENIED);

  // A node stopped while changes happen catches up after it returns.
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(CreateOrg("MX", absl::StrCat("Nueva ", i)).empty());
  ASSERT_TRUE(Directory("MX").GetOrganisation(Deadline().get(), get, &copy).ok());
  *upd.mutable_organisation() = copy;
  upd.mutable_organisation()->set_display_name("Casa del Migrante (renombrada)");
  ASSERT_TRUE(Directory("MX").UpdateOrganisation(Deadline().get(), upd, &out).ok());
  EXPECT_EQ(out.revision(), 2);
  StartNode("GT");
  EXPECT_TRUE(WaitFor([&] { return ListOrgs("GT", "MX") == ListOrgs("MX", "MX"); },
                      absl::Seconds(30)));
  EXPECT_EQ(ListOrgs("GT", "MX").at(mx_org), 2);

  // A fourth member joins through the manifest, without restarting anyone.
  ASSERT_TRUE(federation_->WriteManifest({"MX", "GT", "HN", "SV"}, 2).ok());
  StartNode("SV");
  for (const char* c : {"MX", "GT", "HN"}) Signal(c, SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return ListOrgs("SV").size() == 18; }, absl::Seconds(30)))
      << "SV holds " << ListOrgs("SV").size();
  ASSERT_FALSE(CreateOrg("SV", "Centro de Atención a Migrantes Retornados").empty());
  for (const char* c : {"MX", "GT", "HN"}) {
    EXPECT_TRUE(WaitFor([&] { return ListOrgs(c, "SV").size() == 1; }, absl::Seconds(30))) << c;
  }

  // HN is removed: it can no longer deliver to anyone (its changes stay queued at home).
  ASSERT_TRUE(federation_->WriteManifest({"MX", "GT", "SV"}, 3).ok());
  for (const char* c : {"MX", "GT", "SV"}) Signal(c, SIGHUP);
  EXPECT_TRUE(WaitFor(
      [&] {
        const auto status = Status("MX");
        for (const auto& p : status.peers()) {
          if (p.country() == "HN") return false;
        }
        return status.manifest_version() == 3;
      },
      absl::Seconds(10)));
  ASSERT_FALSE(CreateOrg("HN", "Entrada tras la salida").empty());
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(ListOrgs("MX", "HN").size(), 5u);
  EXPECT_EQ(ListOrgs("GT", "HN").size(), 5u);

  for (const char* c : {"MX", "GT", "SV"}) {
    const auto status = Status(c);
    for (const auto& p : status.peers()) {
      EXPECT_EQ(p.quarantined(), 0) << c << "<-" << p.country();
    }
  }
}

}  // namespace
}  // namespace enlace::testing
