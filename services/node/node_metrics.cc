#include "services/node/node_metrics.h"

#include <string>
#include <utility>

namespace enlace::node {
namespace {

using Family = ops::PulledFamily;

double Seconds(const google::protobuf::Timestamp& t) {
  return static_cast<double>(t.seconds()) + t.nanos() / 1e9;
}

}  // namespace

std::vector<Family> FederationFamilies(const federation::v1::FederationStatus& status) {
  Family version{"enlace_federation_manifest_version", "Version of the manifest in force"};
  version.Add(static_cast<double>(status.manifest_version()));
  Family connected{"enlace_federation_link_connected",
                   "1 while the outgoing stream to the peer is established"};
  Family queued{"enlace_federation_link_queued_seq",
                "Last envelope sequence number committed for the peer"};
  Family sent{"enlace_federation_link_sent_seq", "Last sequence number sent to the peer"};
  Family acked{"enlace_federation_link_acked_seq",
               "Last sequence number the peer acknowledged"};
  Family depth{"enlace_federation_link_outbox_depth",
               "Envelopes committed for the peer and not yet acknowledged"};
  Family lag{"enlace_federation_link_lag_seconds",
             "Age of the oldest unacknowledged envelope for the peer (0 when none)"};
  Family error{"enlace_federation_link_error",
               "1 when the link's last attempt failed (the reason: enlacectl federation status)"};
  Family error_time{"enlace_federation_link_last_error_timestamp_seconds",
                    "Unix time of the link's last error (0 when none)"};
  Family halted{"enlace_federation_link_halted",
                "1 when the outgoing link is stopped for an operator (logs disagree)"};
  Family applied{"enlace_federation_inbound_applied_seq",
                 "Last sequence number of the peer's envelopes applied here"};
  Family quarantined{"enlace_federation_inbound_quarantined",
                     "Envelopes from the peer held in quarantine"};
  for (const auto& p : status.peers()) {
    const std::vector<std::pair<std::string, std::string>> peer = {{"peer", p.country()}};
    connected.Add(p.connected() ? 1 : 0, peer);
    queued.Add(static_cast<double>(p.last_seq_queued()), peer);
    sent.Add(static_cast<double>(p.last_seq_sent()), peer);
    acked.Add(static_cast<double>(p.last_seq_acked()), peer);
    depth.Add(static_cast<double>(p.outbox_depth()), peer);
    lag.Add(p.lag_seconds(), peer);
    error.Add(p.last_error().empty() ? 0 : 1, peer);
    error_time.Add(p.has_last_error_time() ? Seconds(p.last_error_time()) : 0, peer);
    halted.Add(p.halted() ? 1 : 0, peer);
    applied.Add(static_cast<double>(p.inbound_applied_seq()), peer);
    quarantined.Add(static_cast<double>(p.quarantined()), peer);
  }
  return {version, connected, queued, sent,    acked,   depth,
          lag,     error,     error_time, halted, applied, quarantined};
}

std::vector<Family> StoreFamilies(const storage::Store::Stats& stats) {
  Family wal{"enlace_store_wal_bytes", "Bytes of the store's live write-ahead log files"};
  wal.Add(static_cast<double>(stats.wal_bytes));
  Family stopped{"enlace_store_write_stopped", "1 while RocksDB stops writes (a stall)"};
  stopped.Add(stats.write_stopped ? 1 : 0);
  Family delayed{"enlace_store_delayed_write_rate_bytes",
                 "Write rate RocksDB allows while slowing writes down (0 when not)"};
  delayed.Add(static_cast<double>(stats.delayed_write_rate));
  Family sst{"enlace_store_sst_bytes", "Bytes of SST files, by column family"};
  Family mem{"enlace_store_memtable_bytes", "Bytes in memtables, by column family"};
  Family pending{"enlace_store_pending_compaction_bytes",
                 "Estimated bytes compaction must rewrite, by column family"};
  Family slowdowns{"enlace_store_write_slowdowns_total",
                   "Writes slowed down by RocksDB since the store opened, by column family",
                   Family::Type::kCounter};
  Family stops{"enlace_store_write_stops_total",
               "Write stops by RocksDB since the store opened, by column family",
               Family::Type::kCounter};
  for (const auto& f : stats.families) {
    const std::vector<std::pair<std::string, std::string>> cf = {{"cf", f.name}};
    sst.Add(static_cast<double>(f.sst_bytes), cf);
    mem.Add(static_cast<double>(f.memtable_bytes), cf);
    pending.Add(static_cast<double>(f.pending_compaction_bytes), cf);
    slowdowns.Add(static_cast<double>(f.stalls_slowdown), cf);
    stops.Add(static_cast<double>(f.stalls_stop), cf);
  }
  return {wal, stopped, delayed, sst, mem, pending, slowdowns, stops};
}

std::vector<Family> NodeFamilies(uint64_t audit_records, int64_t rate_limited, bool ready) {
  Family audit{"enlace_audit_records", "Length of the hash-chained audit log (last sequence)"};
  audit.Add(static_cast<double>(audit_records));
  Family limited{"enlace_rate_limited_total",
                 "Calls refused by the per-identity rate limit (RESOURCE_EXHAUSTED)",
                 Family::Type::kCounter};
  limited.Add(static_cast<double>(rate_limited));
  Family up{"enlace_ready", "1 when /readyz answers 200"};
  up.Add(ready ? 1 : 0);
  return {audit, limited, up};
}

}  // namespace enlace::node
