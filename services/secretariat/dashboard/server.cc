#include "services/secretariat/dashboard/server.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/identity/caller.h"
#include "services/stats/measures.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"

namespace enlace::secretariat::dashboard {
namespace {

namespace v1 = ::enlace::secretariat::v1;

constexpr char kCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

// The only files served from vendor_dir: URL path -> path under vendor_dir.
const std::pair<const char*, const char*> kVendorFiles[] = {
    {"/vendor/uplot/uPlot.iife.min.js", "uplot/dist/uPlot.iife.min.js"},
    {"/vendor/uplot/uPlot.min.css", "uplot/dist/uPlot.min.css"},
    {"/vendor/uplot/LICENSE", "uplot/LICENSE"},
    // The map's boundaries (Natural Earth 1:110m as TopoJSON; ISO 3166-1 numeric ids).
    {"/vendor/world-atlas/countries-110m.json", "world-atlas/countries-110m.json"},
    {"/vendor/world-atlas/LICENSE", "world-atlas/LICENSE"},
};

const char* ContentType(absl::string_view path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWith(path, ext)) return type;
  }
  if (absl::EndsWith(path, "/LICENSE")) return "text/plain; charset=utf-8";
  return nullptr;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char esc[8];
          snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

void SendError(httplib::Response& res, int status, absl::string_view message,
               absl::string_view parameter = "") {
  res.status = status;
  std::string body = absl::StrCat("{\"error\":", JsonString(message));
  if (!parameter.empty()) absl::StrAppend(&body, ",\"parameter\":", JsonString(parameter));
  body += "}\n";
  res.set_header("Cache-Control", "no-store");
  res.set_content(body, "application/json");
}

int HttpStatus(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated: return 403;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: return 503;
    default: return 500;
  }
}

void SendProto(httplib::Response& res, const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.always_print_primitive_fields = true;
  std::string json;
  auto s = google::protobuf::util::MessageToJsonString(m, &json, o);
  if (!s.ok()) {
    SendError(res, 500, "cannot print the answer as JSON");
    return;
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json, "application/json");
}

// The URI SANs of the verified peer certificate of this connection.
std::vector<std::string> PeerUris(const SSL* ssl) {
  std::vector<std::string> uris;
  if (ssl == nullptr) return uris;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return uris;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
      if (n->type != GEN_URI) continue;
      const ASN1_IA5STRING* s = n->d.uniformResourceIdentifier;
      uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        ASN1_STRING_length(s));
    }
    GENERAL_NAMES_free(names);
  }
  X509_free(cert);
  return uris;
}

// The request's caller, who must be of the secretariat role; the message says why not otherwise.
absl::StatusOr<Caller> CheckCaller(const httplib::Request& req) {
  if (req.ssl == nullptr || SSL_get_verify_result(req.ssl) != X509_V_OK) {
    return absl::PermissionDeniedError("no verified client certificate");
  }
  std::vector<std::string> uris = PeerUris(req.ssl);
  if (uris.size() != 1) {
    return absl::PermissionDeniedError(
        "the client certificate must carry exactly one URI SAN (an Enlace identity)");
  }
  auto caller = ParseIdentity(uris[0]);
  if (!caller.ok()) return caller.status();
  if (caller->role != Role::kSecretariat) {
    return absl::PermissionDeniedError(
        absl::StrCat("the dashboard is for the secretariat role; this certificate is of the ",
                     RoleName(caller->role), " role"));
  }
  return *caller;
}

// Only these parameters; anything else is named in a 400.
bool OnlyParams(const httplib::Request& req, const std::set<std::string>& allowed,
                httplib::Response& res) {
  for (const auto& [name, value] : req.params) {
    if (allowed.count(name) == 0) {
      SendError(res, 400, absl::StrCat("unknown parameter \"", name, "\""), name);
      return false;
    }
  }
  return true;
}

bool SingleParam(const httplib::Request& req, const std::string& name, std::string* value,
                 httplib::Response& res) {
  size_t n = req.get_param_value_count(name);
  if (n > 1) {
    SendError(res, 400, absl::StrCat("parameter \"", name, "\" given more than once"), name);
    return false;
  }
  *value = n == 1 ? req.get_param_value(name) : "";
  return true;
}

