// Fuzz target: federation envelopes through the receiver's real code path, and manifests.
//
// The input is read as a serialized enlace.federation.v1.Envelope (or, when it is not one, as
// the `body` of an envelope) and applied by federation::Inbox::Apply -- verification, duplicate
// suppression, gap detection, quarantine, the directory handler and the commit -- on a real
// RocksDB store (one per process, in a temporary directory) of the node "MX", whose manifest
// has the members MX, GT and HN with signing keys made at start-up.
//
// Bare EnvelopeBody bytes are accepted too (wrapped in an envelope), so that mutations need
// not keep two levels of length prefixes intact. Each input is applied twice:
//   1. as received, on the GT link: the envelope's own body and signature (which never verifies
//      against the start-up key), so the bytes reach parsing, verification and quarantine;
//   2. re-signed: when the body parses, it comes from its own `sender` (GT or HN; others on
//      the GT link) and is signed with that member's key, so mutated bodies and payloads pass
//      verification and reach the sender/receiver/size checks and the directory handler.
//      The same envelope is sent twice in one batch: the second is a duplicate.
// Sequence numbers in the input are relative to the link's watermark (1 = the next expected,
// 0 = a replay, 2+ = a gap), so seeds stay meaningful however long the fuzzer has run.
//
// Checked on every input: Inbox::Apply fails only with FAILED_PRECONDITION (a gap) and then
// applies nothing; otherwise it returns exactly the watermark the envelopes imply, and it is
// stored; no peer ever writes an entry of the receiver's own country ("MX/...").
//
// The same bytes are also read as a FederationManifest, in text format (ParseManifest) and in
// binary, and validated with ManifestSnapshot::Build.

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/signing.h"
#include "common/pki/pki.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/federation/v1/federation.pb.h"
#include "enlace/federation/v1/manifest.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "services/directory/directory.h"
#include "services/federation/inbox.h"
#include "services/federation/manifest.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"

