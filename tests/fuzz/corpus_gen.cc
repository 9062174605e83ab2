// Writes the seed corpus of the fuzz targets (checked in under tests/fuzz/corpus/):
//
//   bazel run //tests/fuzz:corpus_gen -- "$PWD/tests/fuzz/corpus"
//
// Seeds are small valid (and a few deliberately invalid) inputs, so that mutations start from
// deep inside each parser. Keys, certificates and ids are made fresh on every run, so the
// files differ between runs; re-run only when an input format changes.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/signing.h"
#include "common/ids/ids.h"
#include "common/pagetoken/page_token.h"
#include "common/pki/pki.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "enlace/directory/v1/directory.pb.h"
#include "enlace/federation/v1/federation.pb.h"
#include "enlace/federation/v1/manifest.pb.h"
#include "google/protobuf/text_format.h"
#include "services/cases/rules.h"
#include "services/directory/directory.h"
#include "tests/fuzz/fuzz_support.h"

namespace enlace::fuzz {
namespace {

namespace fv1 = ::enlace::federation::v1;
namespace dv1 = ::enlace::directory::v1;
namespace cv1 = ::enlace::cases::v1;

std::string g_root;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  const std::string dir = g_root + "/" + target;
  std::filesystem::create_directories(dir);
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "cannot write " << dir << "/" << name << "\n";
    std::exit(1);
  }
}

template <typename T>
T Check(absl::StatusOr<T> v) {
  if (!v.ok()) {
    std::cerr << v.status() << "\n";
    std::exit(1);
  }
  return *std::move(v);
}

// ---------------------------------------------------------------- envelope

dv1::Organisation Org(const std::string& country, int64_t revision) {
  dv1::Organisation o;
  o.set_name(absl::StrCat("countries/", country, "/organisations/", ids::NewId(FixedNow())));
  o.set_display_name("Casa del Migrante de Tecún Umán");
  o.set_type(dv1::ORGANISATION_TYPE_SHELTER);
  o.add_services(dv1::SERVICE_SHELTER);
  o.add_services(dv1::SERVICE_FOOD);
  o.add_services(dv1::SERVICE_LEGAL_AID);
  o.add_areas("GT-SM");
  o.add_languages("es");
  o.mutable_contact()->set_phone("+502 7776 8416");
  o.mutable_contact()->set_email("info@example.org");
  o.set_description("Albergue y orientación legal.");
  o.set_revision(revision);
  return o;
}

std::string EnvelopeBytes(const std::string& sender, const std::string& receiver, uint64_t seq,
                          const std::string& kind, const std::string& payload,
                          const std::string& signature = "") {
  fv1::EnvelopeBody body;
  body.set_sender(sender);
  body.set_receiver(receiver);
  body.set_seq(seq);
  body.set_id(ids::NewId(FixedNow()));
  body.set_kind(kind);
  body.set_payload(payload);
  body.mutable_create_time()->set_seconds(absl::ToUnixSeconds(FixedNow()));
  fv1::Envelope env;
  env.set_body(body.SerializeAsString());
  env.set_signature(signature);
  env.set_seq(seq);
  return env.SerializeAsString();
}

// Bare EnvelopeBody bytes (the target wraps them in an envelope).
std::string BodyBytes(const std::string& sender, uint64_t seq, const std::string& kind,
                      const std::string& payload) {
  fv1::EnvelopeBody body;
  body.set_sender(sender);
  body.set_receiver("MX");
  body.set_seq(seq);
  body.set_id(ids::NewId(FixedNow()));
  body.set_kind(kind);
  body.set_payload(payload);
  return body.SerializeAsString();
}

std::string Change(const dv1::Organisation& o, bool deleted) {
  dv1::OrganisationChange c;
  *c.mutable_organisation() = o;
  c.set_deleted(deleted);
  return c.SerializeAsString();
}

