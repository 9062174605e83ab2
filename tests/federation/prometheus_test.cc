// A real Prometheus (Debian's /usr/bin/prometheus) scrapes the ops ports of two federated
// enlace-node processes on loopback; the test asks Prometheus' HTTP API, not the nodes, so
// what is checked is what an operator's Prometheus sees. Waits are bounded polls.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

constexpr char kPrometheus[] = "/usr/bin/prometheus";

class PrometheusTest : public FederationFixture {
 protected:
  void TearDown() override {
    if (prometheus_ > 0) {
      kill(prometheus_, SIGTERM);
      int status = 0;
      waitpid(prometheus_, &status, 0);
    }
    FederationFixture::TearDown();
  }

  // Starts Prometheus scraping `targets` every second; waits until it is ready.
  void StartPrometheus(const std::vector<std::pair<std::string, int>>& targets) {
    const std::string dir = MakeTempDir("prometheus");
    std::string config =
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
        "  - job_name: enlace\n    static_configs:\n";
    for (const auto& [country, port] : targets) {
      absl::StrAppend(&config, "      - targets: ['127.0.0.1:", port, "']\n",
                      "        labels: {member: '", country, "'}\n");
    }
    std::ofstream(dir + "/prometheus.yml") << config;
    port_ = PickFreePort();
    log_path_ = dir + "/prometheus.log";
    const std::vector<std::string> args = {
        kPrometheus,
        "--config.file=" + dir + "/prometheus.yml",
        "--storage.tsdb.path=" + dir + "/tsdb",
        absl::StrCat("--web.listen-address=127.0.0.1:", port_),
        "--web.console.templates=" + dir,
        "--web.console.libraries=" + dir,
    };
    prometheus_ = fork();
    ASSERT_GE(prometheus_, 0);
    if (prometheus_ == 0) {
      int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(kPrometheus, argv.data());
      _exit(127);
    }
    ASSERT_TRUE(WaitFor(
        [&] {
          httplib::Client c("127.0.0.1", port_);
          c.set_connection_timeout(1, 0);
          auto r = c.Get("/-/ready");
          return r && r->status == 200;
        },
        absl::Seconds(60)))
        << "prometheus not ready; its log:\n"
        << Log();
  }

  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // The instant vector of `promql`: each series' labels and value ("data.result").
  std::vector<std::pair<std::map<std::string, std::string>, double>> Query(
      const std::string& promql) {
    std::vector<std::pair<std::map<std::string, std::string>, double>> out;
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(5, 0);
    auto r = c.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
    if (!r || r->status != 200) return out;
    google::protobuf::Struct body;
    if (!google::protobuf::util::JsonStringToMessage(r->body, &body).ok()) return out;
    const auto& result =
        body.fields().at("data").struct_value().fields().at("result").list_value();
    for (const auto& series : result.values()) {
      std::map<std::string, std::string> labels;
      for (const auto& [k, v] : series.struct_value().fields().at("metric").struct_value().fields()) {
        labels[k] = v.string_value();
      }
      const auto& value = series.struct_value().fields().at("value").list_value();
      out.push_back({labels, std::stod(value.values(1).string_value())});
    }
    return out;
  }

  // The value of the one series `promql` returns, or -1 when it returns none or several.
  double One(const std::string& promql) {
    auto v = Query(promql);
    return v.size() == 1 ? v[0].second : -1;
  }

  pid_t prometheus_ = -1;
  int port_ = 0;
  std::string log_path_;
};

TEST_F(PrometheusTest, ScrapesTwoFederatedNodes) {
  if (access(kPrometheus, X_OK) != 0) {
    GTEST_SKIP() << kPrometheus << " is not installed (deploy/setup.sh installs it)";
  }
  Init({"MX", "GT"}, {"MX", "GT"});
  std::vector<std::pair<std::string, int>> targets;
  for (const std::string country : {"MX", "GT"}) {
    auto& m = federation_->member(country);
    m.config.mutable_ops()->set_address("127.0.0.1:0");
    m.config.mutable_ops()->set_port_file(m.dir + "/ops_port");
    // One node logs JSON: every line it writes must be one JSON object.
    if (country == "GT") m.config.mutable_ops()->set_log_format("json");
    StartNode(country);
    int port = 0;
    std::ifstream(m.dir + "/ops_port") >> port;
    ASSERT_GT(port, 0);
    targets.push_back({country, port});
  }
  // A directory entry of MX travels to GT: an envelope queued, sent and acknowledged.
  ASSERT_FALSE(CreateOrg("MX", "Albergue Belén").empty());
  ASSERT_TRUE(WaitFor([&] { return ListOrgs("GT", "MX").size() == 1; }, absl::Seconds(30)));
  StartPrometheus(targets);

  // Both targets up, as Prometheus sees them.
  ASSERT_TRUE(WaitFor([&] { return One("sum(up{job=\"enlace\"})") == 2; }, absl::Seconds(60)))
      << Log();
  // MX's link to GT: the envelope acknowledged, nothing left in the outbox.
  ASSERT_TRUE(WaitFor(
      [&] {
        return One("enlace_federation_link_acked_seq{member=\"MX\",peer=\"GT\"}") >= 1 &&
               One("enlace_federation_link_outbox_depth{member=\"MX\",peer=\"GT\"}") == 0 &&
               One("enlace_federation_link_connected{member=\"MX\",peer=\"GT\"}") == 1;
      },
      absl::Seconds(60)));
  EXPECT_GE(One("enlace_federation_inbound_applied_seq{member=\"GT\",peer=\"MX\"}"), 1);
  // The call that created it, by method and code, with its latency histogram.
  ASSERT_TRUE(WaitFor(
      [&] {
        return One("sum(enlace_rpc_duration_seconds_count{member=\"MX\",code=\"OK\","
                   "method=\"enlace.directory.v1.DirectoryService/CreateOrganisation\"})") == 1;
      },
      absl::Seconds(60)));
  EXPECT_EQ(One("sum(enlace_rpc_duration_seconds_bucket{member=\"MX\",le=\"+Inf\","
                "method=\"enlace.directory.v1.DirectoryService/CreateOrganisation\"})"),
            1);
  EXPECT_GE(One("enlace_audit_records{member=\"MX\"}"), 1);
  EXPECT_EQ(One("enlace_ready{member=\"GT\"}"), 1);
  EXPECT_GT(One("enlace_store_wal_bytes{member=\"GT\"}"), 0);
  EXPECT_GE(One("sum(enlace_commit_batch_transactions_count{member=\"MX\"})"), 1);

  // GT's log: one JSON object per line (protobuf's strict parser), with the ready event.
  std::ifstream in(nodes_.at("GT")->log_path());
  std::string line;
  int lines = 0;
  bool ready = false;
  while (std::getline(in, line)) {
    google::protobuf::Struct object;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok()) << line;
    ready = ready || (object.fields().count("event") > 0 &&
                       object.fields().at("event").string_value() == "ready");
    ++lines;
  }
  EXPECT_GT(lines, 1);
  EXPECT_TRUE(ready);
}

}  // namespace
}  // namespace enlace::testing