namespace enlace::fuzz {
namespace {

namespace fv1 = ::enlace::federation::v1;

constexpr char kSelf[] = "MX";
constexpr char kDefaultLink[] = "GT";

struct World {
  std::string dir;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<txn::Committer> committer;
  std::unique_ptr<federation::Inbox> inbox;
  std::unique_ptr<directory::Directory> directory;
  std::shared_ptr<const federation::ManifestSnapshot> manifest;
  std::map<std::string, std::unique_ptr<crypto::Signer>> signers;  // the peers' private keys
};

World* g_world = nullptr;

void Cleanup() {
  if (g_world == nullptr) return;
  if (std::getenv("FUZZ_VERBOSE") != nullptr) {
    // What the inputs reached: applied by the handler, or quarantined, and why.
    for (const char* link : {"GT", "HN"}) {
      std::cerr << "link " << link << ": watermark " << *g_world->inbox->AppliedSeq(link)
                << ", applied " << *g_world->inbox->AppliedCount(link) << ", quarantined "
                << *g_world->inbox->QuarantineCount(link) << "\n";
    }
    fv1::ListQuarantineRequest request;
    request.set_page_size(1000);
    std::map<std::string, int> reasons;
    const auto list = g_world->inbox->ListQuarantine(request);
    if (!list.ok()) return;
    for (const auto& q : list->envelopes()) {
      ++reasons[q.reason().substr(0, q.reason().find_first_of("(\"0123456789"))];
    }
    for (const auto& [reason, n] : reasons) {
      std::cerr << "  quarantined (1000 newest): " << n << " x " << reason << "\n";
    }
  }
  // Close RocksDB (flushes and stops its background work) before deleting its files.
  (void)g_world->store->Close();
  RemoveTree(g_world->dir);
}

void IgnoreProtobufLog(google::protobuf::LogLevel level, const char*, int, const std::string&) {}

World* MakeWorld() {
  // Text-format parse errors are logged by protobuf; thousands per second would drown the
  // fuzzer's own output. FATAL still aborts after the handler.
  google::protobuf::SetLogHandler(&IgnoreProtobufLog);
  auto* w = new World;
  w->dir = MakeTempDir("enlace-envelope-fuzz");
  storage::StoreOptions options;
  options.path = w->dir + "/store";
  options.sync = false;  // durability is not under test; an fsync per input would only slow it
  options.block_cache_bytes = 8 << 20;
  txn::Committer::AddColumnFamilies(options);
  federation::Inbox::AddColumnFamilies(options);
  directory::Directory::AddColumnFamilies(options);
  auto store = storage::Store::Open(options);
  FUZZ_CHECK_MSG(store.ok(), store.status().ToString());
  w->store = *std::move(store);
  auto committer = txn::Committer::Create(w->store.get(), kSelf);
  FUZZ_CHECK_MSG(committer.ok(), committer.status().ToString());
  w->committer = *std::move(committer);
  w->inbox = std::make_unique<federation::Inbox>(w->store.get(), w->committer.get(), kSelf);
  // As services/node/node.cc wires it.
  w->directory = std::make_unique<directory::Directory>(
      w->store.get(), w->committer.get(), kSelf,
      [] { return std::vector<std::string>{"GT", "HN"}; });
  w->inbox->RegisterHandler(directory::kUpsertKind, w->directory.get());
  w->inbox->RegisterHandler(directory::kDeleteKind, w->directory.get());

  fv1::FederationManifest manifest;
  manifest.set_version(1);
  for (const char* country : {"MX", "GT", "HN"}) {
    const std::string lower = absl::AsciiStrToLower(country);
    auto keys = crypto::GenerateEd25519();
    FUZZ_CHECK_MSG(keys.ok(), keys.status().ToString());
    auto ca = pki::MakeCa(absl::StrCat("Enlace ", country, " fuzz CA"), absl::Hours(24 * 365));
    FUZZ_CHECK_MSG(ca.ok(), ca.status().ToString());
    fv1::Member* m = manifest.add_members();
    m->set_country(country);
    m->set_federation_endpoint(absl::StrCat(lower, ".enlace.example:7443"));
    m->set_node_identity(absl::StrCat("spiffe://", lower, ".enlace.example/node"));
    m->set_signing_public_key_pem(keys->public_pem);
    m->set_tls_ca_pem(ca->cert_pem);
    if (std::string(country) != kSelf) {
      auto signer = crypto::Signer::FromPem(keys->private_pem);
      FUZZ_CHECK_MSG(signer.ok(), signer.status().ToString());
      w->signers[country] = *std::move(signer);
    }
  }
  auto snapshot = federation::ManifestSnapshot::Build(manifest);
  FUZZ_CHECK_MSG(snapshot.ok(), snapshot.status().ToString());
  w->manifest = *std::move(snapshot);
  g_world = w;
  std::atexit(&Cleanup);
  return w;
}

uint64_t Watermark(World& w, const std::string& sender) {
  auto seq = w.inbox->AppliedSeq(sender);
  FUZZ_CHECK_MSG(seq.ok(), seq.status().ToString());
  return *seq;
}

// Applies `envelopes` on the link from `sender` and checks the outcome against the protocol:
// duplicates skipped, the next number taken (applied or quarantined) only when it is
// authentic for its place in the link, a gap refused whole, an unauthentic envelope ending
// the batch with what preceded it committed and the watermark below it.
void ApplyOnLink(World& w, const std::string& sender, const std::vector<fv1::Envelope>& envelopes) {
  const federation::ManifestSnapshot::Peer* peer = w.manifest->Find(sender);
  FUZZ_CHECK(peer != nullptr);
  const uint64_t before = Watermark(w, sender);
  uint64_t expected = before;
  bool gap = false;
  bool forged = false;
  for (const auto& e : envelopes) {
    if (e.seq() <= expected) continue;
    if (e.seq() != expected + 1) {
      gap = true;
      break;
    }
    fv1::EnvelopeBody body;
    const bool parses = body.ParseFromString(e.body());
    if (!peer->verifier->Verify(e.body(), e.signature()) ||
        (parses && (body.seq() != e.seq() || body.sender() != sender ||
                    body.receiver() != kSelf))) {
      forged = true;
      break;
    }
    expected = e.seq();
  }
  auto result = w.inbox->Apply(sender, *peer, envelopes);
  const uint64_t after = Watermark(w, sender);
  if (gap) {
    FUZZ_CHECK_MSG(result.status().code() == absl::StatusCode::kFailedPrecondition,
                   result.status().ToString());
    FUZZ_CHECK(after == before);
  } else if (forged) {
    // Only the authentic moves a link.
    FUZZ_CHECK_MSG(result.status().code() == absl::StatusCode::kUnauthenticated,
                   result.status().ToString());
    FUZZ_CHECK(after == expected);
  } else {
    FUZZ_CHECK_MSG(result.ok(), result.status().ToString());
    FUZZ_CHECK(*result == expected);
    FUZZ_CHECK(after == expected);
  }
  // One writer per object: no peer may create or delete an entry of the receiver's country.
  const storage::ColumnFamily* orgs = w.store->cf("directory");
  FUZZ_CHECK(!w.store->ScanPrefix(orgs, absl::StrCat(kSelf, "/"))->Valid());
  FUZZ_CHECK(!w.store->ScanPrefix(orgs, absl::StrCat("tomb|", kSelf, "/"))->Valid());
}

void CheckSnapshot(
    const absl::StatusOr<std::shared_ptr<const federation::ManifestSnapshot>>& snapshot) {
  if (!snapshot.ok()) {
    FUZZ_CHECK_MSG(snapshot.status().code() == absl::StatusCode::kInvalidArgument,
                   snapshot.status().ToString());
    return;
  }
  const auto& s = **snapshot;
  FUZZ_CHECK(s.version() > 0);
  for (const std::string& c : s.Countries()) {
    const auto* peer = s.Find(c);
    FUZZ_CHECK(peer != nullptr && peer->verifier != nullptr);
    FUZZ_CHECK(s.FindByIdentity(peer->member.node_identity()) == peer);
    // A valid public key never accepts an empty or garbage signature.
    FUZZ_CHECK(!peer->verifier->Verify("message", ""));
    FUZZ_CHECK(!peer->verifier->Verify("message", std::string(64, '\0')));
  }
  (void)s.AllCaPem();
}

void FuzzManifest(const std::string& bytes) {
  auto text = federation::ParseManifest(bytes);
  if (text.ok()) CheckSnapshot(federation::ManifestSnapshot::Build(*std::move(text)));
  fv1::FederationManifest binary;
  if (binary.ParseFromString(bytes)) CheckSnapshot(federation::ManifestSnapshot::Build(binary));
}

}  // namespace
}  // namespace enlace::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enlace::fuzz;
  static World* w = MakeWorld();
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  FuzzManifest(bytes);

  // An envelope whose body parses is taken as it is; otherwise bytes that parse as a body are
  // the body of an envelope with that seq; otherwise an envelope is taken as it is, and
  // anything else is the unreadable body of the next envelope.
  fv1::Envelope env;
  fv1::EnvelopeBody probe;
  const bool is_envelope = env.ParseFromString(bytes);
  if (!is_envelope || !probe.ParseFromString(env.body())) {
    if (probe.ParseFromString(bytes)) {
      env.Clear();
      env.set_body(bytes);
      env.set_seq(probe.seq());
    } else if (!is_envelope) {
      env.Clear();
      env.set_body(bytes);
      env.set_seq(1);
    }
  }

  // 1. As received, on the GT link.
  {
    fv1::Envelope raw = env;
    raw.set_seq(Watermark(*w, kDefaultLink) + env.seq());
    ApplyOnLink(*w, kDefaultLink, {raw});
  }

  // 2. Re-signed by the sender it names (GT or HN), its seqs rebased on that link.
  {
    std::string sender = kDefaultLink;
    std::string body_bytes = env.body();
    fv1::EnvelopeBody body;
    const bool parsed = body.ParseFromString(body_bytes);
    if (parsed && w->signers.count(body.sender())) sender = body.sender();
    const uint64_t watermark = Watermark(*w, sender);
    if (parsed) {
      body.set_seq(watermark + body.seq());
      body_bytes = body.SerializeAsString();
    }
    auto signature = w->signers.at(sender)->Sign(body_bytes);
    FUZZ_CHECK_MSG(signature.ok(), signature.status().ToString());
    fv1::Envelope resigned;
    resigned.set_body(body_bytes);
    resigned.set_signature(*signature);
    resigned.set_seq(watermark + env.seq());
    ApplyOnLink(*w, sender, {resigned, resigned});
  }
  return 0;
}
