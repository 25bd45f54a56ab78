#include "models/json_source_map.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "models/schema_hints.h"
#include "models/utf8.h"

namespace cjsim {

namespace {

namespace pb = google::protobuf;

// "act_probability" and "actProbability" (protobuf's JSON name) alike.
std::string canonical(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Where each object key and array element was written, as a tree: node 0 is
// the top-level value, and a node's children are its members (by canonical
// key) and elements ("[i]"). Each node keeps its own key, not its path, so
// that memory stays linear in the text however deep or wide it is; and at
// most kMaxNodes are kept, so that a huge file loses the positions of its
// last entries (errors there point at an enclosing one), not the machine.
class JsonMap : public SourceMap {
 public:
  static constexpr int kRoot = 0;
  static constexpr size_t kMaxNodes = size_t{1} << 20;

  JsonMap() { at_.push_back({}); }

  // The node of `segment` below `parent`, recorded at `at` unless it was
  // written before (the first position is kept). -1 when `parent` is -1 or
  // the map is full.
  int add(int parent, std::string segment, SourceLocation at) {
    if (parent < 0) return -1;
    auto it = children_.find({parent, segment});
    if (it != children_.end()) return it->second;
    if (at_.size() >= kMaxNodes) return -1;
    const int node = static_cast<int>(at_.size());
    at_.push_back(at);
    kept_key_bytes_ += segment.size();
    children_.emplace(std::make_pair(parent, std::move(segment)), node);
    return node;
  }

  size_t kept_key_bytes() const { return kept_key_bytes_; }

  SourceLocation locate(const FieldPath& path) const override {
    SourceLocation best;
    int node = kRoot;
    for (const FieldStep& step : path) {
      node = child(node, canonical(step.field));
      if (node < 0) break;
      best = at_[node];
      if (step.index < 0) continue;
      node = child(node, "[" + std::to_string(step.index) + "]");
      if (node < 0) break;
      best = at_[node];
    }
    return best;
  }

  // The first written key (by position) whose own name is `field`.
  SourceLocation find_field(std::string_view field) const {
    const std::string wanted = canonical(field);
    SourceLocation first;
    for (const auto& [key, node] : children_) {
      if (key.second != wanted) continue;
      const SourceLocation at = at_[node];
      if (!first.known() || at.line < first.line ||
          (at.line == first.line && at.column < first.column)) {
        first = at;
      }
    }
    return first;
  }

  // The location of a dotted path ("touchpoints[1].cta.actProbability", as
  // protobuf's messages name a field), or of its longest prefix that was
  // written (a map entry is written as a key, not as an index).
  SourceLocation find_path(std::string_view dotted) const {
    SourceLocation best;
    int node = kRoot;
    size_t start = 0;
    while (start <= dotted.size()) {
      size_t end = dotted.find('.', start);
      if (end == std::string_view::npos) end = dotted.size();
      std::string_view part = dotted.substr(start, end - start);
      const size_t bracket = std::min(part.find('['), part.size());
      node = child(node, canonical(part.substr(0, bracket)));
      if (node < 0) break;
      best = at_[node];
      if (bracket < part.size()) {
        node = child(node, std::string(part.substr(bracket)));
        if (node < 0) break;
        best = at_[node];
      }
      start = end + 1;
    }
    return best;
  }

 private:
  int child(int parent, const std::string& segment) const {
    auto it = children_.find({parent, segment});
    return it == children_.end() ? -1 : it->second;
  }

  std::vector<SourceLocation> at_;                       // by node
  std::map<std::pair<int, std::string>, int> children_;  // (parent, segment) -> node
  size_t kept_key_bytes_ = 0;                            // of the segments in children_
};

// What the schema says a JSON value is: the field it is written for (null
// where the schema is not known), whether it is one element of that field's
// list, and for the whole text the message type.
struct Expected {
  const pb::FieldDescriptor* field = nullptr;
  bool element = false;
  const pb::Descriptor* top = nullptr;

  // "personas": [...]
  bool is_list() const {
    return field != nullptr && field->is_repeated() && !field->is_map() && !element;
  }
  // "simulation": {...}, "channelAffinity": {...}, or a message in a list.
  bool is_object() const {
    if (top != nullptr) return true;
    if (field == nullptr || is_list()) return false;
    return field->is_map() || field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
  }
  // The message type of an object that is not a map; null if unknown.
  const pb::Descriptor* message() const {
    if (top != nullptr) return top;
    return is_object() && !field->is_map() ? field->message_type() : nullptr;
  }
  std::string name() const { return field ? "'" + field->name() + "'" : "the top level"; }
};

// A recursive-descent reader of RFC 8259 JSON that records key positions.
class Scanner {
 public:
  Scanner(std::string_view text, JsonMap& map) : text_(text), map_(map) {}

  bool run(const pb::Descriptor* type) {
    skip_space();
    if (!value(JsonMap::kRoot, 0, Expected{nullptr, false, type})) return false;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected text after the end of the JSON value");
    return true;
  }

  const std::string& error() const { return error_; }
  bool is_schema_error() const { return schema_error_; }
  SourceLocation where() const { return where_; }
  size_t counted_characters() const { return counted_characters_; }

 private:
  static constexpr int kMaxDepth = 200;

  // The line and column of pos_. Counting resumes where the previous call
  // stopped (the scanner moves forward but for errors), so that the text is
  // counted once, not once per key.
  SourceLocation here() {
    if (pos_ < counted_) {
      counted_ = 0;
      counted_at_ = {1, 1};
    }
    for (; counted_ < pos_ && counted_ < text_.size(); ++counted_) {
      ++counted_characters_;
      if (text_[counted_] == '\n') {
        ++counted_at_.line;
        counted_at_.column = 1;
      } else {
        ++counted_at_.column;
      }
    }
    return counted_at_;
  }
  bool fail(const std::string& message) {
    error_ = message;
    where_ = here();
    return false;
  }
  // The text is JSON, but not of the message type.
  bool schema_fail(const std::string& message, SourceLocation at) {
    error_ = message;
    where_ = at;
    schema_error_ = true;
    return false;
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal; expected a value");
    pos_ += word.size();
    return true;
  }

  // The four hex digits at `at` as a UTF-16 code unit.
  std::optional<unsigned> code_unit(size_t at) const {
    if (at + 4 > text_.size()) return std::nullopt;
    unsigned unit = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const auto c = static_cast<unsigned char>(text_[k]);
      if (!std::isxdigit(c)) return std::nullopt;
      unit =
          unit * 16 + static_cast<unsigned>(std::isdigit(c) ? c - '0' : std::tolower(c) - 'a' + 10);
    }
    return unit;
  }

  bool string(std::string* out) {
    const size_t start = pos_;
    ++pos_;  // the opening quote
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c == '\\') {
        if (++pos_ >= text_.size()) break;
        char e = text_[pos_];
        if (e == 'u') {
          std::optional<unsigned> unit = code_unit(pos_ + 1);
          if (!unit) return fail("invalid \\u escape in a string");
          // A UTF-16 surrogate stands only in a pair: high, then low.
          if (*unit >= 0xDC00 && *unit <= 0xDFFF) {
            --pos_;  // at the backslash
            return fail("a \\u escape is half of a UTF-16 pair (a low surrogate alone)");
          }
          if (*unit >= 0xD800 && *unit <= 0xDBFF) {
            std::optional<unsigned> low;
            if (text_.substr(pos_ + 5, 2) == "\\u") low = code_unit(pos_ + 7);
            if (!low || *low < 0xDC00 || *low > 0xDFFF) {
              --pos_;  // at the backslash
              return fail("a \\u escape is half of a UTF-16 pair (a high surrogate alone)");
            }
            pos_ += 6;
          }
          pos_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          --pos_;  // at the backslash
          return fail("invalid escape in a string");
        }
        if (out) *out += '?';
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        const size_t length = utf8_sequence_length(text_, pos_);
        if (length == 0) {
          char byte[8];
          std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(c));
          return fail(std::string("a string is not valid UTF-8 (byte ") + byte + ")");
        }
        if (out) out->append(text_.substr(pos_, length));
        pos_ += length;
        continue;
      } else if (out) {
        *out += c;
      }
      ++pos_;
    }
    pos_ = start;  // at the opening quote
    return fail("unterminated string");
  }

  bool number() {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      return pos_ > from;
    };
    if (!digits()) {
      pos_ = start;
      return fail("invalid number");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return fail("invalid number: digits expected after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return fail("invalid number: digits expected in the exponent");
    }
    return true;
  }

  // A string written for enum field `field`: a name of its type, or a
  // number in quotes ("1"), which protobuf reads too; text with escapes is
  // left to protobuf.
  bool enum_name(const pb::FieldDescriptor* field) {
    const SourceLocation at = here();
    const size_t start = pos_;
    std::string name;
    if (!string(&name)) return false;
    if (text_.substr(start, pos_ - start).find('\\') != std::string_view::npos) return true;
    const bool integer =
        !name.empty() && std::all_of(name.begin() + (name[0] == '-' ? 1 : 0), name.end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
    if (integer || field->enum_type()->FindValueByName(name) != nullptr) return true;
    return schema_fail(field->name() + ": " + unknown_enum_value_message(*field->enum_type(), name),
                       at);
  }

  // `node`: the value's node in the map, or -1 when it is not recorded.
  bool value(int node, int depth, const Expected& expected) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    if (pos_ >= text_.size()) return fail("unexpected end of input; expected a value");
    switch (text_[pos_]) {
      case '{':
        if (expected.is_list()) {
          return schema_fail(expected.name() + " takes a list ([...]), not an object", here());
        }
        return object(node, depth, expected);
      case '[':
        if (expected.field != nullptr && !expected.is_list()) {
          return schema_fail(expected.name() + " takes " +
                                 (expected.is_object() ? "an object ({...})" : "one value") +
                                 (expected.element ? " in each place of its list" : "") +
                                 ", not a list",
                             here());
        }
        if (expected.top != nullptr) {
          return schema_fail("the top level takes an object ({...}), not a list", here());
        }
        return array(node, depth, expected);
      case '"':
        return expected.field != nullptr && expected.field->enum_type() != nullptr &&
                       !expected.is_list()
                   ? enum_name(expected.field)
                   : string(nullptr);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        if (text_[pos_] == '-' || std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
          return number();
        }
        return fail(std::string("unexpected character '") + text_[pos_] + "'; expected a value");
    }
  }

  // The field a key names in an object of `type` (its proto or JSON name);
  // null for a key the type does not have.
  static const pb::FieldDescriptor* field_for(const pb::Descriptor* type, const std::string& key) {
    if (type == nullptr) return nullptr;
    if (const pb::FieldDescriptor* field = type->FindFieldByName(key)) return field;
    for (int i = 0; i < type->field_count(); ++i) {
      if (type->field(i)->json_name() == key) return type->field(i);
    }
    return nullptr;
  }

  static std::string location_text(SourceLocation at) {
    return std::to_string(at.line) + ":" + std::to_string(at.column);
  }

  bool object(int node, int depth, const Expected& expected) {
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    const pb::Descriptor* type = expected.message();
    // The keys written so far, by the field they name (a field may be
    // written by its proto or its JSON name) or else by their text.
    std::map<const pb::FieldDescriptor*, std::pair<std::string, SourceLocation>> fields_seen;
    std::map<std::string, SourceLocation> keys_seen;
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a quoted key");
      SourceLocation at = here();
      std::string key;
      if (!string(&key)) return false;
      const pb::FieldDescriptor* field = field_for(type, key);
      if (field == nullptr && type != nullptr) {
        return schema_fail(unknown_field_message(*type, key, true), at);
      }
      if (field != nullptr) {
        auto [first, fresh] = fields_seen.emplace(field, std::make_pair(key, at));
        if (!fresh) {
          const std::string& earlier = first->second.first;
          return schema_fail("duplicate key '" + key + "'" +
                                 (earlier == key ? "" : " (the same field as '" + earlier + "')") +
                                 "; first written at " + location_text(first->second.second),
                             at);
        }
      } else if (auto [first, fresh] = keys_seen.emplace(key, at); !fresh) {
        return schema_fail(
            "duplicate key '" + key + "'; first written at " + location_text(first->second), at);
      }
      Expected child_expected;
      if (field != nullptr) {
        child_expected.field = field;
      } else if (expected.field != nullptr && expected.field->is_map()) {
        child_expected.field = expected.field->message_type()->map_value();
      }
      const int child = map_.add(node, canonical(key), at);
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':' after a key");
      ++pos_;
      skip_space();
      if (!value(child, depth + 1, child_expected)) return false;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or '}' in an object");
    }
  }

  bool array(int node, int depth, const Expected& expected) {
    const Expected element{expected.field, expected.field != nullptr, nullptr};
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (int index = 0;; ++index) {
      skip_space();
      const int element_node = map_.add(node, "[" + std::to_string(index) + "]", here());
      if (!value(element_node, depth + 1, element)) return false;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or ']' in an array");
    }
  }

  std::string_view text_;
  JsonMap& map_;
  size_t pos_ = 0;
  std::string error_;
  bool schema_error_ = false;
  size_t counted_ = 0;  // here() has counted the text up to this position
  SourceLocation counted_at_{1, 1};
  size_t counted_characters_ = 0;  // by here(), over all its calls
  SourceLocation where_;
};

}  // namespace

JsonScan scan_json(std::string_view text, const pb::Descriptor* type) {
  auto map = std::make_shared<JsonMap>();
  Scanner scanner(text, *map);
  JsonScan scan;
  const bool ok = scanner.run(type);
  scan.counted_characters = scanner.counted_characters();
  scan.kept_key_bytes = map->kept_key_bytes();
  if (!ok) {
    (scanner.is_schema_error() ? scan.schema_error : scan.syntax_error) = scanner.error();
    scan.error_location = scanner.where();
  } else {
    scan.source_map = std::move(map);
  }
  return scan;
}

SourceLocation locate_json_error(const SourceMap& map, std::string_view message) {
  const auto* json = dynamic_cast<const JsonMap*>(&map);
  if (json == nullptr) return {};
  if (!message.empty() && message.front() == '(') {
    size_t close = message.find(')');
    if (close != std::string_view::npos) return json->find_path(message.substr(1, close - 1));
  }
  size_t colon = message.find(':');
  if (colon != std::string_view::npos) return json->find_field(message.substr(0, colon));
  return {};
}

}  // namespace cjsim
