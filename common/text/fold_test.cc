#include "common/text/fold.h"

#include "gtest/gtest.h"

namespace enlace::text {
namespace {

TEST(FoldTest, RemovesAccentsAndCase) {
  EXPECT_EQ(FoldForSearch("José Pérez"), "jose perez");
  EXPECT_EQ(FoldForSearch("  MARÍA   de los Ángeles  Núñez-Çelik "),
            "maria de los angeles nunez celik");
  EXPECT_EQ(FoldForSearch("O'Brien Müller Straße"), "o brien muller strasse");
  EXPECT_EQ(FoldForSearch("Łukasz Øre"), "lukasz ore");
}

TEST(FoldTest, KeepsOtherScriptsAndDropsMalformedBytes) {
  EXPECT_EQ(FoldForSearch("李 小龙"), "李 小龙");
  EXPECT_EQ(FoldForSearch("ab\xff" "cd"), "ab cd");
  EXPECT_EQ(Words("jose  perez").size(), 2u);
}

TEST(FoldTest, CleanUtf8) {
  EXPECT_TRUE(IsCleanUtf8("José"));
  EXPECT_FALSE(IsCleanUtf8("a\nb"));
  EXPECT_FALSE(IsCleanUtf8("\xc0\xaf"));  // overlong '/'
  EXPECT_FALSE(IsCleanUtf8("\xed\xa0\x80"));  // surrogate
}

}  // namespace
}  // namespace enlace::text
