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

// Attack/bug: names typed with decomposed accents ("e" + U+0301, as some phones send) were
// not found by "jose perez", and a person stored decomposed was not found by "José Pérez".
TEST(FoldTest, DecomposedAndComposedFoldAlike) {
  const std::string decomposed = "Jose\xcc\x81 Pe\xcc\x81rez";  // e + U+0301
  EXPECT_EQ(FoldForSearch(decomposed), "jose perez");
  EXPECT_EQ(FoldForSearch("Jos\xc3\xa9 P\xc3\xa9rez"), "jose perez");
  EXPECT_EQ(FoldForSearch("N\xcc\x83u\xcc\x81n\xcc\x83" "ez"), "nunez");  // Ñ, ú, ñ decomposed
  EXPECT_EQ(FoldForSearch("Nguy\xe1\xbb\x85n"), "nguyen");              // ễ (Latin Ext. Additional)
  EXPECT_EQ(FoldForSearch("q\xcc\x81"), "q");  // no precomposed form: the mark still goes
  // Other scripts keep their letters (Korean stays composed, Hindi keeps its vowel signs).
  EXPECT_EQ(FoldForSearch("\xed\x95\x9c"), "\xed\x95\x9c");
  EXPECT_EQ(FoldForSearch("\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xae"),
            "\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xae");
}

TEST(FoldTest, ToNfcComposes) {
  EXPECT_EQ(ToNfc("Jose\xcc\x81"), "Jos\xc3\xa9");
  EXPECT_EQ(ToNfc("Jos\xc3\xa9"), "Jos\xc3\xa9");
  EXPECT_EQ(ToNfc("plain"), "plain");
  EXPECT_EQ(ToNfc("ab\xff"), "ab\xff");  // ill-formed: left for validation
  EXPECT_FALSE(IsNfc("Jose\xcc\x81"));
  EXPECT_TRUE(IsNfc("Jos\xc3\xa9"));
}

// Attack: names and document numbers accepted right-to-left overrides, zero-width characters
// and lone combining marks (text that displays as something other than what is stored).
TEST(FoldTest, NameTextRefusesBidiInvisibleAndLoneMarks) {
  EXPECT_EQ(NameTextProblem("Jos\xc3\xa9 P\xc3\xa9rez"), "");
  EXPECT_EQ(NameTextProblem("Jose\xcc\x81"), "");                   // a mark on a letter
  EXPECT_EQ(NameTextProblem("\xe6\x9d\x8e \xe5\xb0\x8f\xe9\xbe\x99"), "");
  EXPECT_EQ(NameTextProblem("O'Brien-Smith Jr."), "");
  for (const char* bad : {
           "Ana\xe2\x80\xae" "zereP",   // U+202E RIGHT-TO-LEFT OVERRIDE
           "Ana\xe2\x81\xa6x",          // U+2066 LEFT-TO-RIGHT ISOLATE
           "Ana\xe2\x80\x8f",           // U+200F RIGHT-TO-LEFT MARK
           "An\xe2\x80\x8b" "a",        // U+200B ZERO WIDTH SPACE
           "An\xe2\x80\x8d" "a",        // U+200D ZERO WIDTH JOINER
           "\xef\xbb\xbf" "Ana",        // U+FEFF BOM
           "An\xc2\xad" "a",             // U+00AD SOFT HYPHEN
           "\xcc\x81" "Ana",             // leading combining acute
           "Ana \xcc\x81",               // a mark after a space
           "a\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81",  // 5 marks stacked
           "Ana\tB",
       }) {
    EXPECT_NE(NameTextProblem(bad), "") << bad;
  }
  EXPECT_NE(NameTextProblem("Ana\xe2\x80\xae").find("U+202E"), std::string::npos);
}

}  // namespace
}  // namespace enlace::text