void EnvelopeSeeds() {
  const std::string t = "envelope";
  const dv1::Organisation gt = Org("GT", 1);
  Write(t, "upsert_gt.bin", EnvelopeBytes("GT", "MX", 1, directory::kUpsertKind, Change(gt, false)));
  dv1::Organisation gt2 = gt;
  gt2.set_revision(7);
  gt2.set_description("Actualizado.");
  Write(t, "upsert_gt_newer.bin",
        EnvelopeBytes("GT", "MX", 1, directory::kUpsertKind, Change(gt2, false)));
  dv1::Organisation hn;
  hn.set_name(Org("HN", 2).name());
  hn.set_revision(2);
  Write(t, "delete_hn.bin", EnvelopeBytes("HN", "MX", 1, directory::kDeleteKind, Change(hn, true)));
  Write(t, "foreign_owned.bin",
        EnvelopeBytes("GT", "MX", 1, directory::kUpsertKind, Change(Org("MX", 3), false)));
  Write(t, "kind_mismatch.bin",
        EnvelopeBytes("HN", "MX", 1, directory::kDeleteKind, Change(Org("HN", 4), false)));
  Write(t, "unknown_kind.bin", EnvelopeBytes("GT", "MX", 1, "crisis.status.update", "\x08\x01"));
  Write(t, "misaddressed.bin",
        EnvelopeBytes("GT", "CR", 1, directory::kUpsertKind, Change(Org("GT", 5), false)));
  Write(t, "body_upsert_hn.bin",
        BodyBytes("HN", 1, directory::kUpsertKind, Change(Org("HN", 9), false)));
  Write(t, "body_delete_gt.bin", BodyBytes("GT", 1, directory::kDeleteKind, Change(gt2, true)));
  Write(t, "replay.bin", EnvelopeBytes("GT", "MX", 0, directory::kUpsertKind, Change(gt, false)));
  Write(t, "gap.bin", EnvelopeBytes("HN", "MX", 3, directory::kUpsertKind, Change(Org("HN", 1), false)));
  Write(t, "signed_garbage.bin", EnvelopeBytes("GT", "MX", 1, directory::kUpsertKind,
                                               Change(gt, false), std::string(64, '\x5a')));
  // A manifest in text format, with real keys and CA certificates.
  fv1::FederationManifest m;
  m.set_version(3);
  for (const char* country : {"MX", "GT"}) {
    const std::string lower = absl::AsciiStrToLower(country);
    auto keys = Check(crypto::GenerateEd25519());
    auto ca = Check(pki::MakeCa(absl::StrCat("Enlace ", country, " CA"), absl::Hours(24 * 3650)));
    fv1::Member* member = m.add_members();
    member->set_country(country);
    member->set_federation_endpoint(absl::StrCat(lower, ".enlace.example:7443"));
    member->set_node_identity(absl::StrCat("spiffe://", lower, ".enlace.example/node"));
    member->set_signing_public_key_pem(keys.public_pem);
    member->set_tls_ca_pem(ca.cert_pem);
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(m, &text);
  Write(t, "manifest.textproto", text);
  Write(t, "manifest.binpb", m.SerializeAsString());
}

// ---------------------------------------------------------------- page_token

// The page token target's input: [query length][query][token]. Same secret as the target.
void PageTokenSeeds() {
  const std::string t = "page_token";
  const PageTokenCodec codec("fuzz-page-token-secret-0123456789abcdef");
  auto seed = [&](const std::string& name, const std::string& query, const std::string& token) {
    Write(t, name, std::string(1, static_cast<char>(query.size())) + query + token);
  };
  const std::string q1 = "parent=countries/MX|post=MX-LAX|status=1|category=0";
  const std::string q2 = "name=jose perez|birth=1990";
  const std::string pos = "01jdq2v5kx0000000001";
  seed("valid_cases.txt", q1, codec.Encode(q1, pos));
  seed("valid_persons.txt", q2, codec.Encode(q2, std::string("\x00\x00\x01\x93", 4) + pos));
  seed("valid_empty_position.txt", q1, codec.Encode(q1, ""));
  seed("wrong_query.txt", q2, codec.Encode(q1, pos));
  seed("not_base64.txt", q1, "!!!not*base64???");
  seed("empty_token.txt", q1, "");
}

// ---------------------------------------------------------------- request_validation

cv1::Person GoodPerson() {
  cv1::Person p;
  p.set_given_names("José Luis");
  p.set_family_names("Pérez Hernández");
  p.set_sex(cv1::SEX_MALE);
  p.set_birth_date("1990-02-28");
  p.add_nationalities("MX");
  auto* d = p.add_documents();
  d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
  d->set_number("G1234-5678");
  d->set_issuing_country("MX");
  d->set_expire_date("2030-05-31");
  p.add_languages("es");
  p.set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  p.add_vulnerabilities(cv1::VULNERABILITY_DETAINED);
  p.mutable_contact()->set_phone("+1 213 555 0100");
  return p;
}

cv1::Case GoodCase() {
  cv1::Case c;
  c.set_person("countries/MX/persons/01jdq2v5kx0000000000");
  c.set_post("MX-LAX");
  c.set_host_country("US");
  c.set_place("Los Angeles, CA");
  c.set_category(cv1::CATEGORY_CRIMINAL);
  c.set_subtype(cv1::SUBTYPE_CRIMINAL_DETENTION);
  c.set_legal_basis(cv1::LEGAL_BASIS_CONSENT);
  c.set_risk(cv1::RISK_HIGH);
  c.set_summary("Detenido en la cárcel del condado.");
  auto* consent = c.mutable_consent();
  consent->set_given_by(cv1::CONSENT_GIVER_PERSON);
  consent->add_scopes(cv1::CONSENT_SCOPE_SERVICES);
  consent->add_scopes(cv1::CONSENT_SCOPE_FAMILY);
  *consent->mutable_obtain_time() = enlace::ToProtoTime(FixedNow() - absl::Hours(3));
  return c;
}

void RequestSeeds() {
  const std::string t = "request_validation";
  cv1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  *cp.mutable_person() = GoodPerson();
  cp.set_request_id("req-0001");
  Write(t, "create_person.bin", cp.SerializeAsString());

  cv1::UpdatePersonRequest up;
  *up.mutable_person() = GoodPerson();
  up.mutable_person()->set_given_names("María José");
  up.mutable_person()->set_etag("\"abc\"");
  up.mutable_update_mask()->add_paths("given_names");
  up.mutable_update_mask()->add_paths("documents");
  up.mutable_update_mask()->add_paths("vulnerabilities");
  Write(t, "update_person.bin", up.SerializeAsString());

  cv1::CreateCaseRequest cc;
  cc.set_parent("countries/MX");
  *cc.mutable_case_() = GoodCase();
  Write(t, "create_case.bin", cc.SerializeAsString());

  cv1::UpdateCaseRequest uc;
  *uc.mutable_case_() = GoodCase();
  uc.mutable_case_()->set_post("MX-GUA");
  uc.mutable_case_()->set_host_country("GT");
  uc.mutable_case_()->set_status(cv1::STATUS_OPEN);
  uc.mutable_update_mask()->add_paths("post");
  uc.mutable_update_mask()->add_paths("host_country");
  uc.mutable_update_mask()->add_paths("consent");
  uc.mutable_update_mask()->add_paths("status");
  Write(t, "update_case.bin", uc.SerializeAsString());

  cv1::AddActionRequest aa;
  aa.set_parent("countries/MX/cases/01jdq2v5kx0000000001");
  aa.mutable_action()->set_type(cv1::ACTION_TYPE_DETENTION_VISIT);
  aa.mutable_action()->set_post("MX-LAX");
  aa.mutable_action()->set_officer("ana.garcia");
  *aa.mutable_action()->mutable_occur_time() = enlace::ToProtoTime(FixedNow() - absl::Hours(1));
  aa.mutable_action()->set_outcome(cv1::ACTION_OUTCOME_COMPLETED);
  aa.mutable_action()->set_note("Visita consular; el connacional solicita abogado.");
  Write(t, "add_action.bin", aa.SerializeAsString());

  Write(t, "identity_officer.txt", "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana");
  Write(t, "identity_supervisor.txt", "spiffe://gt.enlace.example/role/supervisor/user/luis_p");
  Write(t, "identity_node.txt", "spiffe://hn.enlace.example/node");
  Write(t, "name_accents.txt", "  JOSÉ  Ñúñez-O'Brien\xc2\xa0Ærøskøbing \xe2\x80\x94 Łódź 李 ");
  Write(t, "date_partial.txt", "1990-02");
  Write(t, "document_number.txt", "g12 34-56.7");
}

// ---------------------------------------------------------------- config

void ConfigSeeds() {
  const std::string t = "config";
  Write(t, "node.textproto", R"(# proto-message: enlace.node.v1.NodeConfig
country: "MX"
posts { code: "MX-LAX" city: "Los Angeles" host_country: "US" areas: "US-CA" }
posts {
  code: "MX-GUA" city: "Ciudad de Guatemala" host_country: "GT"
  areas: ["GT-AV", "GT-GU", "GT-QZ"]
}
posts { code: "MX-TOR" city: "Toronto" host_country: "CA" areas: "CA-ON" }
data_dir: "/var/lib/enlace/mx"
api_address: "0.0.0.0:7443"
api_tls { cert_file: "/etc/enlace/tls/node.crt" key_file: "/etc/enlace/tls/node.key" client_ca_file: "/etc/enlace/tls/ca.crt" }
worker_threads: 32
drain_seconds: 10
federation {
  address: "0.0.0.0:7444"
  manifest_file: "/etc/enlace/manifest.textproto"
  signing_key_file: "/etc/enlace/signing.key"
  window: 2048
}
security {
  master_key_file: "/etc/enlace/master.key"
  keys_dir: "/var/lib/enlace/mx.keys"
  rate_per_second: 500
  rate_burst: 1000
}
)");
  Write(t, "master_key.txt", Check(crypto::NewMasterKeyFile()));
  const std::string k1 = Check(crypto::NewMasterKeyFile());
  const std::string k2 = Check(crypto::NewMasterKeyFile());
  Write(t, "master_keys_rotated.txt",
        k1 + "# rotated\n2:" + k2.substr(k2.find("1:") + 2));
}

}  // namespace
}  // namespace enlace::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: corpus_gen OUTPUT_DIR   (e.g. \"$PWD/tests/fuzz/corpus\")\n";
    return 2;
  }
  enlace::fuzz::g_root = argv[1];
  enlace::fuzz::EnvelopeSeeds();
  enlace::fuzz::PageTokenSeeds();
  enlace::fuzz::RequestSeeds();
  enlace::fuzz::ConfigSeeds();
  std::cout << "seeds written under " << argv[1] << "\n";
  return 0;
}
