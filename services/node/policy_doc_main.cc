// Prints the policy table (the access options of every module's protos, common/authz/policy.h)
// as the markdown table of docs/security.md, or writes it into that file:
//
//   bazel run //services/node:policy_doc                 # print the table
//   bazel run //services/node:policy_doc -- --update     # rewrite docs/security.md in place
//
// //services/node:policy_doc_test fails while the two differ.

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/authz/policy.h"
#include "common/authz/policy_doc.h"
#include "enlace/federation/v1/admin.pb.h"
#include "services/node/modules.h"

int main(int argc, char** argv) {
  // The table holds the methods of the protos linked in: the node's modules' and the
  // federation admin service the node adds when federated.
  // descriptor() is defined in the .pb.cc, so calling it links the file in.
  if (enlace::node::NodeModules().empty() ||
      enlace::federation::v1::GetFederationStatusRequest::descriptor() == nullptr) {
    return 1;
  }
  const std::string table = enlace::authz::PolicyTableMarkdown();
  if (argc < 2) {
    std::cout << table;
    return 0;
  }
  if (argc != 2 || std::strcmp(argv[1], "--update") != 0) {
    std::cerr << "usage: policy_doc [--update]\n";
    return 2;
  }
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::string path =
      std::string(workspace != nullptr ? workspace : ".") + "/docs/security.md";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "policy_doc: cannot read " << path << "\n";
    return 1;
  }
  std::stringstream doc;
  doc << in.rdbuf();
  in.close();
  auto updated = enlace::authz::ReplacePolicyBlock(doc.str(), table);
  if (!updated.ok()) {
    std::cerr << "policy_doc: " << path << ": " << updated.status() << "\n";
    return 1;
  }
  if (*updated == doc.str()) {
    std::cout << path << ": policy table already up to date\n";
    return 0;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *updated;
  if (!out.flush()) {
    std::cerr << "policy_doc: cannot write " << path << "\n";
    return 1;
  }
  std::cout << path << ": policy table regenerated\n";
  return 0;
}
