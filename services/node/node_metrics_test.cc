#include "services/node/node_metrics.h"

#include <map>
#include <string>

#include "gtest/gtest.h"

namespace enlace::node {
namespace {

// name -> (the sample's labels joined) -> value
std::map<std::string, std::map<std::string, double>> Flatten(
    const std::vector<ops::PulledFamily>& families) {
  std::map<std::string, std::map<std::string, double>> out;
  for (const auto& f : families) {
    for (const auto& s : f.samples) {
      std::string labels;
      for (const auto& [k, v] : s.labels) labels += k + "=" + v + ";";
      out[f.name][labels] = s.value;
    }
  }
  return out;
}

TEST(NodeMetricsTest, OneSamplePerPeerWithOnlyItsCode) {
  federation::v1::FederationStatus status;
  status.set_manifest_version(7);
  auto* gt = status.add_peers();
  gt->set_country("GT");
  gt->set_connected(true);
  gt->set_last_seq_queued(10);
  gt->set_last_seq_sent(9);
  gt->set_last_seq_acked(8);
  gt->set_outbox_depth(2);
  gt->set_lag_seconds(1.5);
  gt->set_inbound_applied_seq(4);
  auto* hn = status.add_peers();
  hn->set_country("HN");
  hn->set_last_error("connect failed: 10.0.0.3:7503");
  hn->mutable_last_error_time()->set_seconds(1764547200);
  hn->set_halted(true);
  hn->set_quarantined(3);
  auto m = Flatten(FederationFamilies(status));
  EXPECT_EQ(m["enlace_federation_manifest_version"][""], 7);
  EXPECT_EQ(m["enlace_federation_link_connected"]["peer=GT;"], 1);
  EXPECT_EQ(m["enlace_federation_link_connected"]["peer=HN;"], 0);
  EXPECT_EQ(m["enlace_federation_link_queued_seq"]["peer=GT;"], 10);
  EXPECT_EQ(m["enlace_federation_link_sent_seq"]["peer=GT;"], 9);
  EXPECT_EQ(m["enlace_federation_link_acked_seq"]["peer=GT;"], 8);
  EXPECT_EQ(m["enlace_federation_link_outbox_depth"]["peer=GT;"], 2);
  EXPECT_EQ(m["enlace_federation_link_lag_seconds"]["peer=GT;"], 1.5);
  EXPECT_EQ(m["enlace_federation_inbound_applied_seq"]["peer=GT;"], 4);
  EXPECT_EQ(m["enlace_federation_link_error"]["peer=GT;"], 0);
  EXPECT_EQ(m["enlace_federation_link_error"]["peer=HN;"], 1);
  EXPECT_EQ(m["enlace_federation_link_last_error_timestamp_seconds"]["peer=HN;"], 1764547200);
  EXPECT_EQ(m["enlace_federation_link_halted"]["peer=HN;"], 1);
  EXPECT_EQ(m["enlace_federation_inbound_quarantined"]["peer=HN;"], 3);
  // The error's text is never a label (it may name hosts, or worse).
  for (const auto& f : FederationFamilies(status)) {
    for (const auto& s : f.samples) {
      for (const auto& [k, v] : s.labels) {
        EXPECT_EQ(k, "peer");
        EXPECT_TRUE(v == "GT" || v == "HN") << v;
      }
    }
  }
}

TEST(NodeMetricsTest, StoreAndNodeFamilies) {
  storage::Store::Stats stats;
  stats.wal_bytes = 4096;
  stats.write_stopped = true;
  stats.families.push_back({"cases", 100, 200, 300, 4, 5});
  auto m = Flatten(StoreFamilies(stats));
  EXPECT_EQ(m["enlace_store_wal_bytes"][""], 4096);
  EXPECT_EQ(m["enlace_store_write_stopped"][""], 1);
  EXPECT_EQ(m["enlace_store_sst_bytes"]["cf=cases;"], 100);
  EXPECT_EQ(m["enlace_store_memtable_bytes"]["cf=cases;"], 200);
  EXPECT_EQ(m["enlace_store_pending_compaction_bytes"]["cf=cases;"], 300);
  EXPECT_EQ(m["enlace_store_write_slowdowns_total"]["cf=cases;"], 4);
  EXPECT_EQ(m["enlace_store_write_stops_total"]["cf=cases;"], 5);
  m = Flatten(NodeFamilies(42, 3, false));
  EXPECT_EQ(m["enlace_audit_records"][""], 42);
  EXPECT_EQ(m["enlace_rate_limited_total"][""], 3);
  EXPECT_EQ(m["enlace_ready"][""], 0);
}

}  // namespace
}  // namespace enlace::node
