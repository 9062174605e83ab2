#include "common/authz/policy.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enlace/options/v1/access.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"

namespace enlace::authz {
namespace {

namespace pb = ::google::protobuf;
using ::enlace::options::v1::Access;

Role FromProto(enlace::options::v1::Role role) {
  switch (role) {
    case enlace::options::v1::ROLE_OFFICER:
      return Role::kOfficer;
    case enlace::options::v1::ROLE_SUPERVISOR:
      return Role::kSupervisor;
    case enlace::options::v1::ROLE_OPERATOR:
      return Role::kOperator;
    case enlace::options::v1::ROLE_AUDITOR:
      return Role::kAuditor;
    case enlace::options::v1::ROLE_SECRETARIAT:
      return Role::kSecretariat;
    case enlace::options::v1::ROLE_NODE:
      return Role::kNode;
    default:
      return Role::kUnknown;  // never granted
  }
}

std::vector<PolicyRule> ReadTable() {
  // Every .proto compiled into this program registers itself in the generated database.
  std::vector<std::string> files;
  pb::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::sort(files.begin(), files.end());
  std::vector<PolicyRule> table;
  for (const std::string& name : files) {
    if (!absl::StartsWith(name, "enlace/")) continue;
    const pb::FileDescriptor* file = pb::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        if (!method->options().HasExtension(enlace::options::v1::access)) continue;
        const Access& access = method->options().GetExtension(enlace::options::v1::access);
        PolicyRule rule{absl::StrCat(service->full_name(), "/", method->name()), {}, access.note()};
        for (int role : access.roles()) {
          const Role r = FromProto(static_cast<enlace::options::v1::Role>(role));
          if (r != Role::kUnknown) rule.roles.push_back(r);
        }
        table.push_back(std::move(rule));
      }
    }
  }
  return table;
}

const absl::flat_hash_map<std::string, const PolicyRule*>& Index() {
  static const auto* index = [] {
    auto* map = new absl::flat_hash_map<std::string, const PolicyRule*>();
    for (const PolicyRule& rule : PolicyTable()) map->emplace(rule.method, &rule);
    return map;
  }();
  return *index;
}

}  // namespace

const std::vector<PolicyRule>& PolicyTable() {
  static const auto* table = new std::vector<PolicyRule>(ReadTable());
  return *table;
}

absl::Status CheckServiceDeclaresAccess(absl::string_view service) {
  const pb::ServiceDescriptor* descriptor =
      pb::DescriptorPool::generated_pool()->FindServiceByName(std::string(service));
  if (descriptor == nullptr) {
    return absl::NotFoundError(absl::StrCat("service ", service, " is not linked in"));
  }
  for (int m = 0; m < descriptor->method_count(); ++m) {
    if (!descriptor->method(m)->options().HasExtension(enlace::options::v1::access)) {
      return absl::FailedPreconditionError(
          absl::StrCat("method ", descriptor->method(m)->full_name(),
                       " has no (enlace.options.v1.access) option saying who may call it"));
    }
  }
  return absl::OkStatus();
}

bool PolicyAllows(absl::string_view method, Role role) {
  auto it = Index().find(method);
  if (it == Index().end()) return false;  // default deny
  const std::vector<Role>& roles = it->second->roles;
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string PolicyTableMarkdown() {
  // Column order of docs/security.md; kUnknown has no column (it is never granted).
  static constexpr Role kColumns[] = {Role::kOfficer, Role::kSupervisor,  Role::kOperator,
                                      Role::kAuditor, Role::kSecretariat, Role::kNode};
  std::string out = "| method |";
  std::string rule_line = "|---|";
  for (Role role : kColumns) {
    absl::StrAppend(&out, " ", RoleName(role), " |");
    rule_line += ":-:|";
  }
  absl::StrAppend(&out, " note |\n", rule_line, "---|\n");
  for (const PolicyRule& rule : PolicyTable()) {
    absl::StrAppend(&out, "| `", rule.method, "` |");
    for (Role role : kColumns) {
      const bool allowed =
          std::find(rule.roles.begin(), rule.roles.end(), role) != rule.roles.end();
      absl::StrAppend(&out, allowed ? " \xe2\x9c\x93 |" : "  |");
    }
    absl::StrAppend(&out, " ", rule.note, " |\n");
  }
  return out;
}

}  // namespace enlace::authz
