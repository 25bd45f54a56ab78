#include "tools/report/svg_chart.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

namespace cjsim::report::svg {
namespace {

// The drawing is laid out for about 760 px, the width of a report column and
// of a 16:9 slide's content area; the viewBox lets it scale from there.
constexpr double kWidth = 760;
constexpr double kMargin = 16;
constexpr double kTitleBaseline = 24;

// Ink: near-black text on white reads better than pure black; the grid is
// light enough to sit behind the data.
constexpr std::string_view kInk = "#222222";
constexpr std::string_view kAxis = "#444444";
constexpr std::string_view kGrid = "#e4e4e4";
constexpr std::string_view kZeroLine = "#9a9a9a";

// Text drawn over lines or ribbons keeps a white outline so it stays legible.
constexpr std::string_view kHalo =
    R"(stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke")";

// Fixed-point text that does not depend on the C locale: printf would write
// "0,5" after a setlocale(LC_ALL, "de_DE"), and the bytes must not change.
std::string fixed(double value, int decimals) {
  std::array<char, 400> buffer;
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                    std::chars_format::fixed, decimals);
  if (result.ec != std::errc()) return "0";
  std::string text(buffer.data(), result.ptr);
  // "-0.0" is zero: write it without the sign.
  if (text.front() == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

// Thousands separators in the integer part of a fixed-point number.
std::string group_thousands(const std::string& number) {
  const size_t sign = number.front() == '-' ? 1 : 0;
  const size_t point = std::min(number.find('.'), number.size());
  std::string out = number.substr(0, sign);
  for (size_t i = sign; i < point; ++i) {
    if (i > sign && (point - i) % 3 == 0) out += ',';
    out += number[i];
  }
  return out + number.substr(point);
}

// The fewest decimals that write every multiple of `step` exactly: 0 for
// 5, 1 for 0.2 and for 2.5, 3 for 0.005.
int decimals_for(double step) {
  if (!(step > 0) || !std::isfinite(step)) return 0;
  for (int decimals = 0; decimals < 15; ++decimals) {
    const double scaled = step * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) <= 1e-9 * std::max(1.0, scaled)) return decimals;
  }
  return 15;
}

double clamp_finite(double value) { return std::isfinite(value) ? value : 0.0; }

std::string attribute(std::string_view name, double value) {
  std::string out = " ";
  out += name;
  out += "=\"" + coordinate(value) + "\"";
  return out;
}

std::string attribute(std::string_view name, std::string_view value) {
  std::string out = " ";
  out += name;
  out += "=\"";
  out += value;
  out += "\"";
  return out;
}

std::string line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
                 std::string_view extra = "") {
  std::string out = "<line" + attribute("x1", x1) + attribute("y1", y1) + attribute("x2", x2) +
                    attribute("y2", y2) + attribute("stroke", stroke) +
                    attribute("stroke-width", width);
  if (!extra.empty()) out += " " + std::string(extra);
  return out + "/>\n";
}

// A rectangle; `tooltip` (plain text) becomes its <title> child.
std::string rect(double x, double y, double width, double height, std::string_view fill,
                 std::string_view extra = "", std::string_view tooltip = "") {
  std::string out = "<rect" + attribute("x", x) + attribute("y", y) +
                    attribute("width", std::max(width, 0.0)) +
                    attribute("height", std::max(height, 0.0)) + attribute("fill", fill);
  if (!extra.empty()) out += " " + std::string(extra);
  if (tooltip.empty()) return out + "/>\n";
  return out + "><title>" + escape(tooltip) + "</title></rect>\n";
}

std::string circle(double x, double y, double radius, std::string_view fill,
                   std::string_view extra = "") {
  std::string out = "<circle" + attribute("cx", x) + attribute("cy", y) + attribute("r", radius) +
                    attribute("fill", fill);
  if (!extra.empty()) out += " " + std::string(extra);
  return out + "/>\n";
}

std::string point(double x, double y) { return coordinate(x) + " " + coordinate(y); }

// A linear map from data values to pixels. Values beyond the axis, and the
// infinite ends of intervals, are clipped to it.
struct Scale {
  double from_low = 0, from_high = 1, to_low = 0, to_high = 1;
  double operator()(double value) const {
    if (value == -INFINITY) return to_low;
    if (value == INFINITY) return to_high;
    const double span = from_high - from_low;
    const double t = span > 0 ? (value - from_low) / span : 0.5;
    return to_low + std::clamp(t, 0.0, 1.0) * (to_high - to_low);
  }
};

