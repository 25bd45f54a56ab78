// The static SVG charts and the flow diagram: every output is one
// well-formed, self-contained <svg> element (checked by a small XML reader
// below, so the test needs no parser installed), deterministic, escaped,
// with one-decimal coordinates; and the axis ticks and labels read as a
// person would write them.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "tools/report/flow_diagram.h"
#include "tools/report/svg_chart.h"

namespace cjsim::report::svg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;     // character data directly inside, entities left as written
  std::string tooltip;  // the text of its <title> child
  int depth = 0;
};

// A strict reader for the subset of XML the charts write: elements,
// double- or single-quoted attributes, text with the five predefined
// entities and numeric references. No comments, processing instructions,
// CDATA or DOCTYPE (the charts write none). Returns the error, or "" with
// `elements` in document order.
std::string read_xml(std::string_view xml, std::vector<Element>& elements) {
  elements.clear();
  std::vector<size_t> open;
  size_t pos = 0;
  bool root_closed = false;
  auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
           c == '.';
  };
  auto check_references = [](std::string_view text) -> std::string {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '<') return "raw '<' in text or attribute";
      if (text[i] != '&') continue;
      const size_t end = text.find(';', i);
      if (end == std::string_view::npos) return "unterminated entity";
      const std::string_view entity = text.substr(i + 1, end - i - 1);
      const bool numeric = entity.size() > 1 && entity[0] == '#' &&
                           std::all_of(entity.begin() + 1, entity.end(),
                                       [](char c) { return std::isdigit(c) != 0; });
      if (!numeric && entity != "amp" && entity != "lt" && entity != "gt" && entity != "quot" &&
          entity != "apos") {
        return "unknown entity &" + std::string(entity) + ";";
      }
      i = end;
    }
    return "";
  };
  while (pos < xml.size()) {
    if (xml[pos] != '<') {
      const size_t end = std::min(xml.find('<', pos), xml.size());
      const std::string_view text = xml.substr(pos, end - pos);
      if (open.empty()) {
        if (text.find_first_not_of(" \n\t\r") != std::string_view::npos) return "text outside root";
      } else {
        if (std::string error = check_references(text); !error.empty()) return error;
        if (text.find('>') != std::string_view::npos) return "unescaped '>' in text";
        elements[open.back()].text += text;
      }
      pos = end;
      continue;
    }
    if (xml.substr(pos, 2) == "</") {
      const size_t end = xml.find('>', pos);
      if (end == std::string_view::npos) return "unterminated end tag";
      const std::string name(xml.substr(pos + 2, end - pos - 2));
      if (open.empty() || elements[open.back()].name != name) return "mismatched </" + name + ">";
      open.pop_back();
      if (open.empty()) root_closed = true;
      pos = end + 1;
      continue;
    }
    if (xml.substr(pos, 2) == "<!" || xml.substr(pos, 2) == "<?") return "markup declaration";
    if (root_closed) return "second root element";
    Element element;
    element.depth = static_cast<int>(open.size());
    ++pos;
    while (pos < xml.size() && is_name_char(xml[pos])) element.name += xml[pos++];
    if (element.name.empty()) return "empty element name";
    bool self_closed = false;
    for (;;) {
      const size_t start = pos;
      while (pos < xml.size() && std::isspace(static_cast<unsigned char>(xml[pos]))) ++pos;
      if (pos >= xml.size()) return "unterminated start tag <" + element.name;
      if (xml.substr(pos, 2) == "/>") {
        self_closed = true;
        pos += 2;
        break;
      }
      if (xml[pos] == '>') {
        ++pos;
        break;
      }
      if (pos == start) return "attributes not separated in <" + element.name;
      std::string name;
      while (pos < xml.size() && is_name_char(xml[pos])) name += xml[pos++];
      if (name.empty() || pos >= xml.size() || xml[pos] != '=') {
        return "malformed attribute in <" + element.name;
      }
      ++pos;
      if (pos >= xml.size() || (xml[pos] != '"' && xml[pos] != '\'')) {
        return "unquoted attribute " + name;
      }
      const char quote = xml[pos++];
      const size_t end = xml.find(quote, pos);
      if (end == std::string_view::npos) return "unterminated attribute " + name;
      const std::string value(xml.substr(pos, end - pos));
      if (std::string error = check_references(value); !error.empty()) return error;
      if (!element.attributes.emplace(name, value).second) return "duplicate attribute " + name;
      pos = end + 1;
    }
    elements.push_back(element);
    if (!self_closed) open.push_back(elements.size() - 1);
    if (self_closed && open.empty()) root_closed = true;
  }
  if (!open.empty()) return "unclosed <" + elements[open.back()].name + ">";
  if (elements.empty()) return "no element";
  for (size_t i = 0; i + 1 < elements.size(); ++i) {
    if (elements[i + 1].name == "title" && elements[i + 1].depth == elements[i].depth + 1) {
      elements[i].tooltip = elements[i + 1].text;
    }
  }
  return "";
}

