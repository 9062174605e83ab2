// Fuzz target: the child-protection module's envelope handler (services/children), fed what
// another member may send: a handover offered to this node, an answer about a handover this
// node sent, the erasure of a handover's child; then the follow-up pass that takes answers
// into records. Every input is taken as authentic from its claimed sender (a member's stolen
// node key); the inbox's verification has its own target (envelope_fuzzer.cc).
//
// Input: a first line "{kind} {sender}" and then the payload, in protobuf text format or, when
// that does not parse, as binary bytes. Applied on a real RocksDB store of the node "GT"
// (members GT, HN, MX), committed like the inbox would.
//
// Checked on every input: Apply fails only with INVALID_ARGUMENT, FAILED_PRECONDITION or
// PERMISSION_DENIED (what the inbox quarantines) and then queues nothing; the follow-up pass
// never fails; no peer ever writes a handover that GT sent (only their answers change GT's
// copies, which fail here: GT sent none), and a received copy is kept only under its sender.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/children/v1/children.pb.h"
#include "google/protobuf/text_format.h"
#include "services/children/children.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"

namespace enlace::fuzz {
namespace {

namespace chv1 = ::enlace::children::v1;

struct World {
  std::string dir;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<txn::Committer> committer;
  std::unique_ptr<FakeClock> clock;
  std::unique_ptr<children::ChildRecords> records;
};

World* g_world = nullptr;

void Cleanup() {
  if (g_world == nullptr) return;
  g_world->records.reset();
  (void)g_world->store->Close();
  RemoveTree(g_world->dir);
}

void IgnoreProtobufLog(google::protobuf::LogLevel, const char*, int, const std::string&) {}

World* MakeWorld() {
  google::protobuf::SetLogHandler(&IgnoreProtobufLog);
  auto* w = new World;
  w->dir = MakeTempDir("enlace-children-fuzz");
  storage::StoreOptions options;
  options.path = w->dir + "/store";
  options.sync = false;  // durability is not under test
  options.block_cache_bytes = 8 << 20;
  txn::Committer::AddColumnFamilies(options);
  children::ChildRecords::AddColumnFamilies(options);
  auto store = storage::Store::Open(options);
  FUZZ_CHECK_MSG(store.ok(), store.status().ToString());
  w->store = *std::move(store);
  auto committer = txn::Committer::Create(w->store.get(), "GT");
  FUZZ_CHECK_MSG(committer.ok(), committer.status().ToString());
  w->committer = *std::move(committer);
  w->clock = std::make_unique<FakeClock>(FixedNow());
  // No vault (sealing off), registry or directory: envelopes and the follow-up pass use none.
  w->records = std::make_unique<children::ChildRecords>(
      w->store.get(), w->committer.get(), nullptr, nullptr, nullptr, "GT",
      [] {
        return std::vector<std::string>{"HN", "MX"};
      },
      w->clock.get());
  std::atexit(Cleanup);
  return w;
}

std::unique_ptr<google::protobuf::Message> PayloadFor(const std::string& kind) {
  if (kind == children::kHandoversErasedKind) return std::make_unique<chv1::HandoversErased>();
  return std::make_unique<chv1::Handover>();
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
  body.set_receiver("GT");
  body.set_payload(bytes);
  enlace::txn::Transaction txn;
  const absl::Status applied = g_world->records->Apply(body, txn);
  if (applied.ok()) {
    const absl::Status committed = g_world->committer->Commit(txn);
    FUZZ_CHECK_MSG(committed.ok(), committed.ToString());
  } else {
    FUZZ_CHECK_MSG(absl::IsInvalidArgument(applied) || absl::IsFailedPrecondition(applied) ||
                       absl::IsPermissionDenied(applied),
                   applied.ToString());
    FUZZ_CHECK_MSG(txn.envelopes.empty(), "a refused envelope queued envelopes");
  }
  FUZZ_CHECK_MSG(txn.envelopes.empty(), "applying an envelope queued envelopes");
  const absl::Status settled = g_world->records->SettleAnswersForTest();
  FUZZ_CHECK_MSG(settled.ok(), settled.ToString());
  const auto* cf = g_world->store->cf("children");
  // GT sent no handover: no peer makes one appear as sent by GT, or as a record of GT's.
  for (const char* prefix : {"o|", "q|", "R|", "H|"}) {
    auto it = g_world->store->ScanPrefix(cf, prefix);
    FUZZ_CHECK_MSG(!it->Valid(), std::string("a peer wrote ") + std::string(it->key()));
  }
  // A received copy lives under a member other than GT.
  for (auto it = g_world->store->ScanPrefix(cf, "i|"); it->Valid(); it->Next()) {
    FUZZ_CHECK_MSG(absl::StartsWith(it->key(), "i|HN|") || absl::StartsWith(it->key(), "i|MX|"),
                   std::string("a copy kept under ") + std::string(it->key()));
  }
  return 0;
}
