#include "tests/federation/federation_fixture.h"

#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"

namespace enlace::testing {

namespace dv1 = ::enlace::directory::v1;
namespace fv1 = ::enlace::federation::v1;

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration d) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(d));
  return ctx;
}

void FederationFixture::Init(const std::vector<std::string>& countries,
                             const std::vector<std::string>& in_manifest) {
  dir_ = MakeTempDir("fed");
  auto f = TestFederation::Create(dir_, countries);
  ASSERT_TRUE(f.ok()) << f.status();
  federation_ = *std::move(f);
  ASSERT_TRUE(federation_->WriteManifest(in_manifest, 1).ok());
}

void FederationFixture::TearDown() {
  for (auto& [c, n] : nodes_) {
    if (n) n->Stop(SIGKILL);
  }
}

void FederationFixture::StartNode(const std::string& country) {
  auto& m = federation_->member(country);
  auto node = NodeProcess::Start(m.config, m.dir);
  ASSERT_TRUE(node.ok()) << country << ": " << node.status();
  nodes_[country] = *std::move(node);
  if (dir_stubs_.count(country) == 0) {
    auto channel = MakeChannel(m.api_port, m.pki->ca(), &m.client);
    dir_stubs_[country] = dv1::DirectoryService::NewStub(channel);
    admin_stubs_[country] = fv1::FederationAdminService::NewStub(channel);
  }
}

int FederationFixture::StopNode(const std::string& country, int signo) {
  auto it = nodes_.find(country);
  if (it == nodes_.end() || !it->second) return -1;
  int status = it->second->Stop(signo);
  it->second.reset();
  return status;
}

void FederationFixture::Signal(const std::string& country, int signo) {
  kill(nodes_.at(country)->pid(), signo);
}

dv1::DirectoryService::Stub& FederationFixture::Directory(const std::string& country) {
  return *dir_stubs_.at(country);
}

fv1::FederationAdminService::Stub& FederationFixture::Admin(const std::string& country) {
  return *admin_stubs_.at(country);
}

std::string FederationFixture::CreateOrg(const std::string& country,
                                         const std::string& display_name,
                                         const std::string& request_id) {
  dv1::CreateOrganisationRequest req;
  req.set_parent(absl::StrCat("countries/", country));
  req.set_request_id(request_id);
  auto* o = req.mutable_organisation();
  o->set_display_name(display_name);
  o->set_type(dv1::ORGANISATION_TYPE_SHELTER);
  o->add_services(dv1::SERVICE_SHELTER);
  o->add_services(dv1::SERVICE_LEGAL_AID);
  o->add_areas("MX-CHP");
  o->add_languages("es");
  dv1::Organisation out;
  auto ctx = Deadline();
  ctx->set_wait_for_ready(true);
  grpc::Status s = Directory(country).CreateOrganisation(ctx.get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return s.ok() ? out.name() : "";
}

std::map<std::string, int64_t> FederationFixture::ListOrgs(const std::string& country,
                                                           const std::string& owner) {
  std::map<std::string, int64_t> out;
  dv1::ListOrganisationsRequest req;
  if (!owner.empty()) req.set_parent(absl::StrCat("countries/", owner));
  req.set_page_size(1000);
  while (true) {
    dv1::ListOrganisationsResponse resp;
    grpc::Status s = Directory(country).ListOrganisations(Deadline().get(), req, &resp);
    if (!s.ok()) return {};
    for (const auto& o : resp.organisations()) out[o.name()] = o.revision();
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  return out;
}

fv1::FederationStatus FederationFixture::Status(const std::string& country) {
  fv1::FederationStatus out;
  fv1::GetFederationStatusRequest req;
  Admin(country).GetFederationStatus(Deadline().get(), req, &out);
  return out;
}

bool FederationFixture::WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  return testing::WaitFor(condition, timeout);
}

}  // namespace enlace::testing
