#include "tests/testing/test_env.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/signing.h"
#include "common/testing/postgres_server.h"
#include "enlace/federation/v1/manifest.pb.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace enlace::testing {

std::string MakeTempDir(const std::string& tag) {
  const char* base = getenv("TEST_TMPDIR");
  std::string tmpl = absl::StrCat(base ? base : "/tmp", "/", tag, "_XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) abort();
  return tmpl;
}

absl::StatusOr<TestPki> TestPki::Create(const std::string& dir, const std::string& country) {
  TestPki t;
  t.dir_ = dir;
  auto ca = pki::MakeCa(absl::StrCat("Enlace test CA ", country), absl::Hours(24));
  if (!ca.ok()) return ca.status();
  t.ca_ = *ca;
  pki::IssueOptions o;
  o.common_name = "node";
  o.dns_names = {"localhost"};
  o.ip_addresses = {"127.0.0.1"};
  o.uris = {absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/node")};
  o.server = true;
  o.client = true;  // the node certificate also authenticates it to its peers
  auto node = pki::IssueCert(*ca, o);
  if (!node.ok()) return node.status();
  for (auto [name, contents] : {std::pair<std::string, std::string>{"ca.pem", ca->cert_pem},
                                {"node.pem", node->cert_pem},
                                {"node.key", node->key_pem}}) {
    if (auto s = pki::WriteFile(dir + "/" + name, contents, 0600); !s.ok()) return s;
  }
  return t;
}

absl::StatusOr<pki::CertAndKey> TestPki::Client(const std::string& uri) const {
  pki::IssueOptions o;
  o.common_name = "client";
  if (!uri.empty()) o.uris = {uri};
  o.client = true;
  return pki::IssueCert(ca_, o);
}

enlace::node::v1::NodeConfig TestNodeConfig(const std::string& dir, const std::string& country) {
  enlace::node::v1::NodeConfig c;
  c.set_country(country);
  const char* posts[][4] = {{"LAX", "Los Angeles", "US", "US-CA"},
                            {"CHI", "Chicago", "US", "US-IL"},
                            {"GUA", "Ciudad de Guatemala", "GT", "GT-GU"},
                            {"TAP", "Tapachula", "MX", "MX-CHP"}};
  for (const auto& p : posts) {
    auto* post = c.add_posts();
    post->set_code(absl::StrCat(country, "-", p[0]));
    post->set_city(p[1]);
    post->set_host_country(p[2]);
    post->add_areas(p[3]);
  }
  c.set_data_dir(dir + "/data");
  // bazel test --config=pg: the node's store is a database of its own on a throwaway
  // PostgreSQL (the same `dir` gives the same database, so a restarted node finds its data).
  if (const std::string conninfo = TestStoreConninfo(dir + "/data"); !conninfo.empty()) {
    c.mutable_storage()->mutable_postgres()->set_conninfo(conninfo);
  }
  c.set_api_address("127.0.0.1:0");
  c.mutable_api_tls()->set_cert_file(dir + "/node.pem");
  c.mutable_api_tls()->set_key_file(dir + "/node.key");
  c.mutable_api_tls()->set_client_ca_file(dir + "/ca.pem");
  c.set_port_file(dir + "/port");
  // A master key for the node's key vault (kept if the node restarts on the same dir).
  const std::string key_file = dir + "/master.key";
  if (access(key_file.c_str(), F_OK) != 0) {
    auto body = crypto::NewMasterKeyFile();
    if (!body.ok() || !pki::WriteFile(key_file, *body, 0600).ok()) abort();
  }
  c.mutable_security()->set_master_key_file(key_file);
  // Load tests drive one identity hard; the limiter has its own tests.
  c.mutable_security()->set_rate_per_second(1e6);
  c.mutable_security()->set_rate_burst(1e6);
  return c;
}

std::shared_ptr<grpc::Channel> MakeChannel(int port, const pki::CertAndKey& server_ca,
                                           const pki::CertAndKey* client) {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = server_ca.cert_pem;
  if (client != nullptr) {
    o.pem_cert_chain = client->cert_pem;
    o.pem_private_key = client->key_pem;
  }
  grpc::ChannelArguments args;
  // Each channel its own connection, so concurrent clients are really concurrent.
  args.SetInt("enlace.test.channel_id", rand());
  // Nodes are killed and restarted in tests: reconnect quickly.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return grpc::CreateCustomChannel(absl::StrCat("localhost:", port), grpc::SslCredentials(o), args);
}

namespace {

// The kernel's range for the local ports of outgoing connections ("32768 60999" by default).
std::pair<int, int> EphemeralPortRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  if (!(in >> low >> high) || low <= 1024) return {32768, 60999};
  return {low, high};
}

bool CanBind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

// Reserves `port` among this machine's test processes for the life of this one: two tests
// running at once could otherwise both find the same port free before either node binds it
// (seen in CI: "cannot listen for federation ... Address already in use"). An flock on a file
// per port, held by an open descriptor never closed (released when the process exits); a
// second reservation in the same process fails too (flock is per open file).
bool ReservePort(int port) {
  const char* dir = "/tmp/enlace-test-ports";
  mkdir(dir, 01777);
  const std::string path = absl::StrCat(dir, "/", port);
  const int fd = open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) return true;  // cannot reserve here: the bind check alone decides
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  return true;
}

// A node's address must stay the same while it is killed and restarted (the manifest and the
// clients name it). A port from the ephemeral range can meanwhile be taken by any outgoing
// connection on the machine (another test's client), and the restart then fails with
// "Address already in use": so ports come from below that range, at random, checked free.
int PickFreePort() {
  static std::mt19937 rng(static_cast<uint32_t>(getpid()) * 2654435761u ^
                          static_cast<uint32_t>(absl::ToUnixNanos(absl::Now())));
  const auto [low, high] = EphemeralPortRange();
  (void)high;
  const int first = 10000, last = std::max(first + 1000, low - 1);
  std::uniform_int_distribution<int> pick(first, last);
  for (int attempt = 0; attempt < 500; ++attempt) {
    const int port = pick(rng);
    if (CanBind(port) && ReservePort(port)) return port;
  }
  return 0;
}

absl::StatusOr<std::unique_ptr<TestFederation>> TestFederation::Create(
    const std::string& base_dir, const std::vector<std::string>& countries) {
  auto f = std::make_unique<TestFederation>();
  f->manifest_path_ = base_dir + "/manifest.textproto";
  for (const auto& country : countries) {
    auto m = std::make_unique<Member>();
    m->country = country;
    m->dir = base_dir + "/" + country;
    mkdir(m->dir.c_str(), 0700);
    auto pki = TestPki::Create(m->dir, absl::AsciiStrToLower(country));
    if (!pki.ok()) return pki.status();
    m->pki = std::make_unique<TestPki>(*pki);
    auto keys = crypto::GenerateEd25519();
    if (!keys.ok()) return keys.status();
    m->signing_private_pem = keys->private_pem;
    m->signing_public_pem = keys->public_pem;
    if (auto s = pki::WriteFile(m->dir + "/signing.key", keys->private_pem, 0600); !s.ok()) {
      return s;
    }
    m->api_port = PickFreePort();
    m->federation_port = PickFreePort();
    m->config = TestNodeConfig(m->dir, country);
    if (country == kSecretariatCode) {
      m->config.set_secretariat(true);
      m->config.clear_posts();
    }
    m->config.set_api_address(absl::StrCat("127.0.0.1:", m->api_port));
    auto* fed = m->config.mutable_federation();
    fed->set_address(absl::StrCat("127.0.0.1:", m->federation_port));
    fed->set_manifest_file(f->manifest_path_);
    fed->set_signing_key_file(m->dir + "/signing.key");
    auto client = m->pki->Client(absl::StrCat("spiffe://", absl::AsciiStrToLower(country),
                                              ".enlace.example/role/operator/user/test"));
    if (!client.ok()) return client.status();
    m->client = *client;
    f->members_[country] = std::move(m);
  }
  return f;
}

absl::Status TestFederation::WriteManifest(
    const std::vector<std::string>& countries, int64_t version,
    const std::map<std::string, std::string>& endpoint_override) {
  enlace::federation::v1::FederationManifest manifest;
  manifest.set_version(version);
  for (const auto& c : countries) {
    const Member& m = *members_.at(c);
    auto* e = manifest.add_members();
    e->set_country(c);
    auto o = endpoint_override.find(c);
    e->set_federation_endpoint(
        o != endpoint_override.end() ? o->second : absl::StrCat("127.0.0.1:", m.federation_port));
    e->set_node_identity(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(c), ".enlace.example/node"));
    e->set_signing_public_key_pem(m.signing_public_pem);
    e->set_tls_ca_pem(m.pki->ca().cert_pem);
    if (c == kSecretariatCode) e->set_kind(enlace::federation::v1::MEMBER_KIND_SECRETARIAT);
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(manifest, &text);
  return pki::WriteFile(manifest_path_, text, 0644);
}

std::string RunfilePath(const std::string& relative) {
  const char* srcdir = getenv("TEST_SRCDIR");
  if (srcdir != nullptr) return absl::StrCat(srcdir, "/enlace/", relative);
  return relative;  // run from the workspace's bazel-bin
}

absl::StatusOr<std::unique_ptr<NodeProcess>> NodeProcess::Start(
    const enlace::node::v1::NodeConfig& config, const std::string& work_dir) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(config, &text);
  const std::string config_path = work_dir + "/node.textproto";
  { std::ofstream(config_path) << text; }
  unlink(config.port_file().c_str());
  auto p = absl::WrapUnique(new NodeProcess());
  p->log_path_ = work_dir + "/node.log";
  const std::string binary = RunfilePath(config.secretariat() ? "services/node/enlace-secretariat"
                                                              : "services/node/enlace-node");
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    int fd = open(p->log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execl(binary.c_str(), binary.c_str(), ("--config=" + config_path).c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  p->pid_ = pid;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    std::ifstream in(config.port_file());
    int port = 0, federation_port = 0;
    if (in >> port >> federation_port && port > 0) {
      p->port_ = port;
      p->federation_port_ = federation_port;
      return p;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      p->pid_ = -1;
      std::ifstream log(p->log_path_);
      std::stringstream ss;
      ss << log.rdbuf();
      return absl::InternalError(absl::StrCat("enlace-node exited early: ", ss.str()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::DeadlineExceededError("enlace-node did not start within 30 s");
}

int NodeProcess::Stop(int signo, absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signo);
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

std::string ReadTree(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
    all += '\0';
  }
  return all;
}

}  // namespace enlace::testing
