// The report of a study (`--report PATH.html`, `--svg DIR`): one
// self-contained HTML page with inline SVG charts, readable on a laptop and
// printable, and the same charts as separate SVG files for slides.
//
// A Report is a document in sections: headline figures, charts with a
// caption each, tables and notes, and the provenance that ties the page to
// its run (docs/report.md). It makes no network request: the styles are
// inline, the page has no script, and a Content-Security-Policy forbids
// loading anything, so it opens the same offline, from a mail attachment or
// on a shared drive. The builders per result type are in study_report.h.
#ifndef CJSIM_TOOLS_REPORT_HTML_H_
#define CJSIM_TOOLS_REPORT_HTML_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cjsim::report {

class Report {
 public:
  // `title`: the scenario's name; `kind`: what the page shows ("Run",
  // "Comparison", ...); `description`: the scenario's description.
  Report(std::string title, std::string kind, std::string description);

  // A headline figure at the top of the page: "conversion rate", "2.41%",
  // "95% interval 2.38% to 2.44%".
  void headline(std::string label, std::string value, std::string detail = "");
  // Starts a section; what follows belongs to it until the next one.
  void section(std::string heading, std::string intro = "");
  void paragraph(std::string text);
  // A chart: `name` is its file stem under --svg (unique in the report, made
  // of [a-z0-9_-]); `svg` one <svg> element; `caption` says how to read it.
  void chart(std::string name, std::string svg, std::string caption);
  // A table: `numeric[c]` right-aligns column c. Rows may be shorter than
  // the header (empty cells).
  void table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows,
             std::vector<bool> numeric = {});
  // One line of the provenance block at the foot of the page.
  void provenance(std::string label, std::string value);

  // The whole page. Deterministic for the same content.
  std::string html() const;
  // name.svg -> chart, for --svg DIR.
  std::map<std::string, std::string> svg_files() const;
  size_t chart_count() const;

 private:
  struct Block {
    enum class Kind { kSection, kParagraph, kChart, kTable } kind;
    std::string heading, text, name, svg;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> numeric;
  };
  struct Headline {
    std::string label, value, detail;
  };
  std::string title_, kind_, description_;
  std::vector<Headline> headlines_;
  std::vector<Block> blocks_;
  std::vector<std::pair<std::string, std::string>> provenance_;
};

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_HTML_H_