// A number as the charts write coordinates: an optional sign, digits and at
// most one decimal.
bool is_coordinate(std::string_view token) {
  if (!token.empty() && token.front() == '-') token.remove_prefix(1);
  const size_t point = token.find('.');
  const std::string_view whole = token.substr(0, point);
  if (whole.empty() ||
      !std::all_of(whole.begin(), whole.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (point == std::string_view::npos) return true;
  const std::string_view fraction = token.substr(point + 1);
  return fraction.size() == 1 && std::isdigit(static_cast<unsigned char>(fraction[0]));
}

// The numbers of a path's d or a points list, split at commands and spaces.
std::vector<std::string> numbers_in(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || (c == '-' && current.empty())) {
      current += c;
    } else {
      if (!current.empty()) out.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

// Parses `svg` and checks everything every chart promises; returns the elements.
std::vector<Element> check_document(const std::string& svg) {
  std::vector<Element> elements;
  const std::string error = read_xml(svg, elements);
  INFO(svg);
  REQUIRE_MESSAGE(error.empty(), error);
  const Element& root = elements[0];
  CHECK(root.name == "svg");
  CHECK(root.attributes.at("xmlns") == "http://www.w3.org/2000/svg");
  CHECK(root.attributes.at("viewBox") ==
        "0 0 " + root.attributes.at("width") + " " + root.attributes.at("height"));
  CHECK(root.attributes.at("font-family") == "DejaVu Sans, Arial, Helvetica, sans-serif");
  REQUIRE(elements.size() >= 3);
  CHECK(elements[1].name == "title");
  CHECK(elements[1].depth == 1);
  CHECK(elements[2].name == "rect");
  CHECK(elements[2].attributes.at("fill") == "#ffffff");
  // Self-contained: no stylesheet, script or reference to anything outside.
  for (const char* banned : {"<style", "<script", "href", "url(", "<image", "<foreignObject"}) {
    CHECK_MESSAGE(svg.find(banned) == std::string::npos, banned);
  }
  static const std::vector<std::string> kLengths = {"x",  "y",  "x1", "y1",    "x2",    "y2",
                                                    "cx", "cy", "r",  "width", "height"};
  for (const Element& element : elements) {
    for (const auto& attribute : element.attributes) {
      // Named copies: clang 14 cannot capture structured bindings (doctest's messages do).
      const std::string& name = attribute.first;
      const std::string& value = attribute.second;
      if (std::find(kLengths.begin(), kLengths.end(), name) != kLengths.end()) {
        CHECK_MESSAGE(is_coordinate(value), element.name << " " << name << "=" << value);
      }
      if (name == "d" || name == "points") {
        for (const std::string& number : numbers_in(value)) {
          CHECK_MESSAGE(is_coordinate(number), element.name << " " << name << " has " << number);
        }
      }
    }
  }
  return elements;
}

size_t count(std::string_view text, std::string_view part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

std::vector<const Element*> named(const std::vector<Element>& elements, std::string_view name) {
  std::vector<const Element*> out;
  for (const Element& element : elements) {
    if (element.name == name) out.push_back(&element);
  }
  return out;
}

bool has_drawing(const std::vector<Element>& elements) {
  // Beyond the background rect: some path, circle, line or a second rect.
  return named(elements, "path").size() + named(elements, "circle").size() +
             named(elements, "line").size() + named(elements, "rect").size() >
         1;
}

LineChart sample_line_chart() {
  LineChart chart;
  chart.title = "Conversions by budget";
  chart.x_label = "budget";
  chart.y_label = "conversions";
  chart.x_unit = Unit::kMoney;
  chart.band_label = "shaded: 95% interval";
  for (int s = 0; s < 2; ++s) {
    Series series;
    series.name = s == 0 ? "search" : "social";
    for (int i = 0; i <= 10; ++i) {
      const double y = (s + 1) * 1000.0 * std::sqrt(i);
      series.x.push_back(i * 1000.0);
      series.y.push_back(y);
      series.low.push_back(y * 0.9);
      series.high.push_back(y * 1.1);
    }
    chart.series.push_back(series);
  }
  chart.markers = {{4000, "current budget"}, {4200, "saturation"}};
  return chart;
}

IntervalChart sample_interval_chart() {
  IntervalChart chart;
  chart.title = "Variant against baseline";
  chart.value_label = "difference";
  chart.unit = Unit::kShare;
  chart.rows = {
      {"conversion rate", 0.01, 0.004, 0.016, "better", IntervalChart::Tone::kGood},
      {"reach", -0.002, -0.01, 0.006, "no clear difference", IntervalChart::Tone::kNeutral},
      {"loyalty rate", -0.02, -0.03, -0.01, "worse", IntervalChart::Tone::kBad}};
  return chart;
}

BarChart sample_bar_chart() {
  BarChart chart;
  chart.title = "Conversions by channel";
  chart.value_label = "conversions";
  chart.groups = {"baseline", "variant"};
  chart.rows = {{"search", {12000, 13000}, {11000, 12000}, {13000, 14000}},
                {"social", {-800, 7000}, {-1000, kNaN}, {-600, kNaN}}};
  return chart;
}

FlowDiagram sample_flow() {
  FlowDiagram diagram;
  diagram.title = "Journey flow";
  diagram.columns = {"awareness", "consideration", "decision"};
  diagram.colours = {"search", "social"};
  diagram.nodes = {
      {"ad", 0, 0, 1000}, {"post", 0, 1, 600}, {"page", 1, 0, 900}, {"checkout", 2, 0, 300, true}};
  diagram.links = {
      {0, 2, 700}, {1, 2, 200}, {2, 3, 300}, {3, 0, 50} /* backward */, {1, 3, 0} /* left out */};
  return diagram;
}

TEST_CASE("svg chart: the test's XML reader rejects what a parser would") {
  std::vector<Element> elements;
  CHECK(read_xml(R"(<svg a="1"><g><title>x &amp; y</title></g><rect b='2'/></svg>)", elements)
            .empty());
  CHECK(elements.size() == 4);
  CHECK(elements[1].tooltip == "x &amp; y");
  for (const char* bad : {"<svg><g></svg>", "<svg a=1/>", "<svg>a & b</svg>", "<svg a=\"<\"/>",
                          "<svg/><svg/>", "<svg a=\"1\" a=\"2\"/>", "<svg>&nbsp;</svg>",
                          "<svg a=\"1\"b=\"2\"/>", "<svg>", "text<svg/>"}) {
    CHECK_MESSAGE(!read_xml(bad, elements).empty(), bad);
  }
}

TEST_CASE("svg chart: escape makes any text safe in XML text and attributes") {
  CHECK(escape("a < b & \"c\" > 'd'") == "a &lt; b &amp; &quot;c&quot; &gt; &#39;d&#39;");
  CHECK(escape("plain") == "plain");
  CHECK(escape("caf\xc3\xa9 \xe2\x86\x92") == "caf\xc3\xa9 \xe2\x86\x92");  // UTF-8 kept
  CHECK(escape(std::string("bell\x07 nul") + '\0') == "bell nul");          // not allowed in XML
  CHECK(escape("bad \xff byte") == "bad \xef\xbf\xbd byte");                // U+FFFD
  CHECK(escape("cut \xc3") == "cut \xef\xbf\xbd");
}

TEST_CASE("svg chart: coordinates have one decimal and no negative zero") {
  CHECK(coordinate(12.34) == "12.3");
  CHECK(coordinate(3) == "3.0");
  CHECK(coordinate(-0.04) == "0.0");
  CHECK(coordinate(-2.26) == "-2.3");
  CHECK(coordinate(kNaN) == "0.0");
  CHECK(coordinate(kInf) == "0.0");
}

TEST_CASE("svg chart: the palette has eight distinct colours and repeats") {
  std::vector<std::string_view> colours;
  for (size_t i = 0; i < 8; ++i) colours.push_back(palette(i));
  std::sort(colours.begin(), colours.end());
  CHECK(std::unique(colours.begin(), colours.end()) == colours.end());
  CHECK(palette(8) == palette(0));
  CHECK(palette(0).size() == 7);
  CHECK(palette(0).front() == '#');
}

TEST_CASE("svg chart: nice ticks cover the range in steps of 1, 2 or 5") {
  struct Case {
    double lo, hi;
    int target;
  };
  const std::vector<Case> cases = {{0, 1, 5},         {0, 0.73, 5},    {-37, 12, 5},
                                   {0.3, 0.7, 5},     {0, 1234567, 6}, {1e-6, 3e-6, 4},
                                   {-0.02, 0.015, 5}, {950, 1050, 5},  {0, 3, 8}};
  for (const Case& c : cases) {
    CAPTURE(c.lo);
    CAPTURE(c.hi);
    const Ticks ticks = nice_ticks(c.lo, c.hi, c.target);
    const double slack = ticks.step * 1e-9;
    CHECK(ticks.low <= c.lo + slack);
    CHECK(ticks.high >= c.hi - slack);
    CHECK(ticks.low == ticks.values.front());
    CHECK(ticks.high == ticks.values.back());
    // Not a whole step of empty axis beyond the data at either end.
    CHECK(ticks.low > c.lo - ticks.step);
    CHECK(ticks.high < c.hi + ticks.step);
    const double mantissa = ticks.step / std::pow(10.0, std::floor(std::log10(ticks.step) + 1e-9));
    CHECK((std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
           std::abs(mantissa - 5) < 1e-9));
    const int n = static_cast<int>(ticks.values.size());
    CHECK(n >= std::max(2, c.target / 2));
    CHECK(n <= 2 * c.target);
    for (size_t i = 1; i < ticks.values.size(); ++i) {
      CHECK(ticks.values[i] - ticks.values[i - 1] == doctest::Approx(ticks.step));
    }
  }
  // Decimal ticks are the doubles nearest the decimals, not accumulated sums.
  const Ticks tenths = nice_ticks(0, 1, 5);
  CHECK(tenths.step == doctest::Approx(0.2));
  REQUIRE(tenths.values.size() == 6);
  CHECK(tenths.values[3] == 0.6);
  CHECK(nice_ticks(0.3, 0.7, 5).low == 0.3);
}

TEST_CASE("svg chart: nice ticks widen an empty range around its value") {
  const Ticks five = nice_ticks(5, 5);
  CHECK(five.low < 5);
  CHECK(five.high > 5);
  CHECK(five.values.size() >= 2);
  const Ticks zero = nice_ticks(0, 0);
  CHECK(zero.low < 0);
  CHECK(zero.high > 0);
  const Ticks negative = nice_ticks(-3, -3);
  CHECK(negative.low < -3);
  CHECK(negative.high > -3);
  CHECK(negative.high < 0);
}

TEST_CASE("svg chart: tick labels per unit") {
  using Labels = std::vector<std::string>;
  CHECK(tick_labels(nice_ticks(0, 0.1), Unit::kShare) ==
        Labels{"0%", "2%", "4%", "6%", "8%", "10%"});
  CHECK(tick_labels(nice_ticks(0, 0.01), Unit::kShare) ==
        Labels{"0%", "0.2%", "0.4%", "0.6%", "0.8%", "1.0%"});
  CHECK(tick_labels(nice_ticks(-0.02, 0.02), Unit::kShare) ==
        Labels{"-2%", "-1%", "0%", "1%", "2%"});
  CHECK(tick_labels(nice_ticks(0, 2500), Unit::kCount) ==
        Labels{"0", "500", "1,000", "1,500", "2,000", "2,500"});
  CHECK(tick_labels(nice_ticks(0, 50000), Unit::kCount) ==
        Labels{"0", "10k", "20k", "30k", "40k", "50k"});
  CHECK(tick_labels(nice_ticks(0, 2.5e6), Unit::kCount) ==
        Labels{"0", "0.5M", "1.0M", "1.5M", "2.0M", "2.5M"});
  CHECK(tick_labels(nice_ticks(0, 12), Unit::kCount) == Labels{"0", "5", "10", "15"});
  // Money without a currency sign: k and M as for counts, cents once decimals are needed.
  Ticks thousands;
  thousands.step = 2500;
  thousands.values = {0, 2500, 5000, 7500, 10000, 12500};
  thousands.low = 0;
  thousands.high = 12500;
  CHECK(tick_labels(thousands, Unit::kMoney) ==
        Labels{"0", "2.5k", "5.0k", "7.5k", "10.0k", "12.5k"});
  CHECK(tick_labels(nice_ticks(0, 2), Unit::kMoney) == Labels{"0", "0.50", "1.00", "1.50", "2.00"});
  CHECK(tick_labels(nice_ticks(0, 300), Unit::kMoney) == Labels{"0", "100", "200", "300"});
  CHECK(tick_labels(nice_ticks(0, 1.5), Unit::kRatio) == Labels{"0", "0.5", "1.0", "1.5"});
  CHECK(tick_labels(nice_ticks(0, 4000), Unit::kRatio).back() == "4,000");
}

TEST_CASE("svg chart: text width grows with the text and the type size") {
  CHECK(text_width("") == 0);
  CHECK(text_width("iiii") < text_width("MMMM"));
  CHECK(text_width("abc", 24) == doctest::Approx(2 * text_width("abc", 12)));
  CHECK(truncate("short", 200) == "short");
  const std::string cut = truncate("a label much too long for the room it has", 80);
  CHECK(cut.size() < 40);
  CHECK(cut.substr(cut.size() - 3) == "\xe2\x80\xa6");
  CHECK(text_width(cut) <= 80);
  // Never inside a multi-byte character.
  const std::string accents = truncate("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 30);
  CHECK(escape(accents) == accents);
}

TEST_CASE("svg chart: svg_open and text_element") {
  const std::string open = svg_open(760, 399.5, "A & B");
  CHECK(open.find(R"(width="760" height="400" viewBox="0 0 760 400")") != std::string::npos);
  CHECK(open.find("<title>A &amp; B</title>") != std::string::npos);
  CHECK(text_element(10, 20.26, "x<y", "middle", R"(fill="#222222")") ==
        "<text x=\"10.0\" y=\"20.3\" text-anchor=\"middle\" fill=\"#222222\">x&lt;y</text>\n");
  CHECK(text_element(1, 2, "t", "start") == "<text x=\"1.0\" y=\"2.0\">t</text>\n");
}

TEST_CASE("svg chart: every chart is a well-formed standalone svg with content") {
  for (const std::string& svg : {render(sample_line_chart()), render(sample_bar_chart()),
                                 render(sample_interval_chart()), render(sample_flow())}) {
    const std::vector<Element> elements = check_document(svg);
    CHECK(has_drawing(elements));
    CHECK(svg.find("no data") == std::string::npos);
    CHECK(named(elements, "text").size() > 3);
  }
}

TEST_CASE("svg chart: the same chart gives the same bytes") {
  CHECK(render(sample_line_chart()) == render(sample_line_chart()));
  CHECK(render(sample_bar_chart()) == render(sample_bar_chart()));
  CHECK(render(sample_interval_chart()) == render(sample_interval_chart()));
  CHECK(render(sample_flow()) == render(sample_flow()));
}

TEST_CASE("svg chart: titles and labels are escaped") {
  const std::string nasty = "<Q&A> \"quoted\" 'single'";
  const std::string escaped = "&lt;Q&amp;A&gt; &quot;quoted&quot; &#39;single&#39;";
  LineChart line = sample_line_chart();
  line.title = line.x_label = line.y_label = line.series[0].name = nasty;
  line.markers[0].label = nasty;
  BarChart bars = sample_bar_chart();
  bars.title = bars.rows[0].label = bars.groups[0] = nasty;
  IntervalChart intervals = sample_interval_chart();
  intervals.title = intervals.rows[0].label = intervals.rows[0].note = nasty;
  FlowDiagram flow = sample_flow();
  flow.title = flow.nodes[0].label = flow.columns[0] = flow.colours[0] = nasty;
  for (const std::string& svg : {render(line), render(bars), render(intervals), render(flow)}) {
    check_document(svg);
    CHECK(svg.find("<Q&A>") == std::string::npos);
    CHECK(svg.find("&lt;Q&amp;A&gt;") != std::string::npos);
    CHECK(count(svg, escaped) >= 2);  // at least the <title> and the visible title
  }
}

TEST_CASE("svg chart: a NaN point breaks its line and its band") {
  LineChart chart;
  chart.title = "gap";
  Series series;
  series.name = "with a gap";
  series.x = {0, 1, 2, 3, 4, 5};
  series.y = {1, 2, kNaN, 4, 5, 6};
  series.low = {0.5, 1.5, kNaN, 3.5, 4.5, 5.5};
  series.high = {1.5, 2.5, kNaN, 4.5, 5.5, 6.5};
  chart.series = {series};
  const std::string svg = render(chart);
  const std::vector<Element> elements = check_document(svg);
  size_t lines = 0, bands = 0;
  for (const Element* path : named(elements, "path")) {
    const std::string& d = path->attributes.at("d");
    if (path->attributes.count("fill-opacity")) {
      ++bands;
    } else if (path->attributes.at("fill") == "none") {
      ++lines;
      CHECK(count(d, "M") == 2);  // two runs: points 0-1 and 3-5
      CHECK(count(d, "L") == 3);
    }
  }
  CHECK(lines == 1);
  CHECK(bands == 2);
  // A point alone between gaps is drawn as a dot, not lost.
  chart.series[0].y = {1, kNaN, 3, kNaN, 5, 6};
  chart.series[0].low.clear();
  chart.series[0].high.clear();
  CHECK(named(check_document(render(chart)), "circle").size() == 2);
}

TEST_CASE("svg chart: an infinite interval end is clipped to the axis") {
  IntervalChart chart = sample_interval_chart();
  chart.rows[1].high = kInf;
  chart.rows[2].low = -kInf;
  const std::string svg = render(chart);
  const std::vector<Element> elements = check_document(svg);
  // The interval lines end at the axis ends, with an arrowhead each.
  const std::vector<const Element*> lines = named(elements, "line");
  double axis_left = 1e9, axis_right = -1e9;
  for (const Element* line : lines) {
    axis_left = std::min(axis_left, std::stod(line->attributes.at("x1")));
    axis_right = std::max(axis_right, std::stod(line->attributes.at("x2")));
  }
  size_t clipped = 0;
  for (const Element* line : lines) {
    if (line->attributes.at("stroke-width") != "2.0") continue;  // interval lines
    clipped += std::stod(line->attributes.at("x2")) == axis_right;
    clipped += std::stod(line->attributes.at("x1")) == axis_left;
  }
  CHECK(clipped == 2);
  CHECK(named(elements, "path").size() == 2);
  CHECK(named(elements, "circle").size() == 3);
  // The same holds for a band in a line chart.
  LineChart line = sample_line_chart();
  line.series[0].high[3] = kInf;
  line.series[0].low[4] = -kInf;
  check_document(render(line));
}

TEST_CASE("svg chart: empty charts render a frame saying no data") {
  LineChart all_nan;
  all_nan.series = {Series{"nothing", {0, 1}, {kNaN, kNaN}, {}, {}}};
  IntervalChart nan_rows;
  nan_rows.rows = {{"row", kNaN, kNaN, kNaN, "", IntervalChart::Tone::kNeutral}};
  for (const std::string& svg : {render(LineChart{}), render(BarChart{}), render(IntervalChart{}),
                                 render(FlowDiagram{}), render(all_nan), render(nan_rows)}) {
    const std::vector<Element> elements = check_document(svg);
    CHECK(count(svg, ">no data</text>") == 1);
  }
  LineChart titled;
  titled.title = "Empty <chart>";
  const std::string svg = render(titled);
  CHECK(svg.find("<title>Empty &lt;chart&gt;</title>") != std::string::npos);
}

TEST_CASE("svg chart: bars, error bars, value labels and legend") {
  const std::string svg = render(sample_bar_chart());
  const std::vector<Element> elements = check_document(svg);
  // Background + legend swatches (2) + bars (4).
  CHECK(named(elements, "rect").size() == 1 + 2 + 4);
  for (const char* value : {">12,000<", ">13,000<", ">-800<", ">7,000<"}) {
    CHECK_MESSAGE(svg.find(value) != std::string::npos, value);
  }
  CHECK(svg.find(">baseline<") != std::string::npos);  // legend
  // Three error bars of three lines each (the NaN one is left out).
  size_t error_lines = 0;
  for (const Element* line : named(elements, "line")) {
    error_lines += line->attributes.at("stroke-width") == "1.2";
  }
  CHECK(error_lines == 9);
  // One group needs no legend; a NaN value is said, not drawn.
  BarChart single;
  single.rows = {{"a", {3}, {}, {}}, {"b", {kNaN}, {}, {}}};
  const std::string one = render(single);
  CHECK(named(check_document(one), "rect").size() == 2);
  CHECK(one.find(">n/a<") != std::string::npos);
}

TEST_CASE("svg chart: line chart legend, markers and dots") {
  LineChart chart = sample_line_chart();
  chart.dots = true;
  const std::string svg = render(chart);
  const std::vector<Element> elements = check_document(svg);
  CHECK(svg.find(">search<") != std::string::npos);
  CHECK(svg.find(">shaded: 95% interval<") != std::string::npos);
  CHECK(svg.find(">current budget<") != std::string::npos);
  CHECK(named(elements, "circle").size() == 22);
  // Overlapping marker labels are moved apart vertically.
  std::vector<std::string> marker_y;
  for (const Element* text : named(elements, "text")) {
    if (text->text == "current budget" || text->text == "saturation") {
      marker_y.push_back(text->attributes.at("y"));
    }
  }
  REQUIRE(marker_y.size() == 2);
  CHECK(marker_y[0] != marker_y[1]);
  // A single series without a band has no legend.
  LineChart single;
  single.series = {Series{"only", {0, 1, 2}, {1, 3, 2}, {}, {}}};
  CHECK(render(single).find(">only</text>") == std::string::npos);
}

TEST_CASE("flow diagram: ribbons, arcs, goal and the links left out") {
  FlowDiagram diagram = sample_flow();
  diagram.links.push_back({0, 3, kNaN});  // left out like a zero
  diagram.links.push_back({2, 2, 20});    // within one column: an arc
  const std::string svg = render(diagram);
  const std::vector<Element> elements = check_document(svg);
  size_t drawn = 0;
  for (const FlowDiagram::Link& link : diagram.links) drawn += link.value > 0;
  // Every drawn link, ribbon or arc, has a tooltip "a -> b: n people".
  CHECK(count(svg, " -&gt; ") == drawn);
  CHECK(svg.find("ad -&gt; page: 700 people") != std::string::npos);
  CHECK(svg.find("post -&gt; checkout") == std::string::npos);
  size_t ribbons = 0, arcs = 0;
  for (const Element* path : named(elements, "path")) {
    if (path->attributes.count("stroke-opacity")) ++arcs;
    if (path->attributes.count("fill-opacity") && path->attributes.at("fill-opacity") == "0.35") {
      ++ribbons;
    }
  }
  CHECK(ribbons == 3);  // forward links with people on them
  CHECK(arcs == 2);     // checkout -> ad, page -> page
  // The goal has a heavier outline and says so in its tooltip.
  CHECK(svg.find("checkout: 300 people (goal)") != std::string::npos);
  CHECK(count(svg, R"(stroke="#111111" stroke-width="2.2")") == 1);
  // Visits beside the boxes, channels in the legend, stage headings.
  for (const char* text :
       {">1,000<", ">900<", ">search<", ">social<", ">awareness<", ">decision<"}) {
    CHECK_MESSAGE(svg.find(text) != std::string::npos, text);
  }
  // The part of page not fed by ribbons (900 - 700 - 200 = 0) has no stub;
  // checkout is fed in full, ad and post come from outside.
  CHECK(count(svg, "arriving from outside the journey</title>") == 2);
}

TEST_CASE("flow diagram: one node, empty columns and broken sizes") {
  FlowDiagram one;
  one.columns = {"awareness"};
  one.colours = {"search"};
  one.nodes = {{"only", 0, 0, 10}};
  check_document(render(one));

  FlowDiagram odd = sample_flow();
  odd.columns = {"awareness", "empty", "consideration", "decision"};
  odd.nodes[2].column = 2;
  odd.nodes[3].column = 3;
  odd.nodes[1].size = kNaN;   // treated as 0
  odd.nodes[3].size = 0;      // zero size, still a box
  odd.links[0].value = 5000;  // far more than the box holds
  odd.links.push_back({1, 3, kInf});
  const std::string svg = render(odd);
  const std::vector<Element> elements = check_document(svg);
  CHECK(svg.find(">empty<") != std::string::npos);
  CHECK(count(svg, " -&gt; ") == 4);
  // The ribbon leaving "ad" stays within its box though it carries more than the box.
  const Element* ad = nullptr;
  for (const Element* rect : named(elements, "rect")) {
    if (rect->tooltip.rfind("ad: ", 0) == 0) ad = rect;
  }
  REQUIRE(ad != nullptr);
  const double ad_top = std::stod(ad->attributes.at("y"));
  const double ad_bottom = ad_top + std::stod(ad->attributes.at("height"));
  size_t checked = 0;
  for (const Element* path : named(elements, "path")) {
    if (path->tooltip.rfind("ad -&gt; ", 0) != 0) continue;
    const std::vector<std::string> numbers = numbers_in(path->attributes.at("d"));
    CHECK(std::stod(numbers[1]) >= ad_top - 0.05);
    CHECK(std::stod(numbers.back()) <= ad_bottom + 0.05);
    ++checked;
  }
  CHECK(checked == 1);
}

TEST_CASE("flow diagram: forty nodes keep their labels apart") {
  FlowDiagram diagram;
  diagram.title = "Forty touchpoints";
  diagram.columns = {"awareness", "consideration", "decision", "loyalty"};
  diagram.colours = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  for (size_t i = 0; i < 40; ++i) {
    diagram.nodes.push_back(
        {"touchpoint_" + std::to_string(i) + std::string(i % 4 * 6, 'x'), i * 4 / 40, i % 10,
         i % 6 == 0 ? 0.0 : 100.0 * static_cast<double>(i % 9 + 1), i % 11 == 0});
  }
  for (size_t i = 0; i + 10 < 40; ++i)
    diagram.links.push_back({i, i + 10, 40.0 * static_cast<double>(i % 3)});
  diagram.links.push_back({35, 2, 30});
  const std::string svg = render(diagram);
  const std::vector<Element> elements = check_document(svg);
  size_t drawn = 0;
  for (const FlowDiagram::Link& link : diagram.links) drawn += link.value > 0;
  CHECK(count(svg, " -&gt; ") == drawn);
  // The first line of each node label: ids in 12 px with a halo.
  std::vector<std::pair<double, double>> labels;
  for (const Element* text : named(elements, "text")) {
    if (text->attributes.count("paint-order") && !text->attributes.count("font-size")) {
      labels.emplace_back(std::stod(text->attributes.at("x")), std::stod(text->attributes.at("y")));
    }
  }
  REQUIRE(labels.size() == 40);
  for (size_t a = 0; a < labels.size(); ++a) {
    for (size_t b = a + 1; b < labels.size(); ++b) {
      // In one column (same x, give or take a goal's mark) two lines apart.
      if (std::abs(labels[a].first - labels[b].first) < 40) {
        CHECK(std::abs(labels[a].second - labels[b].second) >= 28);
      }
    }
  }
}

}  // namespace
}  // namespace cjsim::report::svg
