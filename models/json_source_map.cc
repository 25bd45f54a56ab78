#include "models/json_source_map.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cjsim {

namespace {

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
    children_.emplace(std::make_pair(parent, std::move(segment)), node);
    return node;
  }

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

  // "touchpoints[1].cta.actProbability", as protobuf's messages name a field.
  SourceLocation find_path(std::string_view dotted) const {
    int node = kRoot;
    size_t start = 0;
    while (start <= dotted.size() && node >= 0) {
      size_t end = dotted.find('.', start);
      if (end == std::string_view::npos) end = dotted.size();
      std::string_view part = dotted.substr(start, end - start);
      const size_t bracket = std::min(part.find('['), part.size());
      node = child(node, canonical(part.substr(0, bracket)));
      // Each "[i]" after the name is one step down.
      for (size_t open = bracket; open < part.size() && node >= 0;) {
        const size_t close = std::min(part.find(']', open), part.size() - 1);
        node = child(node, std::string(part.substr(open, close - open + 1)));
        open = close + 1;
      }
      start = end + 1;
    }
    return node < 0 ? SourceLocation{} : at_[node];
  }

 private:
  int child(int parent, const std::string& segment) const {
    auto it = children_.find({parent, segment});
    return it == children_.end() ? -1 : it->second;
  }

  std::vector<SourceLocation> at_;                       // by node
  std::map<std::pair<int, std::string>, int> children_;  // (parent, segment) -> node
};

// A recursive-descent reader of RFC 8259 JSON that records key positions.
class Scanner {
 public:
  Scanner(std::string_view text, JsonMap& map) : text_(text), map_(map) {}

  bool run() {
    skip_space();
    if (!value(JsonMap::kRoot, 0)) return false;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected text after the end of the JSON value");
    return true;
  }

  const std::string& error() const { return error_; }
  SourceLocation where() const { return where_; }

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
          for (int k = 1; k <= 4; ++k) {
            if (pos_ + k >= text_.size() ||
                !std::isxdigit(static_cast<unsigned char>(text_[pos_ + k]))) {
              return fail("invalid \\u escape in a string");
            }
          }
          pos_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          --pos_;  // at the backslash
          return fail("invalid escape in a string");
        }
        if (out) *out += '?';
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

  // `node`: the value's node in the map, or -1 when it is not recorded.
  bool value(int node, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    if (pos_ >= text_.size()) return fail("unexpected end of input; expected a value");
    switch (text_[pos_]) {
      case '{':
        return object(node, depth);
      case '[':
        return array(node, depth);
      case '"':
        return string(nullptr);
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

  bool object(int node, int depth) {
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a quoted key");
      SourceLocation at = here();
      std::string key;
      if (!string(&key)) return false;
      const int child = map_.add(node, canonical(key), at);
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':' after a key");
      ++pos_;
      skip_space();
      if (!value(child, depth + 1)) return false;
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

  bool array(int node, int depth) {
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (int index = 0;; ++index) {
      skip_space();
      const int element = map_.add(node, "[" + std::to_string(index) + "]", here());
      if (!value(element, depth + 1)) return false;
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
  size_t counted_ = 0;  // here() has counted the text up to this position
  SourceLocation counted_at_{1, 1};
  std::string error_;
  SourceLocation where_;
};

}  // namespace

JsonScan scan_json(std::string_view text) {
  auto map = std::make_shared<JsonMap>();
  Scanner scanner(text, *map);
  JsonScan scan;
  if (!scanner.run()) {
    scan.syntax_error = scanner.error();
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
