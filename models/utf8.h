// UTF-8 checks for user text: scenario strings must be valid UTF-8 (protobuf
// requires it of `string` fields, and reports print them), and messages
// that echo user text must not carry raw control bytes. Pure functions; call
// from any thread.
#ifndef CJSIM_MODELS_UTF8_H_
#define CJSIM_MODELS_UTF8_H_

#include <cstddef>
#include <string_view>

namespace cjsim {

// The length (1 to 4) of the well-formed UTF-8 sequence starting at
// `text[at]`, or 0 when the bytes there are not one (a stray continuation
// byte, a truncated sequence, an overlong form, a surrogate, or a code point
// above U+10FFFF; RFC 3629).
// REQUIRES: at < text.size().
size_t utf8_sequence_length(std::string_view text, size_t at);

// The offset of the first byte that is not part of a well-formed sequence;
// text.size() when all of `text` is valid UTF-8.
size_t utf8_valid_prefix(std::string_view text);

inline bool is_valid_utf8(std::string_view text) { return utf8_valid_prefix(text) == text.size(); }

}  // namespace cjsim

#endif  // CJSIM_MODELS_UTF8_H_
