#include "models/json_source_map.h"

#include <algorithm>
#include <cctype>
#include <map>
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

class JsonMap : public SourceMap {
 public:
  void add(const std::string& path, SourceLocation at) { locations_.emplace(path, at); }

  SourceLocation locate(const FieldPath& path) const override {
    SourceLocation best;
    std::string key;
    for (const FieldStep& step : path) {
      key += (key.empty() ? "" : ".") + canonical(step.field);
      auto it = locations_.find(key);
      if (it == locations_.end()) break;
      best = it->second;
      if (step.index < 0) continue;
      key += "[" + std::to_string(step.index) + "]";
      it = locations_.find(key);
      if (it == locations_.end()) break;
      best = it->second;
    }
    return best;
  }

  // The first key whose last segment is `field`.
  SourceLocation find_field(std::string_view field) const {
    const std::string wanted = canonical(field);
    for (const auto& [path, at] : by_order()) {
      size_t dot = path.find_last_of('.');
      std::string last = dot == std::string::npos ? path : path.substr(dot + 1);
      if (last == wanted) return at;
    }
    return {};
  }

  SourceLocation find_path(std::string_view dotted) const {
    std::string key;
    size_t start = 0;
    while (start <= dotted.size()) {
      size_t end = dotted.find('.', start);
      if (end == std::string_view::npos) end = dotted.size();
      std::string_view part = dotted.substr(start, end - start);
      size_t bracket = part.find('[');
      key += (key.empty() ? "" : ".") + canonical(part.substr(0, bracket));
      if (bracket != std::string_view::npos) key += std::string(part.substr(bracket));
      start = end + 1;
    }
    auto it = locations_.find(key);
    return it == locations_.end() ? SourceLocation{} : it->second;
  }

 private:
  std::vector<std::pair<std::string, SourceLocation>> by_order() const {
    std::vector<std::pair<std::string, SourceLocation>> out(locations_.begin(), locations_.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second.line != b.second.line ? a.second.line < b.second.line
                                            : a.second.column < b.second.column;
    });
    return out;
  }

  std::map<std::string, SourceLocation> locations_;
};

// A recursive-descent reader of RFC 8259 JSON that records key positions.
class Scanner {
 public:
  Scanner(std::string_view text, JsonMap& map) : text_(text), map_(map) {}

  bool run() {
    skip_space();
    if (!value("", 0)) return false;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected text after the end of the JSON value");
    return true;
  }

  const std::string& error() const { return error_; }
  SourceLocation where() const { return where_; }

 private:
  static constexpr int kMaxDepth = 200;

  SourceLocation here() const {
    SourceLocation at{1, 1};
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++at.line;
        at.column = 1;
      } else {
        ++at.column;
      }
    }
    return at;
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

  bool value(const std::string& path, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    if (pos_ >= text_.size()) return fail("unexpected end of input; expected a value");
    switch (text_[pos_]) {
      case '{':
        return object(path, depth);
      case '[':
        return array(path, depth);
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

  bool object(const std::string& path, int depth) {
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
      const std::string child = path.empty() ? canonical(key) : path + "." + canonical(key);
      map_.add(child, at);
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

  bool array(const std::string& path, int depth) {
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (int index = 0;; ++index) {
      skip_space();
      const std::string element = path + "[" + std::to_string(index) + "]";
      map_.add(element, here());
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
