#ifndef ENLACE_TOOLS_ENLACECTL_RUNNERS_H_
#define ENLACE_TOOLS_ENLACECTL_RUNNERS_H_

// The building blocks of command entries, shared by commands.cc (the core list) and each
// domain's own file (children_commands.cc, ...): builders of requests on one named resource,
// and runners that call a stub method and print its answer. Internal to enlacectl.

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/client_context.h"
#include "tools/enlacectl/args.h"
#include "tools/enlacectl/call.h"
#include "tools/enlacectl/cli.h"
#include "tools/enlacectl/commands.h"

namespace enlace::cli {

// A request whose only input is the NAME of its resource (get, accept, ack, ...).
template <typename R>
Builder ByName(absl::string_view collection, absl::string_view what) {
  return [collection, what](BuildInput& in) -> std::unique_ptr<google::protobuf::Message> {
    auto req = std::make_unique<R>();
    req->set_name(ExpandName(in.Name(what), in.context.country, collection));
    return req;
  };
}

// A request on one resource that also takes `keys` (close a case, reject a referral, ...).
template <typename R>
Builder ByNameWithKeys(absl::string_view collection, absl::string_view what,
                       const std::vector<Key>& (*keys)()) {
  return [collection, what, keys](BuildInput& in) -> std::unique_ptr<google::protobuf::Message> {
    auto req = std::make_unique<R>();
    req->set_name(ExpandName(in.Name(what), in.context.country, collection));
    ApplyKeys(in.args, keys(), req.get(), in.context, nullptr);
    return req;
  };
}

// A unary method of a generated stub.
template <typename Stub, typename Req, typename Resp>
using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Req&, Resp*);

// One call of `method` with the command's deadline; UNIMPLEMENTED explained by `hint`.
template <typename Stub, typename Req, typename Resp>
absl::StatusOr<Resp> Call(Session& s, Method<Stub, Req, Resp> method, const Req& req,
                          absl::string_view hint) {
  Stub stub(s.channel);
  return ExplainOr(CallRpc<Resp>(s.options, [&](grpc::ClientContext* c,
                                                Resp* r) { return (stub.*method)(c, req, r); }),
                   hint);
}

// One call; the answer printed as one resource (`field: value` lines), or as `text(request,
// response)` says; with --json, the response as one JSON line.
template <typename Stub, typename Req, typename Resp, typename Text = std::nullptr_t>
Runner Show(Method<Stub, Req, Resp> method, absl::string_view hint = "", Text text = nullptr) {
  return [method, hint, text](const Command& command, Session& s) {
    const auto& req = command.As<Req>();
    auto response = Call(s, method, req, hint);
    if constexpr (std::is_same_v<Text, std::nullptr_t>) {
      return s.printer.Resource(response);
    } else {
      if (!response.ok()) return s.printer.Error(response.status());
      if (s.printer.json()) return s.printer.Json(*response);
      s.printer.Text(text(req, *response));
      return 0;
    }
  };
}

// One page, or every page with --all, printed by `table(request, rows)`.
template <typename Stub, typename Req, typename Resp, typename Table>
Runner List(Method<Stub, Req, Resp> method, Table table, absl::string_view hint = "") {
  return [method, table, hint](const Command& command, Session& s) {
    const auto& req = command.As<Req>();
    Stub stub(s.channel);
    return Paged<Resp>(
        req, command.all_pages, s.options,
        [&](grpc::ClientContext* c, const Req& r, Resp* out) { return (stub.*method)(c, r, out); },
        [&](const Resp& rows) { return table(req, rows); }, s.printer, hint);
  };
}

// A table of the rows alone.
template <typename Resp>
auto Rows(std::string (*table)(const Resp&)) {
  return [table](const auto&, const Resp& rows) { return table(rows); };
}

// The text of a response that prints as a table (`crisis list`, `board`, ...).
template <typename Resp>
auto TextOf(std::string (*text)(const Resp&)) {
  return [text](const auto&, const Resp& response) { return text(response); };
}

// `pages` of a CommandSpec, named.
inline constexpr bool kPages = true;

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_RUNNERS_H_
