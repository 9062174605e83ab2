#ifndef ENLACE_TOOLS_ENLACECTL_CALL_H_
#define ENLACE_TOOLS_ENLACECTL_CALL_H_

// How enlacectl calls a node and prints what it answers: one unary call with the command's
// deadline, every page of a list, and the printer of resources, tables, JSON lines and errors.
// Internal to enlacectl (client.cc runs commands with it, commands.cc declares them with it).

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "tools/enlacectl/cli.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {

// One unary call with the command's deadline; the result as an absl::Status that keeps the
// field violations.
template <typename Response, typename Call>
absl::StatusOr<Response> CallRpc(const GlobalOptions& options, Call call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options.timeout));
  Response response;
  absl::Status status = FromGrpcStatus(call(&context, &response));
  if (!status.ok()) return status;
  return response;
}

// A failed result with an UNIMPLEMENTED status explained by `hint` (none when empty).
template <typename T>
absl::StatusOr<T> ExplainOr(absl::StatusOr<T> result, absl::string_view hint) {
  if (result.ok() || hint.empty()) return result;
  return ExplainUnimplemented(result.status(), hint);
}

class Printer {
 public:
  Printer(const GlobalOptions& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err) {}

  bool json() const { return options_.json; }

  // One resource: a JSON line, or `field: value` lines.
  template <typename T>
  int Resource(const absl::StatusOr<T>& result) {
    if (!result.ok()) return Error(result.status());
    if (json()) return Json(*result);
    Text(FormatFields(*result));
    return 0;
  }

  int Json(const google::protobuf::Message& m) {
    auto line = JsonLine(m);
    if (!line.ok()) return Error(line.status());
    out_ << *line << std::flush;
    return 0;
  }

  void Text(const std::string& text) { out_ << text << std::flush; }

  int Error(const absl::Status& status) {
    err_ << FormatError(status);
    if (status.code() == absl::StatusCode::kUnavailable && options_.cert_file.empty()) {
      // The node requires a client certificate; without one the TLS handshake fails.
      err_ << "  (no client certificate given: use --cert/--key, --tls_dir or ENLACE_CERT/"
              "ENLACE_KEY)\n";
    }
    err_ << std::flush;
    return 1;
  }

  void Note(const std::string& text) { err_ << text << std::flush; }

 private:
  const GlobalOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
};

// One page, or every page with --all. JSON prints each page's response as it arrives; a
// table needs every row first to align its columns.
// `unimplemented_hint` explains an UNIMPLEMENTED answer (see ExplainUnimplemented).
template <typename Response, typename Request, typename Call, typename Table>
int Paged(Request request, bool all, const GlobalOptions& options, Call rpc, Table table,
          Printer& printer, absl::string_view unimplemented_hint = "") {
  Response rows;
  std::string next;
  while (true) {
    auto page = CallRpc<Response>(
        options, [&](grpc::ClientContext* c, Response* r) { return rpc(c, request, r); });
    if (!page.ok()) {
      return printer.Error(unimplemented_hint.empty()
                               ? page.status()
                               : ExplainUnimplemented(page.status(), unimplemented_hint));
    }
    next = page->next_page_token();
    if (printer.json()) {
      if (int rc = printer.Json(*page); rc != 0) return rc;
    } else {
      rows.MergeFrom(*page);
    }
    if (!all || next.empty()) break;
    request.set_page_token(next);
  }
  if (!printer.json()) printer.Text(table(rows));
  if (!next.empty() && !all) {
    printer.Note(absl::StrCat("more results: repeat with page_token=", next, " (or --all)\n"));
  }
  return 0;
}


// Every page of a list, merged into one response (for `inbox`, which shows everything).
template <typename Response, typename Request, typename Call>
absl::StatusOr<Response> AllPages(Request request, const GlobalOptions& options, Call rpc) {
  Response all;
  while (true) {
    auto page = CallRpc<Response>(
        options, [&](grpc::ClientContext* c, Response* r) { return rpc(c, request, r); });
    if (!page.ok()) return page.status();
    const std::string next = page->next_page_token();
    all.MergeFrom(*page);
    if (next.empty()) break;
    request.set_page_token(next);
  }
  all.clear_next_page_token();
  return all;
}

// What a command's runner works with: the channel to the node, the options and the printer.
struct Session {
  const GlobalOptions& options;
  std::shared_ptr<grpc::Channel> channel;
  Printer& printer;
  std::ostream& out;
  std::ostream& err;
};

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_CALL_H_
