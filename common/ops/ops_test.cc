// The ops port's pieces: the HTTP endpoints over loopback, the metrics' text, the method set.
#include <atomic>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ops/metrics.h"
#include "common/ops/ops_server.h"
#include "common/ops/rpc_observer.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace enlace::ops {
namespace {

TEST(OpsServerTest, HealthReadinessMetricsAndTheRest) {
  std::atomic<bool> draining{false};
  OpsHandlers h;
  h.ready = [&draining]() {
    return draining ? absl::UnavailableError("draining") : absl::OkStatus();
  };
  h.metrics = [] { return std::string("# TYPE x gauge\nx 1\n"); };
  auto server = OpsServer::Start("127.0.0.1:0", h);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);

  auto r = client.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
  r = client.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  draining = true;
  r = client.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "not ready: draining\n");
  r = client.Get("/healthz");  // alive while draining
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = client.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r->body, "# TYPE x gauge\nx 1\n");
  r = client.Get("/metrics/../etc/passwd");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);

  // A second server on the same port fails loudly.
  auto second = OpsServer::Start(absl::StrCat("127.0.0.1:", (*server)->port()), h);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  (*server)->Stop();
  EXPECT_FALSE(client.Get("/healthz"));
}

TEST(OpsServerTest, BadAddressIsAClearError) {
  OpsHandlers h{[] { return absl::OkStatus(); }, [] { return std::string(); }};
  for (const char* bad : {"", "9464", ":9464", "localhost:", "localhost:x", "localhost:70000"}) {
    auto s = OpsServer::Start(bad, h);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  std::string host;
  int port = -1;
  ASSERT_TRUE(ParseHostPort("[::1]:9464", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9464);
}

// Runs promtool check metrics over `text`; returns its exit status and output.
int Promtool(const std::string& text, std::string* output) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/metrics.txt");
  FILE* f = std::fopen(path.c_str(), "w");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  FILE* p = popen(absl::StrCat("/usr/bin/promtool check metrics < ", path, " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  return pclose(p);
}

TEST(MetricsTest, RendersObservedAndPulledFamilies) {
  Metrics metrics;
  metrics.ObserveRpc("enlace.cases.v1.CaseService/CreateCase", "OK", absl::Milliseconds(3));
  metrics.ObserveRpc("enlace.cases.v1.CaseService/CreateCase", "OK", absl::Milliseconds(30));
  metrics.ObserveRpc("enlace.cases.v1.CaseService/GetCase", "NOT_FOUND", absl::Milliseconds(1));
  metrics.ObserveCommit(3, absl::Microseconds(700));
  metrics.AddCollector([] {
    PulledFamily links{"enlace_federation_link_outbox_depth",
                       "Envelopes committed for the peer and not yet acknowledged"};
    links.Add(7, {{"peer", "GT"}}).Add(0, {{"peer", "HN"}});
    PulledFamily limited{"enlace_rate_limited_total", "Calls refused by the rate limit",
                         PulledFamily::Type::kCounter};
    limited.Add(2);
    return std::vector<PulledFamily>{links, limited};
  });
  const std::string text = metrics.Render();
  for (const char* want : {
           "# TYPE enlace_rpc_duration_seconds histogram",
           "enlace_rpc_duration_seconds_count{code=\"OK\",method=\"enlace.cases.v1.CaseService/"
           "CreateCase\"} 2",
           "enlace_rpc_duration_seconds_bucket{code=\"OK\",method=\"enlace.cases.v1.CaseService/"
           "CreateCase\",le=\"0.005\"} 1",
           "enlace_rpc_duration_seconds_count{code=\"NOT_FOUND\",method=\"enlace.cases.v1."
           "CaseService/GetCase\"} 1",
           "enlace_commit_batch_transactions_bucket{le=\"2\"} 0",
           "enlace_commit_batch_transactions_bucket{le=\"4\"} 1",
           "enlace_commit_sync_seconds_count 1",
           "# TYPE enlace_federation_link_outbox_depth gauge",
           "enlace_federation_link_outbox_depth{peer=\"GT\"} 7",
           "# TYPE enlace_rate_limited_total counter",
           "enlace_rate_limited_total 2",
       }) {
    EXPECT_TRUE(absl::StrContains(text, want)) << want << "\n" << text;
  }
  std::string out;
  EXPECT_EQ(Promtool(text, &out), 0) << out << "\n" << text;
  metrics.ClearCollectors();
  EXPECT_FALSE(absl::StrContains(metrics.Render(), "enlace_federation_link_outbox_depth"));
}

TEST(RpcObserverTest, MethodsOfListsEveryMethodOfAService) {
  // grpc.health.v1 is always there; a name not in the descriptor pool adds nothing.
  std::set<std::string> methods = MethodsOf({"no.such.Service"});
  EXPECT_EQ(methods, (std::set<std::string>{"/grpc.health.v1.Health/Check",
                                            "/grpc.health.v1.Health/Watch"}));
  methods = MethodsOf({"google.protobuf.NoService"});
  EXPECT_EQ(methods.size(), 2u);
  EXPECT_STREQ(CodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  EXPECT_STREQ(CodeName(grpc::StatusCode::OK), "OK");
}

}  // namespace
}  // namespace enlace::ops
