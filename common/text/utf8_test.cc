#include "common/text/utf8.h"

#include "gtest/gtest.h"

namespace enlace::text {
namespace {

constexpr char kFffd[] = "\xEF\xBF\xBD";

TEST(ValidUtf8Test, WellFormedTextIsUnchanged) {
  for (const char* s : {"", "ascii", "Cancillería: señora Muñoz, ¿dónde está? ¡Olé!",
                        "\xE2\x82\xAC \xF0\x9F\x87\xB2\xF0\x9F\x87\xBD",  // euro, flag
                        "\xED\x9F\xBF", "\xEE\x80\x80", "\xF4\x8F\xBF\xBF"}) {  // edges
    EXPECT_EQ(ValidUtf8(s), s);
  }
}

TEST(ValidUtf8Test, TruncatedMultibyteSequences) {
  // "ñ" cut after its first byte, at the end and in the middle.
  EXPECT_EQ(ValidUtf8("Espa\xC3"), std::string("Espa") + kFffd);
  EXPECT_EQ(ValidUtf8("a\xC3z"), std::string("a") + kFffd + "z");
  // A 4-byte sequence missing its last byte is one maximal subpart: one U+FFFD.
  EXPECT_EQ(ValidUtf8("\xF0\x9F\x87x"), std::string(kFffd) + "x");
  EXPECT_EQ(ValidUtf8("\xE2\x82"), kFffd);
}

TEST(ValidUtf8Test, StrayBytesOverlongsSurrogatesAndOutOfRange) {
  EXPECT_EQ(ValidUtf8("\x80\xBF"), std::string(kFffd) + kFffd);
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), std::string(kFffd) + kFffd);  // overlong "/"
  EXPECT_EQ(ValidUtf8("\xC1\xBF"), std::string(kFffd) + kFffd);
  EXPECT_EQ(ValidUtf8("\xE0\x80\xAF"), std::string(kFffd) + kFffd + kFffd);
  EXPECT_EQ(ValidUtf8("\xF0\x80\x80\xAF"), std::string(kFffd) + kFffd + kFffd + kFffd);
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), std::string(kFffd) + kFffd + kFffd);  // U+D800
  EXPECT_EQ(ValidUtf8("\xED\xBF\xBF"), std::string(kFffd) + kFffd + kFffd);  // U+DFFF
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80"), std::string(kFffd) + kFffd + kFffd + kFffd);
  EXPECT_EQ(ValidUtf8("\xF5\xFF"), std::string(kFffd) + kFffd);
  EXPECT_EQ(ValidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is valid
}

}  // namespace
}  // namespace enlace::text
