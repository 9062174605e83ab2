#ifndef ENLACE_TOOLS_ENLACECTL_CHILDREN_COMMANDS_H_
#define ENLACE_TOOLS_ENLACECTL_CHILDREN_COMMANDS_H_

// How `child` commands print a child-protection record (children_commands.cc holds the
// commands themselves; see domains.h).

#include <string>

#include "enlace/children/v1/children.pb.h"

namespace enlace::cli {

// `field: value` lines of what the record holds (FormatFields). A record whose content is
// withheld from the caller prints name, case, post, state, times and `content_withheld: true`
// only.
std::string ChildRecordText(const children::v1::ChildRecord& record);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_CHILDREN_COMMANDS_H_
