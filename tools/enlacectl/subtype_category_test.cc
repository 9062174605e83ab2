// enlacectl's copy of the subtype -> category table (its help text groups subtypes with it)
// against the node's rule: every subtype the proto declares, and a few it does not.

#include "enlace/cases/v1/case.pb.h"
#include "gtest/gtest.h"
#include "services/cases/rules.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {
namespace {

namespace v1 = ::enlace::cases::v1;

TEST(SubtypeCategory, SameAsTheNodesTable) {
  const google::protobuf::EnumDescriptor* d = v1::Subtype_descriptor();
  for (int i = 0; i < d->value_count(); ++i) {
    const int subtype = d->value(i)->number();
    EXPECT_EQ(SubtypeCategory(subtype), cases::CategoryOfSubtype(static_cast<v1::Subtype>(subtype)))
        << d->value(i)->name();
  }
  for (int unknown : {-1, 9, 14, 99, 1000}) {
    EXPECT_EQ(SubtypeCategory(unknown), v1::CATEGORY_UNSPECIFIED) << unknown;
  }
}

}  // namespace
}  // namespace enlace::cli