std::string title_element(std::string_view title) {
  if (title.empty()) return "";
  return text_element(kMargin, kTitleBaseline, truncate(title, kWidth - 2 * kMargin, 15), "start",
                      R"(font-size="15" font-weight="bold" fill="#222222")");
}

// One legend entry: a short line (a series), a filled square (a group) or a
// translucent square (an interval band).
struct LegendEntry {
  enum class Kind { kLine, kSwatch, kBand };
  std::string name;
  std::string_view colour;
  Kind kind = Kind::kSwatch;
};

// The title and the legend below it, flowing over as many rows as needed.
struct Header {
  std::string svg;
  double bottom = 0;  // the y below which the plot may start
};

Header header(std::string_view title, const std::vector<LegendEntry>& entries) {
  Header out;
  out.svg = title_element(title);
  double y = title.empty() ? kMargin : kTitleBaseline + 12;
  if (entries.empty()) {
    out.bottom = y;
    return out;
  }
  constexpr double kRow = 18, kSwatch = 18;
  double x = kMargin;
  for (const LegendEntry& entry : entries) {
    const std::string name = truncate(entry.name, 240, 11);
    const double width = kSwatch + 6 + text_width(name, 11);
    if (x > kMargin && x + width > kWidth - kMargin) {
      x = kMargin;
      y += kRow;
    }
    const double middle = y + kRow / 2;
    switch (entry.kind) {
      case LegendEntry::Kind::kLine:
        out.svg += line(x, middle, x + kSwatch, middle, entry.colour, 2.5);
        break;
      case LegendEntry::Kind::kSwatch:
        out.svg += rect(x + 3, middle - 6, 12, 12, entry.colour);
        break;
      case LegendEntry::Kind::kBand:
        out.svg += rect(x, middle - 6, kSwatch, 12, entry.colour, R"(fill-opacity="0.2")");
        break;
    }
    out.svg += text_element(x + kSwatch + 6, middle + 4, name, "start",
                            R"(font-size="11" fill="#222222")");
    x += width + 18;
  }
  out.bottom = y + kRow + 4;
  return out;
}

// A chart with nothing to draw still renders: a frame and "no data", so a
// report keeps its layout and a reader sees why the chart is empty.
std::string no_data_chart(std::string_view title) {
  constexpr double kHeight = 160;
  const double top = title.empty() ? kMargin : kTitleBaseline + 12;
  std::string out = svg_open(kWidth, kHeight, title);
  out += title_element(title);
  out += rect(kMargin, top, kWidth - 2 * kMargin, kHeight - top - kMargin, "none",
              R"(stroke="#cccccc" stroke-width="1")");
  out += text_element(kWidth / 2, (top + kHeight - kMargin) / 2 + 5, "no data", "middle",
                      R"(font-size="14" fill="#777777")");
  return out + "</svg>\n";
}

// Ticks of a horizontal axis `pixels` wide whose labels do not collide: the
// target count falls until the widest label fits between two ticks.
Ticks fitting_ticks(double lo, double hi, Unit unit, double pixels, int target,
                    std::vector<std::string>& labels) {
  for (;; --target) {
    Ticks ticks = nice_ticks(lo, hi, target);
    labels = tick_labels(ticks, unit);
    double widest = 0;
    for (const std::string& label : labels) widest = std::max(widest, text_width(label, 11));
    const double spacing =
        pixels / std::max<double>(1.0, static_cast<double>(ticks.values.size()) - 1);
    if (widest + 12 <= spacing || target <= 2) return ticks;
  }
}

// The bottom axis: line, tick marks, labels and the axis title.
std::string bottom_axis(const Ticks& ticks, const std::vector<std::string>& labels, const Scale& x,
                        double bottom, std::string_view title) {
  std::string out = line(x.to_low, bottom, x.to_high, bottom, kAxis, 1);
  for (size_t i = 0; i < ticks.values.size(); ++i) {
    const double at = x(ticks.values[i]);
    out += line(at, bottom, at, bottom + 4, kAxis, 1);
    out += text_element(at, bottom + 17, labels[i], "middle", R"(font-size="11" fill="#555555")");
  }
  if (!title.empty()) {
    out += text_element((x.to_low + x.to_high) / 2, bottom + 36,
                        truncate(title, x.to_high - x.to_low), "middle", R"(fill="#222222")");
  }
  return out;
}

// Vertical grid lines at the ticks of a horizontal axis, and a darker line
// at zero when zero is inside the axis (differences read against it).
std::string vertical_grid(const Ticks& ticks, const Scale& x, double top, double bottom) {
  std::string out;
  for (double value : ticks.values) {
    const bool is_zero = value == 0 && ticks.low < 0 && ticks.high > 0;
    out += line(x(value), top, x(value), bottom, is_zero ? kZeroLine : kGrid, 1);
  }
  return out;
}

struct Range {
  double low = INFINITY, high = -INFINITY;
  void add(double value) {
    if (!std::isfinite(value)) return;
    low = std::min(low, value);
    high = std::max(high, value);
  }
  bool empty() const { return low > high; }
};

bool has_band(const Series& series) {
  return !series.low.empty() && series.low.size() == series.x.size() &&
         series.high.size() == series.x.size();
}

// Runs of consecutive indices where `usable(i)` holds: a NaN breaks a line.
template <typename Usable>
std::vector<std::pair<size_t, size_t>> runs(size_t count, Usable usable) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  while (i < count) {
    if (!usable(i)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < count && usable(end)) ++end;
    out.emplace_back(i, end);
    i = end;
  }
  return out;
}

std::string band_paths(const Series& series, const Scale& x, const Scale& y,
                       std::string_view colour) {
  std::string out;
  const size_t count = std::min(series.x.size(), series.y.size());
  // An infinite end is clipped to the axis; only NaN (or a non-finite x)
  // leaves a point out.
  auto usable = [&](size_t i) {
    return std::isfinite(series.x[i]) && !std::isnan(series.low[i]) && !std::isnan(series.high[i]);
  };
  for (auto [begin, end] : runs(count, usable)) {
    if (end - begin == 1) {
      out += line(x(series.x[begin]), y(series.low[begin]), x(series.x[begin]),
                  y(series.high[begin]), colour, 4, R"(stroke-opacity="0.3")");
      continue;
    }
    std::string d = "M" + point(x(series.x[begin]), y(series.high[begin]));
    for (size_t i = begin + 1; i < end; ++i) d += "L" + point(x(series.x[i]), y(series.high[i]));
    for (size_t i = end; i-- > begin;) d += "L" + point(x(series.x[i]), y(series.low[i]));
    out += "<path d=\"" + d + "Z\"" + attribute("fill", colour) +
           R"( fill-opacity="0.18" stroke="none"/>)" + "\n";
  }
  return out;
}

std::string series_path(const Series& series, const Scale& x, const Scale& y,
                        std::string_view colour, bool dots) {
  std::string out;
  const size_t count = std::min(series.x.size(), series.y.size());
  auto usable = [&](size_t i) { return std::isfinite(series.x[i]) && std::isfinite(series.y[i]); };
  std::string d;
  std::vector<bool> is_isolated(count);
  for (auto [begin, end] : runs(count, usable)) {
    if (end - begin == 1) {
      is_isolated[begin] = true;
      continue;
    }
    d += "M" + point(x(series.x[begin]), y(series.y[begin]));
    for (size_t i = begin + 1; i < end; ++i) d += "L" + point(x(series.x[i]), y(series.y[i]));
  }
  if (!d.empty()) {
    out += "<path d=\"" + d + "\" fill=\"none\"" + attribute("stroke", colour) +
           R"( stroke-width="2" stroke-linejoin="round" stroke-linecap="round">)";
    out += "<title>" + escape(series.name) + "</title></path>\n";
  }
  // A point between two gaps has no segment to draw: it gets a dot instead.
  for (size_t i = 0; i < count; ++i) {
    if (!usable(i) || !(dots || is_isolated[i])) continue;
    out +=
        circle(x(series.x[i]), y(series.y[i]), 3, colour, R"(stroke="#ffffff" stroke-width="1")");
  }
  return out;
}

// Shaded spans behind the lines, each with its label at the plot's foot
// (clipped to the span's width) and the label as a tooltip.
std::string span_shading(const std::vector<Span>& spans, const Scale& x, double top,
                         double bottom) {
  std::string out;
  for (const Span& span : spans) {
    if (!std::isfinite(span.from) || !std::isfinite(span.to)) continue;
    const double from = std::max(x(span.from - 0.5), x.to_low);
    const double to = std::min(x(span.to + 0.5), x.to_high);
    if (to <= from) continue;
    out += rect(from, top, to - from, bottom - top, span.strong ? "#f6dfc0" : "#e6eef7",
                R"(fill-opacity="0.7")", span.label);
    // Labels of strong spans (events) at the top, of the others at the foot.
    const std::string label = truncate(span.label, to - from - 4, 10);
    if (!label.empty()) {
      out += text_element(from + 2, span.strong ? top + 24 : bottom - 4, label, "start",
                          R"(font-size="10" fill="#555555")");
    }
  }
  return out;
}

// Marker labels sit at the top of the plot; a label that would overlap an
// earlier one moves down a row.
std::string marker_labels(const std::vector<Marker>& markers, const Scale& x, double top) {
  std::string out;
  std::vector<std::vector<std::pair<double, double>>> rows;
  for (const Marker& marker : markers) {
    if (!std::isfinite(marker.x) || marker.label.empty()) continue;
    const double at = x(marker.x);
    const std::string label = truncate(marker.label, 220, 11);
    const double width = text_width(label, 11);
    const bool to_right = at + 4 + width <= x.to_high;
    const double from = to_right ? at + 4 : at - 4 - width, to = from + width;
    size_t row = 0;
    for (; row < rows.size(); ++row) {
      const bool collides = std::any_of(rows[row].begin(), rows[row].end(), [&](auto span) {
        return from < span.second + 6 && span.first < to + 6;
      });
      if (!collides) break;
    }
    if (row == rows.size()) rows.emplace_back();
    rows[row].emplace_back(from, to);
    out += text_element(to_right ? at + 4 : at - 4, top + 12 + 14 * static_cast<double>(row), label,
                        to_right ? "start" : "end",
                        std::string(R"(font-size="11" fill="#333333" )") + std::string(kHalo));
  }
  return out;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\'':
        out += "&#39;";
        continue;
      default:
        break;
    }
    if (c < 0x80) {
      // XML 1.0 forbids control characters other than tab, newline and
      // return, even escaped; a parser would reject the whole chart.
      if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);
      continue;
    }
    // Multi-byte UTF-8 passes through when well formed; a stray byte becomes
    // U+FFFD so that one bad label cannot make the document unreadable.
    const size_t length = c >= 0xf5 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    }
    if (valid) {
      out.append(text.substr(i, length));
      i += length - 1;
    } else {
      out += "\xef\xbf\xbd";
    }
  }
  return out;
}

std::string coordinate(double value) {
  // Beyond a million pixels nothing is visible; clipping keeps the text short.
  if (!std::isfinite(value)) return "0.0";
  return fixed(std::clamp(value, -1e6, 1e6), 1);
}

std::string_view palette(size_t index) {
  // Okabe and Ito (2008), "Color Universal Design": distinguishable with
  // each common colour-vision deficiency. Ordered so that the first colours
  // have the most contrast on white; yellow and black come last.
  static constexpr std::array<std::string_view, 8> kColours = {
      "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
  return kColours[index % kColours.size()];
}

Ticks nice_ticks(double lo, double hi, int target) {
  // The REQUIRES are a caller's promise; a broken promise still gets an axis.
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  lo = std::max(lo, -1e300);
  hi = std::min(hi, 1e300);
  target = std::max(target, 2);
  if (lo == hi) {
    const double widen = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= widen;
    hi += widen;
  }
  // Candidate steps around span / (target - 1); keep the one whose tick
  // count is nearest the target and, of two as near, the one that wastes
  // less axis beyond the data (Heckbert, "Nice numbers for graph labels",
  // Graphics Gems, 1990, with a search in place of his rounding table).
  const double raw = (hi - lo) / (target - 1);
  const int base = static_cast<int>(std::floor(std::log10(raw)));
  double best_score = INFINITY, best_extent = INFINITY;
  int best_exponent = 0, best_mantissa = 1;
  double best_first = 0, best_last = 0;
  for (int exponent = base - 1; exponent <= base + 1; ++exponent) {
    for (int mantissa : {1, 2, 5}) {
      const double step = mantissa * std::pow(10.0, exponent);
      // The epsilon keeps 0.3 / 0.1 = 2.9999999999999996 from adding a tick.
      const double first = std::floor(lo / step + 1e-9);
      const double last = std::ceil(hi / step - 1e-9);
      const double score = std::abs(last - first + 1 - target);
      const double extent = (last - first) * step;
      if (score < best_score || (score == best_score && extent < best_extent)) {
        best_score = score;
        best_extent = extent;
        best_exponent = exponent;
        best_mantissa = mantissa;
        best_first = first;
        best_last = last;
      }
    }
  }
  // k * mantissa / 10^-e is the double nearest the decimal tick (0.3, not
  // 0.30000000000000004), so labels and equality tests see round values.
  const double power = std::pow(10.0, std::abs(best_exponent));
  auto tick = [&](double k) {
    const double value = best_exponent >= 0 ? k * best_mantissa * power : k * best_mantissa / power;
    return value == 0 ? 0.0 : value;
  };
  Ticks best;
  best.step = best_mantissa * std::pow(10.0, best_exponent);
  for (double k = best_first; k <= best_last && best.values.size() < 1000; ++k) {
    best.values.push_back(tick(k));
  }
  best.low = best.values.front();
  best.high = best.values.back();
  return best;
}

std::vector<std::string> tick_labels(const Ticks& ticks, Unit unit) {
  std::vector<std::string> out;
  double largest = 0;
  for (double value : ticks.values) largest = std::max(largest, std::abs(value));
  for (double value : ticks.values) {
    std::string label;
    // Zero reads as "0" in every unit, whatever decimals its neighbours need.
    if (value == 0) {
      out.push_back(unit == Unit::kShare ? "0%" : "0");
      continue;
    }
    switch (unit) {
      case Unit::kShare:
        label = fixed(value * 100, decimals_for(ticks.step * 100)) + "%";
        break;
      case Unit::kRatio:
        label = group_thousands(fixed(value, decimals_for(ticks.step)));
        break;
      case Unit::kCount:
      case Unit::kMoney: {
        // One suffix for the whole axis, chosen by its largest tick: 0, 5k,
        // 10k, 15k rather than 0, 5,000, 10k. Below ten thousand the digits
        // with a separator read as easily.
        const auto [scale, suffix] = largest >= 1e6   ? std::pair{1e6, "M"}
                                     : largest >= 1e4 ? std::pair{1e3, "k"}
                                                      : std::pair{1.0, ""};
        int decimals = decimals_for(ticks.step / scale);
        // Money in units keeps cents once it needs decimals at all: 2.50.
        if (unit == Unit::kMoney && scale == 1 && decimals > 0) decimals = std::max(decimals, 2);
        label = group_thousands(fixed(value / scale, decimals)) + suffix;
        break;
      }
    }
    out.push_back(label);
  }
  return out;
}

std::string svg_open(double width, double height, std::string_view title) {
  // Whole pixels for the outer size; the viewBox makes it scale in a page
  // (max-width: 100%; height: auto) and gives a slide its natural size.
  const std::string w = fixed(std::ceil(clamp_finite(width)), 0);
  const std::string h = fixed(std::ceil(clamp_finite(height)), 0);
  std::string out = R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" + w + "\" height=\"" + h +
                    "\" viewBox=\"0 0 " + w + " " + h + "\" font-family=\"DejaVu Sans, " +
                    "Arial, Helvetica, sans-serif\" font-size=\"12\" role=\"img\">\n";
  out += "<title>" + escape(title) + "</title>\n";
  out += "<rect width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
  return out;
}

std::string text_element(double x, double y, std::string_view text, std::string_view anchor,
                         std::string_view attributes) {
  std::string out = "<text" + attribute("x", x) + attribute("y", y);
  if (anchor != "start") out += attribute("text-anchor", anchor);
  if (!attributes.empty()) {
    if (attributes.front() != ' ') out += ' ';
    out += attributes;
  }
  return out + ">" + escape(text) + "</text>\n";
}

std::string truncate(std::string_view text, double max_width, double font_size) {
  if (text_width(text, font_size) <= max_width) return std::string(text);
  const std::string_view ellipsis = "\u2026";
  const double room = max_width - text_width(ellipsis, font_size);
  size_t end = 0;
  for (size_t i = 0; i < text.size();) {
    size_t next = i + 1;
    while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xc0) == 0x80) ++next;
    if (text_width(text.substr(0, next), font_size) > room) break;
    end = next;
    i = next;
  }
  return std::string(text.substr(0, end)) + std::string(ellipsis);
}

double text_width(std::string_view text, double font_size) {
  // Advance widths of DejaVu Sans (the first font asked for, and the widest
  // of them), in 1/2048 em, for ASCII 32 to 126. Arial and Helvetica are
  // narrower, so a layout that fits here fits there.
  static constexpr std::array<uint16_t, 95> kAdvance = {
      651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716, 651,  739,
      651,  690,  1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,
      1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604,
      604,  1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025,
      1403, 1251, 1403, 799,  690,  799,  1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260,
      721,  1300, 1298, 569,  569,  1186, 569,  1995, 1298, 1253, 1300, 1300, 842,  1067,
      803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716};
  double units = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 32 && c < 127) {
      units += kAdvance[c - 32];
    } else if (c >= 0xe3 && c < 0xf0) {
      units += 2048;  // CJK and other wide scripts: a full em
    } else if (c >= 0xc0) {
      units += 1400;  // the lead byte of any other character; continuation bytes add nothing
    }
  }
  return units / 2048 * font_size;
}

// Longer than 80 lines for a reason: one chart drawn top to bottom (range,
// layout, grid, bands, lines, dots, markers, axes), each step using the
// layout the previous ones set; cut apart, they would pass it all along.
std::string render(const LineChart& chart) {
  Range xs, ys;
  for (const Series& series : chart.series) {
    const size_t count = std::min(series.x.size(), series.y.size());
    const bool band = has_band(series);
    for (size_t i = 0; i < count; ++i) {
      if (!std::isfinite(series.x[i])) continue;
      const bool has_y = std::isfinite(series.y[i]);
      const bool has_interval =
          band && (std::isfinite(series.low[i]) || std::isfinite(series.high[i]));
      if (!has_y && !has_interval) continue;
      xs.add(series.x[i]);
      ys.add(series.y[i]);
      if (band) {
        ys.add(series.low[i]);
        ys.add(series.high[i]);
      }
    }
  }
  if (xs.empty() || ys.empty()) return no_data_chart(chart.title);
  for (const Marker& marker : chart.markers) xs.add(marker.x);
  if (chart.y_from_zero) ys.add(0);

  std::vector<LegendEntry> legend;
  bool any_band = false;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    any_band = any_band || has_band(chart.series[i]);
    if (chart.series.size() > 1) {
      legend.push_back({chart.series[i].name, palette(i), LegendEntry::Kind::kLine});
    }
  }
  if (any_band && !chart.band_label.empty()) {
    legend.push_back({chart.band_label, "#777777", LegendEntry::Kind::kBand});
  }
  const Header head = header(chart.title, legend);

  // An all-zero count axis runs from 0 to 1, not from -1 to 1.
  if (chart.y_from_zero && ys.low == 0 && ys.high == 0) ys.high = 1;
  const Ticks y_ticks = nice_ticks(ys.low, ys.high, 5);
  const std::vector<std::string> y_labels = tick_labels(y_ticks, chart.y_unit);
  double widest = 0;
  for (const std::string& label : y_labels) widest = std::max(widest, text_width(label, 11));

  const double left = kMargin + (chart.y_label.empty() ? 0 : 20) + widest + 10;
  const double top = head.bottom + 10;
  constexpr double kPlotHeight = 280;
  const double bottom = top + kPlotHeight;
  // The rightmost x label is centred on the axis end: leave it half its width.
  std::vector<std::string> x_labels;
  double right = kWidth - 28;
  Ticks x_ticks = fitting_ticks(xs.low, xs.high, chart.x_unit, right - left, 8, x_labels);
  right = kWidth - std::max(28.0, text_width(x_labels.back(), 11) / 2 + 8);
  x_ticks = fitting_ticks(xs.low, xs.high, chart.x_unit, right - left, 8, x_labels);
  const Scale x{x_ticks.low, x_ticks.high, left, right};
  const Scale y{y_ticks.low, y_ticks.high, bottom, top};
  const double height = bottom + (chart.x_label.empty() ? 30 : 48);

  std::string out = svg_open(kWidth, height, chart.title);
  out += head.svg;
  // Grid first, then bands, lines and marks on top, labels last.
  for (size_t i = 0; i < y_ticks.values.size(); ++i) {
    const double at = y(y_ticks.values[i]);
    const bool is_zero = y_ticks.values[i] == 0 && y_ticks.low < 0 && y_ticks.high > 0;
    out += line(left, at, right, at, is_zero ? kZeroLine : kGrid, 1);
    out += text_element(left - 8, at + 4, y_labels[i], "end", R"(font-size="11" fill="#555555")");
  }
  for (double value : x_ticks.values) out += line(x(value), top, x(value), bottom, "#f0f0f0", 1);
  out += span_shading(chart.spans, x, top, bottom);
  for (const Marker& marker : chart.markers) {
    if (!std::isfinite(marker.x)) continue;
    out += line(x(marker.x), top, x(marker.x), bottom, "#666666", 1, R"(stroke-dasharray="4 3")");
  }
  for (size_t i = 0; i < chart.series.size(); ++i) {
    if (has_band(chart.series[i])) out += band_paths(chart.series[i], x, y, palette(i));
  }
  for (size_t i = 0; i < chart.series.size(); ++i) {
    out += series_path(chart.series[i], x, y, palette(i), chart.dots);
  }
  out += line(left, top, left, bottom, kAxis, 1);
  out += bottom_axis(x_ticks, x_labels, x, bottom, chart.x_label);
  if (!chart.y_label.empty()) {
    const double middle = (top + bottom) / 2, baseline = kMargin + 10;
    out += text_element(baseline, middle, truncate(chart.y_label, kPlotHeight), "middle",
                        "fill=\"#222222\" transform=\"rotate(-90 " + coordinate(baseline) + " " +
                            coordinate(middle) + ")\"");
  }
  out += marker_labels(chart.markers, x, top);
  return out + "</svg>\n";
}

namespace {

double value_at(const std::vector<double>& values, size_t i) {
  return i < values.size() ? values[i] : NAN;
}

// The values a bar chart spans: its bars and, on drawn bars, their error bars.
Range bar_range(const BarChart& chart, size_t groups) {
  Range range;
  for (const BarChart::Row& row : chart.rows) {
    for (size_t g = 0; g < groups; ++g) {
      range.add(value_at(row.values, g));
      if (!std::isfinite(value_at(row.values, g))) continue;
      range.add(value_at(row.low, g));
      range.add(value_at(row.high, g));
    }
  }
  return range;
}

// Bar `g` of `row` at `bar_top`, `bar` high: the bar with its tooltip,
// its error bar and its value label; a missing value is said, not drawn.
std::string bar_of(const BarChart& chart, const BarChart::Row& row, size_t g, double bar_top,
                   double bar, const Scale& x) {
  const double zero = x(0);
  std::string out;
  const double value = value_at(row.values, g);
  const double bar_middle = bar_top + bar / 2;
  const std::string text = format_value(value, chart.unit);
  if (!std::isfinite(value)) {
    // Left out, but said: a missing bar should not read as zero.
    return text_element(zero + 5, bar_middle + 4, text, "start",
                        R"(font-size="11" fill="#777777")");
  }
  const double end = x(value);
  const double low = value_at(row.low, g), high = value_at(row.high, g);
  const bool has_error = !std::isnan(low) && !std::isnan(high);
  std::string tooltip = row.label;
  if (g < chart.groups.size() && !chart.groups[g].empty()) tooltip += " / " + chart.groups[g];
  tooltip += ": " + text;
  if (has_error) {
    tooltip += " [" + format_value(low, chart.unit) + ", " + format_value(high, chart.unit) + "]";
  }
  out += rect(std::min(zero, end), bar_top, std::abs(end - zero), bar, palette(g), "", tooltip);
  double outer = end;
  if (has_error) {
    const double from = x(low), to = x(high), cap = std::min(bar / 2, 5.0);
    out += line(from, bar_middle, to, bar_middle, kInk, 1.2);
    out += line(from, bar_middle - cap, from, bar_middle + cap, kInk, 1.2);
    out += line(to, bar_middle - cap, to, bar_middle + cap, kInk, 1.2);
    outer = value < 0 ? std::min(end, std::min(from, to)) : std::max(end, std::max(from, to));
  }
  out += text_element(value < 0 ? outer - 5 : outer + 5, bar_middle + 4, text,
                      value < 0 ? "end" : "start", R"(font-size="11" fill="#222222")");
  return out;
}

}  // namespace

std::string render(const BarChart& chart) {
  const size_t groups = std::max<size_t>(1, chart.groups.size());
  Range range = bar_range(chart, groups);
  if (range.empty()) return no_data_chart(chart.title);
  range.add(0);  // bars start at zero
  if (range.low == 0 && range.high == 0) range.high = 1;

  std::vector<LegendEntry> legend;
  if (chart.groups.size() > 1) {
    for (size_t g = 0; g < groups; ++g) legend.push_back({chart.groups[g], palette(g)});
  }
  const Header head = header(chart.title, legend);

  double label_width = 0;
  for (const BarChart::Row& row : chart.rows) {
    label_width = std::max(label_width, text_width(row.label));
  }
  label_width = std::min(label_width, 240.0);
  // Value labels sit past the bar end (or its error bar): the plot leaves
  // room for the widest on the right, and on the left for negative bars.
  double right_room = 0, left_room = 0;
  for (const BarChart::Row& row : chart.rows) {
    for (size_t g = 0; g < groups; ++g) {
      const double value = value_at(row.values, g);
      const double width = text_width(format_value(value, chart.unit), 11) + 8;
      double& room = value < 0 ? left_room : right_room;
      room = std::max(room, width);
    }
  }
  const double left = kMargin + label_width + 12;
  const double right = kWidth - kMargin - std::max(right_room, 8.0);
  std::vector<std::string> tick_text;
  const Ticks ticks =
      fitting_ticks(range.low, range.high, chart.unit, right - left - left_room, 7, tick_text);
  const Scale x{ticks.low, ticks.high, left + left_room, right};

  const double bar = groups == 1 ? 18 : groups == 2 ? 14 : 11;
  constexpr double kBarGap = 2, kRowGap = 12;
  const double row_height =
      static_cast<double>(groups) * bar + static_cast<double>(groups - 1) * kBarGap + kRowGap;
  const double top = head.bottom + 6;
  const double bottom = top + row_height * static_cast<double>(chart.rows.size());
  const double height = bottom + (chart.value_label.empty() ? 30 : 48);

  std::string out = svg_open(kWidth, height, chart.title);
  out += head.svg;
  out += vertical_grid(ticks, x, top, bottom);
  for (size_t r = 0; r < chart.rows.size(); ++r) {
    const BarChart::Row& row = chart.rows[r];
    const double row_top = top + row_height * static_cast<double>(r) + kRowGap / 2;
    const double row_middle = row_top + (row_height - kRowGap) / 2;
    out += text_element(left - 12, row_middle + 4, truncate(row.label, label_width), "end",
                        R"(fill="#222222")");
    for (size_t g = 0; g < groups; ++g) {
      out += bar_of(chart, row, g, row_top + static_cast<double>(g) * (bar + kBarGap), bar, x);
    }
  }
  out += bottom_axis(ticks, tick_text, x, bottom, chart.value_label);
  return out + "</svg>\n";
}

// Longer than 80 lines for the reason render(LineChart) is.
std::string render(const IntervalChart& chart) {
  using Tone = IntervalChart::Tone;
  Range range;
  for (const IntervalChart::Row& row : chart.rows) {
    range.add(row.estimate);
    range.add(row.low);
    range.add(row.high);
  }
  if (range.empty()) return no_data_chart(chart.title);
  range.add(chart.reference);

  // Marks in the Okabe-Ito green and vermillion; notes in darker shades of
  // them, which keep a 4.5:1 contrast on white as small text needs.
  auto mark_colour = [](Tone tone) -> std::string_view {
    return tone == Tone::kGood ? "#009E73" : tone == Tone::kBad ? "#D55E00" : "#4d4d4d";
  };
  auto note_colour = [](Tone tone) -> std::string_view {
    return tone == Tone::kGood ? "#00785a" : tone == Tone::kBad ? "#b04a00" : "#555555";
  };

  const Header head = header(chart.title, {});
  double label_width = 0, note_width = 0;
  for (const IntervalChart::Row& row : chart.rows) {
    label_width = std::max(label_width, text_width(row.label));
    note_width = std::max(note_width, text_width(row.note));
  }
  label_width = std::min(label_width, 220.0);
  note_width = std::min(note_width, 200.0);
  const double left = kMargin + label_width + 12;
  const double right = kWidth - kMargin - (note_width > 0 ? note_width + 22 : 12);
  std::vector<std::string> tick_text;
  const Ticks ticks = fitting_ticks(range.low, range.high, chart.unit, right - left, 7, tick_text);
  const Scale x{ticks.low, ticks.high, left, right};

  constexpr double kRowHeight = 26;
  const double top = head.bottom + 6;
  const double bottom = top + kRowHeight * static_cast<double>(chart.rows.size());
  const double height = bottom + (chart.value_label.empty() ? 30 : 48);

  std::string out = svg_open(kWidth, height, chart.title);
  out += head.svg;
  // Every other row shaded, so the eye follows a row to its note.
  for (size_t r = 1; r < chart.rows.size(); r += 2) {
    out += rect(kMargin, top + kRowHeight * static_cast<double>(r), kWidth - 2 * kMargin,
                kRowHeight, "#f5f5f5");
  }
  out += vertical_grid(ticks, x, top, bottom);
  if (std::isfinite(chart.reference)) {
    out += line(x(chart.reference), top, x(chart.reference), bottom, "#666666", 1.2,
                R"(stroke-dasharray="4 3")");
  }
  for (size_t r = 0; r < chart.rows.size(); ++r) {
    const IntervalChart::Row& row = chart.rows[r];
    const double middle = top + kRowHeight * (static_cast<double>(r) + 0.5);
    const std::string_view colour = mark_colour(row.tone);
    out += "<g><title>" +
           escape(row.label + ": " + format_value(row.estimate, chart.unit) + " [" +
                  format_value(row.low, chart.unit) + ", " + format_value(row.high, chart.unit) +
                  "]") +
           "</title>\n";
    out += text_element(left - 12, middle + 4, truncate(row.label, label_width), "end",
                        R"(fill="#222222")");
    if (!std::isnan(row.low) && !std::isnan(row.high)) {
      const double from = x(row.low), to = x(row.high);
      out += line(from, middle, to, middle, colour, 2);
      // An infinite end is clipped to the axis and marked with an arrowhead:
      // the interval goes on.
      for (auto [end, value] : {std::pair{from, row.low}, std::pair{to, row.high}}) {
        if (std::isfinite(value)) continue;
        const double tip = value > 0 ? 6 : -6;
        out += "<path d=\"M" + point(end + tip, middle) + "L" + point(end, middle - 4.5) + "L" +
               point(end, middle + 4.5) + "Z\"" + attribute("fill", colour) + "/>\n";
      }
    }
    if (std::isfinite(row.estimate)) {
      out += circle(x(row.estimate), middle, 4.5, colour, R"(stroke="#ffffff" stroke-width="1.5")");
    }
    if (!row.note.empty()) {
      out += text_element(right + 16, middle + 4, truncate(row.note, note_width), "start",
                          "fill=\"" + std::string(note_colour(row.tone)) + "\"");
    }
    out += "</g>\n";
  }
  out += bottom_axis(ticks, tick_text, x, bottom, chart.value_label);
  return out + "</svg>\n";
}

}  // namespace cjsim::report::svg
