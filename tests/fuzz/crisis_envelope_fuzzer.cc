// Fuzz target: the crisis module's envelope handler (services/crisis), fed what another member
// may send: crises, movements, sightings, counts reports and assistance requests or updates,
// then the worker step that records received sightings. The inbox's verification in front of
// it has its own target (envelope_fuzzer.cc); here every input is taken as authentic from its
// claimed sender, the strongest position a member's stolen node key gives.
//
// Input: a first line "{kind} {sender}" and then the payload, in protobuf text format (the
// seeds are readable) or, when that does not parse, as binary bytes. Applied on a real RocksDB
// store of the node "MX" (members MX, GT, HN), committed like the inbox would.
//
// Checked on every input: Apply fails only with INVALID_ARGUMENT, FAILED_PRECONDITION or
// PERMISSION_DENIED (what the inbox quarantines) and then stages nothing; recording received
// sightings never fails; no peer ever writes a crisis or movement of MX; no count of the
// worklist goes negative.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/crisis/v1/crisis.pb.h"
#include "enlace/node/v1/config.pb.h"
#include "google/protobuf/text_format.h"
#include "services/crisis/crisis.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"

namespace enlace::fuzz {
namespace {

namespace xv1 = ::enlace::crisis::v1;

struct World {
  std::string dir;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<txn::Committer> committer;
  std::unique_ptr<FakeClock> clock;
  std::unique_ptr<crisis::Crises> crises;
};

World* g_world = nullptr;

void Cleanup() {
  if (g_world == nullptr) return;
  g_world->crises.reset();
  (void)g_world->store->Close();
  RemoveTree(g_world->dir);
}

void IgnoreProtobufLog(google::protobuf::LogLevel, const char*, int, const std::string&) {}

World* MakeWorld() {
  google::protobuf::SetLogHandler(&IgnoreProtobufLog);
  auto* w = new World;
  w->dir = MakeTempDir("enlace-crisis-fuzz");
  storage::StoreOptions options;
  options.path = w->dir + "/store";
  options.sync = false;  // durability is not under test
  options.block_cache_bytes = 8 << 20;
  txn::Committer::AddColumnFamilies(options);
  crisis::Crises::AddColumnFamilies(options);
  auto store = storage::Store::Open(options);
  FUZZ_CHECK_MSG(store.ok(), store.status().ToString());
  w->store = *std::move(store);
  auto committer = txn::Committer::Create(w->store.get(), "MX");
  FUZZ_CHECK_MSG(committer.ok(), committer.status().ToString());
  w->committer = *std::move(committer);
  w->clock = std::make_unique<FakeClock>(FixedNow());
  enlace::node::v1::NodeConfig config;
  config.set_country("MX");
  auto* post = config.add_posts();
  post->set_code("MX-TGU");
  post->set_host_country("HN");
  post->add_areas("HN-FM");
  // No vault (sealing off) and no registry: the handler and the sighting step use neither.
  w->crises = std::make_unique<crisis::Crises>(
      w->store.get(), w->committer.get(), nullptr, nullptr, config,
      [] {
        return std::vector<std::string>{"GT", "HN"};
      },
      w->clock.get());
  std::atexit(Cleanup);
  return w;
}

std::unique_ptr<google::protobuf::Message> PayloadFor(const std::string& kind) {
  if (kind == crisis::kCrisisKind) return std::make_unique<xv1::CrisisChange>();
  if (kind == crisis::kMovementKind) return std::make_unique<xv1::Movement>();
  if (kind == crisis::kSightingKind) return std::make_unique<xv1::Sighting>();
  if (kind == crisis::kCountsKind) return std::make_unique<xv1::CountsReport>();
  return std::make_unique<xv1::AssistanceRequest>();
}

}  // namespace
}  // namespace enlace::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enlace::fuzz;  // NOLINT: the fuzzer entry point is outside the namespace
  if (g_world == nullptr) g_world = MakeWorld();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  if (eol == std::string::npos) return 0;
  std::vector<std::string> head = absl::StrSplit(input.substr(0, eol), ' ');
  if (head.size() != 2) return 0;
  const std::string& kind = head[0];
  const std::string& sender = head[1];
  const std::string rest = input.substr(eol + 1);
  auto payload = PayloadFor(kind);
  std::string bytes = rest;
  if (google::protobuf::TextFormat::ParseFromString(rest, payload.get())) {
    bytes = payload->SerializeAsString();
  }
  enlace::federation::v1::EnvelopeBody body;
  body.set_kind(kind);
  body.set_sender(sender);
  body.set_receiver("MX");
  body.set_payload(bytes);
  enlace::txn::Transaction txn;
  const absl::Status applied = g_world->crises->Apply(body, txn);
  if (applied.ok()) {
    const absl::Status committed = g_world->committer->Commit(txn);
    FUZZ_CHECK_MSG(committed.ok(), committed.ToString());
  } else {
    FUZZ_CHECK_MSG(absl::IsInvalidArgument(applied) || absl::IsFailedPrecondition(applied) ||
                       absl::IsPermissionDenied(applied),
                   applied.ToString());
    FUZZ_CHECK_MSG(txn.envelopes.empty(), "a refused envelope queued envelopes");
  }
  auto sightings = g_world->crises->ApplyReceivedSightings();
  FUZZ_CHECK_MSG(sightings.ok(), sightings.status().ToString());
  // Only MX writes MX's crises and movements.
  const auto* cf = g_world->store->cf("crisis");
  for (const char* prefix : {"C|MX/", "M|MX/"}) {
    auto it = g_world->store->ScanPrefix(cf, prefix);
    FUZZ_CHECK_MSG(!it->Valid(), std::string("a peer wrote ") + std::string(it->key()));
  }
  const auto* counts = g_world->store->cf("crisis_counts");
  for (auto it = g_world->store->ScanPrefix(counts, "K|"); it->Valid(); it->Next()) {
    auto n = g_world->store->GetCounter(counts, it->key());
    FUZZ_CHECK_MSG(n.ok() && *n >= 0, std::string("negative count at ") + std::string(it->key()));
  }
  return 0;
}
