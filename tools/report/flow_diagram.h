// The flow (Sankey) diagram of a run as static SVG: touchpoints as boxes in
// stage columns (awareness, consideration, decision, loyalty), coloured by
// channel, with ribbons between them whose width is the number of people
// moving along each edge. Box height is the touchpoint's visits; the part
// of a box not fed by a ribbon is people arriving from outside the journey
// (exposures, delayed returns, referrals), drawn as a stub from the left.
// A ribbon within one column or back to an earlier column (a loop, a
// loyalty touchpoint sending people back) is drawn as an arc above the
// boxes, thinner and translucent, so the forward flow stays readable.
//
// Output is deterministic; plain values and a pure function.
#ifndef CJSIM_TOOLS_REPORT_FLOW_DIAGRAM_H_
#define CJSIM_TOOLS_REPORT_FLOW_DIAGRAM_H_

#include <string>
#include <vector>

namespace cjsim::report::svg {

struct FlowDiagram {
  struct Node {
    std::string label;     // the touchpoint id
    size_t column = 0;     // index into `columns`
    size_t colour = 0;     // index into `colours` (the channel)
    double size = 0;       // visits (people), >= 0
    bool is_goal = false;  // drawn with a heavier outline and a mark
  };
  struct Link {
    size_t from = 0, to = 0;  // node indices
    double value = 0;         // people, >= 0; links of value 0 (or NaN) are left out
  };
  std::string title;
  std::vector<std::string> columns;  // column headings (the stages in use)
  std::vector<std::string> colours;  // legend: colour index -> channel name
  std::vector<Node> nodes;           // drawn top to bottom in each column in this order
  std::vector<Link> links;
  // The unit written in box and ribbon tooltips ("people").
  std::string unit = "people";
};

// One <svg> element (xmlns, <title>, width and viewBox), boxes labelled with
// the touchpoint and its visits, a legend of channels, and a <title>
// tooltip on every box and ribbon ("a -> b: 1,234 people"). Without nodes,
// a frame saying "no data".
// REQUIRES: every node's column < columns.size(), colour < colours.size(),
// every link's ends < nodes.size().
std::string render(const FlowDiagram& diagram);

}  // namespace cjsim::report::svg

#endif  // CJSIM_TOOLS_REPORT_FLOW_DIAGRAM_H_