bool ParseMeasure(const httplib::Request& req, std::string* measure, httplib::Response& res) {
  if (!SingleParam(req, "measure", measure, res)) return false;
  if (!measure->empty() && stats::FindMeasure(*measure) == nullptr) {
    SendError(res, 400, absl::StrCat("measure must be one of ", stats::MeasureNames()), "measure");
    return false;
  }
  return true;
}

bool ValidMonth(absl::string_view m) {
  if (m.size() != 7 || m[4] != '-') return false;
  int year = 0, month = 0;
  if (!absl::SimpleAtoi(m.substr(0, 4), &year) || !absl::SimpleAtoi(m.substr(5, 2), &month)) {
    return false;
  }
  for (int i : {0, 1, 2, 3, 5, 6}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(m[i]))) return false;
  }
  return year >= 1900 && month >= 1 && month <= 12;
}

// A path under the assets directory that may be served, or "" (404).
std::string AssetPath(const std::string& root_real, absl::string_view url_path) {
  if (url_path == "/" || url_path.empty()) url_path = "/index.html";
  if (url_path.size() > 256 || url_path[0] != '/') return "";
  for (absl::string_view part : absl::StrSplit(url_path.substr(1), '/')) {
    if (part.empty() || part[0] == '.') return "";  // "..", ".git", "//"
    for (char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
          c != '.') {
        return "";
      }
    }
  }
  if (ContentType(url_path) == nullptr) return "";
  // The checks above are the traversal defence (no "..", no dot files, no percent signs or
  // backslashes). Symlinks inside assets_dir are followed: Bazel's runfiles are symlinks, and
  // whoever can write assets_dir controls the page anyway.
  std::string joined = absl::StrCat(root_real, url_path);
  struct stat st;
  if (stat(joined.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  return joined;
}

bool ReadFile(const std::string& path, std::string* out) {
  FILE* f = fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  out->clear();
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  bool ok = ferror(f) == 0;
  fclose(f);
  return ok;
}

void SendFile(httplib::Response& res, const std::string& path, const char* type) {
  std::string body;
  if (!ReadFile(path, &body)) {
    SendError(res, 404, "not found");
    return;
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::move(body), type);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DashboardServer>> DashboardServer::Start(const Options& options,
                                                                         DashboardData* data) {
  if (data == nullptr) return absl::InvalidArgumentError("DashboardServer: no data source");
  // host:port
  size_t colon = options.address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(options.address).substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("dashboard address \"", options.address, "\" is not host:port"));
  }
  std::string host = options.address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  char buf[PATH_MAX];
  if (options.assets_dir.empty() || realpath(options.assets_dir.c_str(), buf) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("dashboard assets_dir \"", options.assets_dir, "\" does not exist"));
  }
  const std::string assets_real(buf);
  for (const std::string* f : {&options.cert_file, &options.key_file, &options.client_ca_file}) {
    struct stat st;
    if (f->empty() || stat(f->c_str(), &st) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("dashboard TLS file \"", *f, "\" cannot be read"));
    }
  }

  std::string tls_error;
  auto setup = [&](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(&ctx, options.cert_file.c_str()) != 1) {
      tls_error = "the certificate (cert_file) does not load";
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(&ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
      tls_error = "the private key (key_file) does not load or does not match the certificate";
      return false;
    }
    if (SSL_CTX_load_verify_locations(&ctx, options.client_ca_file.c_str(), nullptr) != 1) {
      tls_error = "the client CA (client_ca_file) does not load";
      return false;
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
    if (names == nullptr) {
      tls_error = "the client CA (client_ca_file) holds no certificate";
      return false;
    }
    SSL_CTX_set_client_CA_list(&ctx, names);
    // Browsers resume TLS sessions on their next connections; with peer verification OpenSSL
    // refuses a resumption unless the session id context is set (the browser then sees
    // ERR_SSL_PROTOCOL_ERROR). A resumed session keeps the verified client certificate.
    static const unsigned char kSessionContext[] = "enlace-secretariat-dashboard";
    SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
    // A client certificate is required; OpenSSL checks it against the "ssl_client" purpose
    // (extendedKeyUsage clientAuth) on the server side.
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return true;
  };
  auto server = std::unique_ptr<DashboardServer>(new DashboardServer());
  server->server_ = std::make_unique<httplib::SSLServer>(setup);
  httplib::SSLServer& http = *server->server_;
  if (!http.is_valid()) {
    return absl::FailedPreconditionError(absl::StrCat("dashboard TLS: ", tls_error));
  }

  http.set_default_headers({
      {"Content-Security-Policy", kCsp},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Strict-Transport-Security", "max-age=31536000"},
  });
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // process bind the same port and take half of the connections.
  http.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_payload_max_length(64 * 1024);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (auto s = CheckCaller(req); !s.ok()) {
      SendError(res, 403, s.status().message());
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, 500, "internal error");
      });

  http.Get("/api/months", [data](const httplib::Request& req, httplib::Response& res) {
    if (!OnlyParams(req, {"measure"}, res)) return;
    v1::ListMonthsRequest r;
    if (!ParseMeasure(req, r.mutable_measure(), res)) return;
    // Checked before routing already; parsed again for the audit's name.
    auto caller = CheckCaller(req);
    if (!caller.ok()) {
      SendError(res, 403, caller.status().message());
      return;
    }
    auto got = data->ListMonths(r, *caller);
    if (!got.ok()) {
      SendError(res, HttpStatus(got.status()), got.status().message());
      return;
    }
    SendProto(res, *got);
  });

  http.Get("/api/release", [data](const httplib::Request& req, httplib::Response& res) {
    if (!OnlyParams(req, {"month", "measure", "member"}, res)) return;
    v1::GetRegionalReleaseRequest r;
    if (!SingleParam(req, "month", r.mutable_month(), res)) return;
    if (r.month().empty()) {
      SendError(res, 400, "month is required (YYYY-MM)", "month");
      return;
    }
    if (!ValidMonth(r.month())) {
      SendError(res, 400, "month must be YYYY-MM", "month");
      return;
    }
    if (!ParseMeasure(req, r.mutable_measure(), res)) return;
    size_t n = req.get_param_value_count("member");
    if (n > 64) {
      SendError(res, 400, "too many members", "member");
      return;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < n; ++i) {
      std::string m = absl::AsciiStrToUpper(req.get_param_value("member", i));
      if (m.size() != 2 || !absl::ascii_isalpha(static_cast<unsigned char>(m[0])) ||
          !absl::ascii_isalpha(static_cast<unsigned char>(m[1]))) {
        SendError(res, 400, "member must be an ISO 3166-1 alpha-2 code, e.g. MX", "member");
        return;
      }
      if (seen.insert(m).second) r.add_members(m);
    }
    auto caller = CheckCaller(req);
    if (!caller.ok()) {
      SendError(res, 403, caller.status().message());
      return;
    }
    auto got = data->GetRegionalRelease(r, *caller);
    if (!got.ok()) {
      SendError(res, HttpStatus(got.status()), got.status().message());
      return;
    }
    SendProto(res, *got);
  });

  http.Get("/api/.*", [](const httplib::Request&, httplib::Response& res) {
    SendError(res, 404, "no such endpoint");
  });

  const std::string vendor_dir = options.vendor_dir;
  for (const auto& [url, rel] : kVendorFiles) {
    std::string file = absl::StrCat(vendor_dir, "/", rel);
    const char* type = ContentType(url);
    http.Get(url, [file, type](const httplib::Request&, httplib::Response& res) {
      SendFile(res, file, type);
    });
  }

  http.Get("/.*", [assets_real](const httplib::Request& req, httplib::Response& res) {
    std::string path = AssetPath(assets_real, req.path);
    if (path.empty()) {
      SendError(res, 404, "not found");
      return;
    }
    SendFile(res, path, ContentType(path));
  });

  if (port == 0) {
    server->port_ = http.bind_to_any_port(host);
    if (server->port_ <= 0) {
      return absl::UnavailableError(absl::StrCat("dashboard cannot bind ", options.address));
    }
  } else {
    if (!http.bind_to_port(host, port)) {
      return absl::UnavailableError(absl::StrCat("dashboard cannot bind ", options.address));
    }
    server->port_ = port;
  }
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs: a Stop() (or a destructor)
  // right after Start would then leave the loop running and the join waiting forever (the
  // CI saw it once in server_test). Return only once the loop runs.
  server->WaitUntilRunning();
  return server;
}

void DashboardServer::WaitUntilRunning() {
  for (int i = 0; i < 30000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void DashboardServer::Stop() {
  if (server_ != nullptr) {
    if (thread_.joinable()) WaitUntilRunning();  // see Start
    server_->stop();
  }
  if (thread_.joinable()) thread_.join();
}

DashboardServer::~DashboardServer() { Stop(); }

}  // namespace enlace::secretariat::dashboard
