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

// `handover list`: NAME  STATE  FROM  TO  TO_POST  AUTHORITY  HANDOVER_TIME (FROM the sending
// post, its country when none; TO_POST once accepted). Nothing personal: names, birth date and
// escort only in `handover show`.
std::string HandoversTable(const children::v1::ListHandoversResponse& response);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_CHILDREN_COMMANDS_H_
