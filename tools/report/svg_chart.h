// Charts drawn as static SVG text for the HTML reports and `--svg DIR`: line
// charts with interval bands and marked x values, horizontal bar charts with
// error bars, and interval (forest) plots. No charting library and no
// script: each chart is a plain description rendered to one <svg> element
// with its own attributes (no stylesheet), so the same text works inline in
// a page and as a file on its own.
//
// Output is deterministic: the same chart gives the same bytes. Coordinates
// are written with one decimal, tick labels with the digits their step
// needs, and every text is escaped. Non-finite values are left out (a NaN
// point breaks its line) or, for an interval end that is infinite, clipped to
// the axis. Plain values and pure functions: call from any thread.
#ifndef CJSIM_TOOLS_REPORT_SVG_CHART_H_
#define CJSIM_TOOLS_REPORT_SVG_CHART_H_

#include <string>
#include <string_view>
#include <vector>

#include "tools/report/format.h"

namespace cjsim::report::svg {

// Escapes &, <, >, " and ' for XML text and attribute values.
std::string escape(std::string_view text);

// A length in the drawing: one decimal, no "-0".
std::string coordinate(double value);

// The colour of series, group or channel `index` (a fixed palette that
// colour-blind readers can tell apart, repeating after eight).
std::string_view palette(size_t index);

// Round tick values for an axis covering [lo, hi]: multiples of a step of
// 1, 2 or 5 times a power of ten, about `target` of them. `low` and `high`
// are the axis ends: the first tick at or below lo and the first at or
// above hi. An empty range is widened around its value.
// REQUIRES: lo and hi finite, lo <= hi, target >= 2.
struct Ticks {
  double low = 0, high = 1, step = 1;
  std::vector<double> values;
};
Ticks nice_ticks(double lo, double hi, int target = 5);

// Labels of the ticks of one axis, alike: shares as percentages with the
// decimals the step needs, large counts and money with a k or M suffix
// chosen by the largest tick.
std::vector<std::string> tick_labels(const Ticks& ticks, Unit unit);

// A line with an optional interval band (low and high per point, or empty).
struct Series {
  std::string name;
  std::vector<double> x, y, low, high;
};

// A vertical line at an x value with a label (the current budget, a
// saturation point).
struct Marker {
  double x = 0;
  std::string label;
};

// A span of x values shaded behind the lines, with a label (a flight, an
// event).
struct Span {
  double from = 0, to = 0;
  std::string label;
  bool strong = false;  // a darker shade (events over flights)
};

struct LineChart {
  std::string title;
  std::string x_label, y_label;
  Unit x_unit = Unit::kCount, y_unit = Unit::kCount;
  std::vector<Series> series;
  std::vector<Marker> markers;
  std::vector<Span> spans;
  // The legend entry of the bands ("shaded: 95% interval"); none when empty.
  std::string band_label;
  // The y axis includes 0 (counts and shares); off for differences.
  bool y_from_zero = true;
  // A dot on every point (few points, as in a sweep).
  bool dots = false;
};

// Rows of horizontal bars, one bar per group in each row, each with an
// optional error bar. Values are written at the bar ends.
struct BarChart {
  struct Row {
    std::string label;
    // One per group; low and high empty, or one per group (NaN: no error bar).
    std::vector<double> values, low, high;
  };
  std::string title;
  std::string value_label;
  Unit unit = Unit::kCount;
  // Legend; a single group needs no name.
  std::vector<std::string> groups;
  std::vector<Row> rows;
};

// An estimate with its interval per row, against a reference line (0 for
// differences): a forest plot. Each row may carry a note (verdict) on the
// right and a tone that colours it.
struct IntervalChart {
  enum class Tone { kNeutral, kGood, kBad };
  struct Row {
    std::string label;
    double estimate = 0, low = 0, high = 0;
    std::string note;
    Tone tone = Tone::kNeutral;
  };
  std::string title;
  std::string value_label;
  Unit unit = Unit::kCount;
  double reference = 0;
  std::vector<Row> rows;
};

// Each returns one <svg> element with the xmlns attribute, a <title>, and a
// width and viewBox so that it scales with its container. A chart with no
// finite value to draw is a frame saying "no data".
// REQUIRES: every Series has x.size() == y.size(), and low/high empty or of
// that size; every bar Row has one value per group (or one value when there
// are no group names).
std::string render(const LineChart& chart);
std::string render(const BarChart& chart);
std::string render(const IntervalChart& chart);

// Pieces the flow diagram shares with the charts.
// An <svg> start tag, <title> and white background of `width` x `height`.
std::string svg_open(double width, double height, std::string_view title);
// <text> at (x, y); anchor "start", "middle" or "end"; extra attributes
// (already escaped) appended to the tag.
std::string text_element(double x, double y, std::string_view text, std::string_view anchor,
                         std::string_view attributes = "");
// The estimated width of `text` in 12 px type, to lay out labels.
double text_width(std::string_view text, double font_size = 12);
// `text` itself when it fits in `max_width`, else cut at a character
// boundary and ended with an ellipsis so that it does.
std::string truncate(std::string_view text, double max_width, double font_size = 12);

}  // namespace cjsim::report::svg

#endif  // CJSIM_TOOLS_REPORT_SVG_CHART_H_
