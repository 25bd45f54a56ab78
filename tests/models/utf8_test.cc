// UTF-8 validity as RFC 3629 defines it: what scenario strings must be.

#include "models/utf8.h"

#include <string>

#include <doctest/doctest.h>

namespace cjsim {
namespace {

TEST_CASE("utf8: well-formed sequences of one to four bytes") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII, with \t and \n"));
  CHECK(is_valid_utf8("caf\xc3\xa9"));           // U+00E9
  CHECK(is_valid_utf8("\xe2\x82\xac"));          // U+20AC
  CHECK(is_valid_utf8("\xf0\x9f\x98\x80"));      // U+1F600
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));      // U+10FFFF, the last code point
  CHECK(is_valid_utf8(std::string("a\0b", 3)));  // NUL is a character
  CHECK(utf8_sequence_length("\xe2\x82\xac", 0) == 3);
}

TEST_CASE("utf8: what is not UTF-8, and where it starts") {
  CHECK(utf8_valid_prefix("ab\xff") == 2);            // never a UTF-8 byte
  CHECK(utf8_valid_prefix("\x80") == 0);              // a stray continuation byte
  CHECK(utf8_valid_prefix("ok\xc3") == 2);            // cut short
  CHECK(utf8_valid_prefix("\xc3(") == 0);             // no continuation
  CHECK(utf8_valid_prefix("\xc0\xaf") == 0);          // overlong '/'
  CHECK(utf8_valid_prefix("\xe0\x80\xaf") == 0);      // overlong, three bytes
  CHECK(utf8_valid_prefix("\xf0\x80\x80\xaf") == 0);  // overlong, four bytes
  CHECK(utf8_valid_prefix("\xed\xa0\x80") == 0);      // U+D800, a surrogate
  CHECK(utf8_valid_prefix("\xf4\x90\x80\x80") == 0);  // above U+10FFFF
  CHECK(utf8_valid_prefix("\xf5\x80\x80\x80") == 0);
  CHECK_FALSE(is_valid_utf8("sm\xffll"));
}

}  // namespace
}  // namespace cjsim
