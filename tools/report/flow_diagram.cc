#include "tools/report/flow_diagram.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <tuple>

#include "tools/report/format.h"
#include "tools/report/svg_chart.h"

namespace cjsim::report::svg {
namespace {

constexpr double kMinWidth = 760;
// The least room a column needs: its box, labels and the next column's stubs.
constexpr double kColumnWidth = 140;
constexpr double kMargin = 16;
constexpr double kBoxWidth = 14;
// The stub of people arriving from outside the journey, left of a box.
constexpr double kStub = 22;
// Each box owns a slot at least as tall as its two-line label, so labels in
// one column never overlap; kGap separates the slots.
constexpr double kSlot = 30;
constexpr double kGap = 10;
// A box of zero visits is still drawn, as a line.
constexpr double kMinBox = 2;
constexpr double kMinPlotHeight = 340;
// Room above the boxes for the arcs of backward and same-column links.
constexpr double kArcBand = 56;
// Labels of the last column need room on the right; beyond this they are cut.
constexpr double kMaxLastLabel = 170;
constexpr double kTitleBaseline = 24, kCaptionBaseline = 42;

constexpr std::string_view kHalo =
    R"(stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke")";

// NaN, infinite and negative sizes all draw as nothing.
double sanitised(double value) { return std::isfinite(value) && value > 0 ? value : 0.0; }

std::string point(double x, double y) { return coordinate(x) + " " + coordinate(y); }

struct Box {
  double x = 0, y = 0, height = 0;
  size_t column = 0, position = 0;  // position: rank within the column, top first
  double size = 0;                  // visits, sanitised
  double in_used = 0;               // pixels of the left side fed by forward ribbons
  double in_people = 0;             // the people on those ribbons
};

struct Ribbon {
  size_t link = 0;
  double from_top = 0, from_bottom = 0, to_top = 0, to_bottom = 0;
};

struct LegendItem {
  size_t colour = 0;
  std::string name;
  double x = 0, y = 0;
};

// Where everything goes, computed once before any drawing.
struct Layout {
  double width = kMinWidth, height = 0;
  double pitch = 0;  // distance between columns
  double scale = 0;  // pixels per person, boxes and ribbons alike
  double heading_baseline = 0, plot_top = 0;
  std::vector<double> column_x;
  std::vector<Box> boxes;
  std::vector<size_t> forward, arcs;  // indices of the drawn links
  std::vector<Ribbon> ribbons;
  std::vector<LegendItem> legend;
  double legend_bottom = 0;
};

size_t column_count(const FlowDiagram& diagram) {
  return std::max<size_t>(1, diagram.columns.size());
}

bool is_drawn(const FlowDiagram& diagram, const FlowDiagram::Link& link) {
  return link.from < diagram.nodes.size() && link.to < diagram.nodes.size() &&
         sanitised(link.value) > 0;
}

// The largest scale at which every column's slots fit in `height`. The
// slots' total grows with the scale, piecewise linearly; bisection finds the
// crossing without special cases and always gives the same answer.
double fitting_scale(const std::vector<std::vector<size_t>>& columns, const std::vector<Box>& boxes,
                     double height) {
  double largest = 0;
  for (const Box& box : boxes) largest = std::max(largest, box.size);
  if (largest == 0) return 0;
  auto fits = [&](double scale) {
    for (const std::vector<size_t>& column : columns) {
      double total = kGap * static_cast<double>(column.size() > 0 ? column.size() - 1 : 0);
      for (size_t node : column) total += std::max({boxes[node].size * scale, kMinBox, kSlot});
      if (total > height) return false;
    }
    return true;
  };
  double low = 0, high = height / largest;
  for (int i = 0; i < 60; ++i) {
    const double middle = (low + high) / 2;
    (fits(middle) ? low : high) = middle;
  }
  return low;
}

// Forward ribbons stack on a box side in the order of the boxes at their
// other end, so that ribbons leaving or entering a box do not cross there.
// When the links of a side add up to more than the box (inconsistent
// input), the side is shared out in proportion rather than overflowing.
// Returns the pixels of the side in use.
double stack_side(const FlowDiagram& diagram, Layout& layout, size_t node,
                  std::vector<size_t>& links, bool is_outgoing) {
  auto far_end = [&](size_t link) -> const Box& {
    return layout.boxes[is_outgoing ? diagram.links[link].to : diagram.links[link].from];
  };
  std::sort(links.begin(), links.end(), [&](size_t a, size_t b) {
    return std::tie(far_end(a).column, far_end(a).position, a) <
           std::tie(far_end(b).column, far_end(b).position, b);
  });
  const Box& box = layout.boxes[node];
  double total = 0;
  for (size_t link : links) total += sanitised(diagram.links[link].value) * layout.scale;
  const double shrink = total > box.height ? box.height / total : 1.0;
  double offset = 0;
  for (size_t link : links) {
    const double width = sanitised(diagram.links[link].value) * layout.scale * shrink;
    Ribbon& ribbon = layout.ribbons[link];
    ribbon.link = link;
    (is_outgoing ? ribbon.from_top : ribbon.to_top) = box.y + offset;
    (is_outgoing ? ribbon.from_bottom : ribbon.to_bottom) = box.y + offset + width;
    offset += width;
  }
  return offset;
}

void stack_ribbons(const FlowDiagram& diagram, Layout& layout) {
  const size_t count = diagram.nodes.size();
  std::vector<std::vector<size_t>> outgoing(count), incoming(count);
  for (size_t link : layout.forward) {
    outgoing[diagram.links[link].from].push_back(link);
    incoming[diagram.links[link].to].push_back(link);
    layout.boxes[diagram.links[link].to].in_people += sanitised(diagram.links[link].value);
  }
  layout.ribbons.assign(diagram.links.size(), Ribbon{});
  for (size_t node = 0; node < count; ++node) {
    stack_side(diagram, layout, node, outgoing[node], true);
    layout.boxes[node].in_used = stack_side(diagram, layout, node, incoming[node], false);
  }
}

// The channels in use, in colour order, flowing over rows below the caption.
void place_legend(const FlowDiagram& diagram, Layout& layout, double top) {
  std::vector<bool> used(diagram.colours.size());
  for (const FlowDiagram::Node& node : diagram.nodes) {
    if (node.colour < used.size()) used[node.colour] = true;
  }
  double x = kMargin, y = top;
  for (size_t c = 0; c < diagram.colours.size(); ++c) {
    if (!used[c]) continue;
    LegendItem item{c, truncate(diagram.colours[c], 200, 11), 0, 0};
    const double width = 24 + text_width(item.name, 11) + 14;
    if (x > kMargin && x + width > layout.width - kMargin) {
      x = kMargin;
      y += 18;
    }
    item.x = x;
    item.y = y;
    layout.legend.push_back(item);
    x += width;
  }
  layout.legend_bottom = layout.legend.empty() ? top : y + 18;
}

Layout lay_out(const FlowDiagram& diagram) {
  Layout layout;
  const size_t columns = column_count(diagram);
  layout.width =
      std::max(kMinWidth, 2 * kMargin + kStub + kColumnWidth * static_cast<double>(columns));

  std::vector<std::vector<size_t>> members(columns);
  layout.boxes.resize(diagram.nodes.size());
  for (size_t i = 0; i < diagram.nodes.size(); ++i) {
    Box& box = layout.boxes[i];
    box.column = std::min(diagram.nodes[i].column, columns - 1);
    box.position = members[box.column].size();
    box.size = sanitised(diagram.nodes[i].size);
    members[box.column].push_back(i);
  }
  for (size_t i = 0; i < diagram.links.size(); ++i) {
    const FlowDiagram::Link& link = diagram.links[i];
    if (!is_drawn(diagram, link)) continue;
    const bool is_forward = layout.boxes[link.to].column > layout.boxes[link.from].column;
    (is_forward ? layout.forward : layout.arcs).push_back(i);
  }

  // Vertical: title, caption, legend, headings, the arc band, then the boxes.
  place_legend(diagram, layout, kCaptionBaseline + 8);
  layout.heading_baseline = layout.legend_bottom + 20;
  layout.plot_top = layout.heading_baseline + 14 + (layout.arcs.empty() ? 0 : kArcBand);

  size_t tallest = 0;
  for (const std::vector<size_t>& column : members) tallest = std::max(tallest, column.size());
  const double least = static_cast<double>(tallest) * (kSlot + kGap);
  const double plot_height = std::max(kMinPlotHeight, least + 40);
  layout.scale = fitting_scale(members, layout.boxes, plot_height);
  layout.height = layout.plot_top + plot_height + kMargin;

  // Horizontal: the last column keeps room for its labels on the right.
  double last_label = 0;
  for (size_t node : members[columns - 1]) {
    last_label = std::max(last_label, text_width(diagram.nodes[node].label) + 14);
  }
  last_label = std::min(last_label, kMaxLastLabel) + 8;
  const double left = kMargin + kStub + 4;
  const double right = layout.width - kMargin - last_label - kBoxWidth;
  layout.pitch = columns > 1 ? (right - left) / static_cast<double>(columns - 1) : 0;
  for (size_t c = 0; c < columns; ++c) {
    layout.column_x.push_back(left + layout.pitch * static_cast<double>(c));
  }

  // Each column centred in the plot height.
  for (const std::vector<size_t>& column : members) {
    double total = kGap * static_cast<double>(column.empty() ? 0 : column.size() - 1);
    for (size_t node : column) {
      Box& box = layout.boxes[node];
      box.height = std::max(box.size * layout.scale, kMinBox);
      total += std::max(box.height, kSlot);
    }
    double slot_top = layout.plot_top + (plot_height - total) / 2;
    for (size_t node : column) {
      Box& box = layout.boxes[node];
      const double slot = std::max(box.height, kSlot);
      box.x = layout.column_x[box.column];
      box.y = slot_top + (slot - box.height) / 2;
      slot_top += slot + kGap;
    }
  }
  stack_ribbons(diagram, layout);
  return layout;
}

// The width a label in `column` may take before the next column's stubs.
double label_room(const Layout& layout, size_t column) {
  if (column + 1 >= layout.column_x.size()) return kMaxLastLabel;
  return std::max(30.0, layout.pitch - kBoxWidth - kStub - 16);
}

std::string link_tooltip(const FlowDiagram& diagram, const FlowDiagram::Link& link) {
  return diagram.nodes[link.from].label + " -> " + diagram.nodes[link.to].label + ": " +
         format_count(sanitised(link.value)) + " " + diagram.unit;
}

std::string draw_ribbon(const FlowDiagram& diagram, const Layout& layout, const Ribbon& ribbon) {
  const FlowDiagram::Link& link = diagram.links[ribbon.link];
  const double x0 = layout.boxes[link.from].x + kBoxWidth, x1 = layout.boxes[link.to].x;
  const double middle = (x0 + x1) / 2;
  // A hairline at least, so that a small flow is seen to exist.
  const double from_bottom = std::max(ribbon.from_bottom, ribbon.from_top + 1);
  const double to_bottom = std::max(ribbon.to_bottom, ribbon.to_top + 1);
  const std::string d = "M" + point(x0, ribbon.from_top) + "C" + point(middle, ribbon.from_top) +
                        " " + point(middle, ribbon.to_top) + " " + point(x1, ribbon.to_top) + "L" +
                        point(x1, to_bottom) + "C" + point(middle, to_bottom) + " " +
                        point(middle, from_bottom) + " " + point(x0, from_bottom) + "Z";
  return "<path d=\"" + d + "\" fill=\"" + std::string(palette(diagram.nodes[link.from].colour)) +
         "\" fill-opacity=\"0.35\"><title>" + escape(link_tooltip(diagram, link)) +
         "</title></path>\n";
}

// The horizontal distance an arc covers, which sets its height: nested
// arcs then cross as little as they can.
double arc_span(const FlowDiagram& diagram, const Layout& layout, size_t link) {
  const Box& from = layout.boxes[diagram.links[link].from];
  const Box& to = layout.boxes[diagram.links[link].to];
  return std::abs(from.x - to.x) + kBoxWidth;
}

// A link back to an earlier column or within one: a loop that leaves the
// source's right side like any ribbon, rises beside it to a height over the
// boxes (higher for a longer span), runs left and comes down to enter the
// target's left side, ending in an arrowhead since its direction is not the
// left-to-right one of the diagram. The rising and falling legs run beside
// the columns, not through the boxes.
std::string draw_arc(const FlowDiagram& diagram, const Layout& layout, size_t index,
                     double widest_span) {
  constexpr double kTurn = 24;  // how far the legs swing out beside the boxes
  const FlowDiagram::Link& link = diagram.links[index];
  const Box& from = layout.boxes[link.from];
  const Box& to = layout.boxes[link.to];
  const double x0 = from.x + kBoxWidth, y0 = from.y + from.height / 2;
  const double x3 = to.x, y3 = to.y + to.height / 2;
  const double peak =
      layout.plot_top - 8 - (kArcBand - 16) * arc_span(diagram, layout, index) / widest_span;
  const double width = std::clamp(sanitised(link.value) * layout.scale * 0.35, 1.0, 6.0);
  const std::string colour(palette(diagram.nodes[link.from].colour));
  const std::string d = "M" + point(x0, y0) + "C" + point(x0 + kTurn, y0) + " " +
                        point(x0 + kTurn, peak) + " " + point(x0, peak) + "L" + point(x3, peak) +
                        "C" + point(x3 - kTurn, peak) + " " + point(x3 - kTurn, y3) + " " +
                        point(x3 - 1, y3);
  std::string out = "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + colour +
                    "\" stroke-opacity=\"0.45\" stroke-width=\"" + coordinate(width) +
                    "\"><title>" + escape(link_tooltip(diagram, link)) + "</title></path>\n";
  // The curve ends heading right, so the arrowhead points right at the box.
  const double size = 7 + width / 2;
  out += "<path d=\"M" + point(x3, y3) + "L" + point(x3 - size, y3 - size / 2) + "L" +
         point(x3 - size, y3 + size / 2) + "Z\" fill=\"" + colour + "\" fill-opacity=\"0.7\"/>\n";
  return out;
}

std::string draw_box(const FlowDiagram& diagram, const Layout& layout, size_t index) {
  const FlowDiagram::Node& node = diagram.nodes[index];
  const Box& box = layout.boxes[index];
  const std::string colour(palette(node.colour));
  std::string out;
  // The part of the box not fed by forward ribbons: people from outside.
  const double stub = box.size > 0 ? box.height - box.in_used : 0;
  if (stub > 0.05) {
    out += "<rect x=\"" + coordinate(box.x - kStub) + "\" y=\"" + coordinate(box.y + box.in_used) +
           "\" width=\"" + coordinate(kStub) + "\" height=\"" + coordinate(stub) + "\" fill=\"" +
           colour + "\" fill-opacity=\"0.22\"><title>" +
           escape(node.label + ": " + format_count(std::max(box.size - box.in_people, 0.0)) + " " +
                  diagram.unit + " arriving from outside the journey") +
           "</title></rect>\n";
  }
  const std::string outline = node.is_goal
                                  ? R"(stroke="#111111" stroke-width="2.2")"
                                  : R"(stroke="#333333" stroke-width="0.6" stroke-opacity="0.6")";
  out += "<rect x=\"" + coordinate(box.x) + "\" y=\"" + coordinate(box.y) + "\" width=\"" +
         coordinate(kBoxWidth) + "\" height=\"" + coordinate(box.height) + "\" fill=\"" + colour +
         "\" " + outline + "><title>" +
         escape(node.label + ": " + format_count(box.size) + " " + diagram.unit +
                (node.is_goal ? " (goal)" : "")) +
         "</title></rect>\n";
  return out;
}

// The touchpoint id over its visits, right of the box; a goal has a
// diamond before the id.
std::string draw_label(const FlowDiagram& diagram, const Layout& layout, size_t index) {
  const FlowDiagram::Node& node = diagram.nodes[index];
  const Box& box = layout.boxes[index];
  const double middle = box.y + box.height / 2;
  double x = box.x + kBoxWidth + 6;
  double room = label_room(layout, box.column);
  std::string out;
  if (node.is_goal) {
    out += "<path d=\"M" + point(x + 4, middle - 10) + "L" + point(x + 8, middle - 6) + "L" +
           point(x + 4, middle - 2) + "L" + point(x, middle - 6) +
           "Z\" fill=\"#111111\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n";
    x += 12;
    room -= 12;
  }
  out += text_element(x, middle - 2, truncate(node.label, room), "start",
                      std::string(R"(fill="#222222" )") + std::string(kHalo));
  out += text_element(x, middle + 12, format_count(sanitised(node.size)), "start",
                      std::string(R"(font-size="11" fill="#555555" )") + std::string(kHalo));
  return out;
}

std::string draw_legend(const Layout& layout) {
  std::string out;
  for (const LegendItem& item : layout.legend) {
    out += "<rect x=\"" + coordinate(item.x + 3) + "\" y=\"" + coordinate(item.y + 3) +
           "\" width=\"12.0\" height=\"12.0\" fill=\"" + std::string(palette(item.colour)) +
           "\"/>\n";
    out += text_element(item.x + 24, item.y + 13, item.name, "start",
                        R"(font-size="11" fill="#222222")");
  }
  return out;
}

std::string title_text(std::string_view title, double width) {
  if (title.empty()) return "";
  return text_element(kMargin, kTitleBaseline, truncate(title, width - 2 * kMargin, 15), "start",
                      R"(font-size="15" font-weight="bold" fill="#222222")");
}

// Nothing to draw: a frame saying so, as the charts do.
std::string no_data(const FlowDiagram& diagram) {
  constexpr double kHeight = 160;
  const double top = diagram.title.empty() ? kMargin : kTitleBaseline + 12;
  std::string out =
      svg_open(kMinWidth, kHeight, diagram.title) + title_text(diagram.title, kMinWidth);
  out += "<rect x=\"" + coordinate(kMargin) + "\" y=\"" + coordinate(top) + "\" width=\"" +
         coordinate(kMinWidth - 2 * kMargin) + "\" height=\"" +
         coordinate(kHeight - top - kMargin) +
         "\" fill=\"none\" stroke=\"#cccccc\" stroke-width=\"1\"/>\n";
  out += text_element(kMinWidth / 2, (top + kHeight - kMargin) / 2 + 5, "no data", "middle",
                      R"(font-size="14" fill="#777777")");
  return out + "</svg>\n";
}

}  // namespace

std::string render(const FlowDiagram& diagram) {
  if (diagram.nodes.empty()) return no_data(diagram);
  const Layout layout = lay_out(diagram);

  std::string out = svg_open(layout.width, layout.height, diagram.title);
  out += title_text(diagram.title, layout.width);
  // How to read it, since the encodings are not those of a bar chart.
  const std::string caption = "Box height: visits. Ribbons: " + diagram.unit + " moving on" +
                              (layout.arcs.empty() ? "" : "; arcs above: moving back") +
                              ". Stubs on the left: arriving from outside the journey.";
  out += text_element(kMargin, kCaptionBaseline, truncate(caption, layout.width - 2 * kMargin, 11),
                      "start", R"(font-size="11" fill="#555555")");
  out += draw_legend(layout);
  for (size_t c = 0; c < layout.column_x.size(); ++c) {
    if (c >= diagram.columns.size() || diagram.columns[c].empty()) continue;
    const double room = c + 1 < layout.column_x.size()
                            ? layout.pitch - 10
                            : layout.width - kMargin - layout.column_x[c];
    out += text_element(layout.column_x[c], layout.heading_baseline,
                        truncate(diagram.columns[c], room), "start",
                        R"(font-weight="bold" fill="#333333")");
  }

  // Back to front: arcs, ribbons, boxes, then labels over everything.
  double widest_span = 1;
  for (size_t link : layout.arcs) {
    widest_span = std::max(widest_span, arc_span(diagram, layout, link));
  }
  for (size_t link : layout.arcs) out += draw_arc(diagram, layout, link, widest_span);
  for (size_t link : layout.forward) out += draw_ribbon(diagram, layout, layout.ribbons[link]);
  for (size_t node = 0; node < diagram.nodes.size(); ++node) out += draw_box(diagram, layout, node);
  for (size_t node = 0; node < diagram.nodes.size(); ++node) {
    out += draw_label(diagram, layout, node);
  }
  return out + "</svg>\n";
}

}  // namespace cjsim::report::svg
