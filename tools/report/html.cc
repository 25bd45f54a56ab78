#include "tools/report/html.h"

#include "models/check.h"
#include "tools/report/svg_chart.h"

namespace cjsim::report {

namespace {

using svg::escape;

// Print and screen in one sheet: a column of at most 60em, figures that
// scale down with the window, tables that scroll sideways on a narrow
// screen instead of squeezing, and no page break inside a figure.
constexpr const char* kStyle = R"(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d2330;
  font: 15px/1.5 "DejaVu Sans", Arial, Helvetica, sans-serif; }
main { max-width: 62em; margin: 0 auto; padding: 1.5em 1.5em 3em; background: #fff; }
header { border-bottom: 3px solid #0072b2; margin-bottom: 1.2em; }
header .kind { text-transform: uppercase; letter-spacing: .08em; font-size: .8em; color: #5a6270; margin: 0; }
h1 { font-size: 1.7em; margin: .1em 0 .3em; }
header p.description { margin: 0 0 1em; color: #39404d; }
h2 { font-size: 1.25em; margin: 2em 0 .4em; padding-bottom: .2em; border-bottom: 1px solid #d8dbe0; }
p { margin: .5em 0; }
.headlines { display: flex; flex-wrap: wrap; gap: .8em; margin: 1em 0; }
.headline { flex: 1 1 11em; border: 1px solid #d8dbe0; border-radius: 6px; padding: .6em .8em; background: #fafbfc; }
.headline .label { font-size: .8em; color: #5a6270; }
.headline .value { font-size: 1.45em; font-weight: bold; }
.headline .detail { font-size: .78em; color: #5a6270; }
figure { margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .85em; color: #39404d; margin-top: .4em; max-width: 48em; }
.table { overflow-x: auto; margin: .8em 0; }
table { border-collapse: collapse; font-size: .85em; }
th, td { padding: .3em .7em; border-bottom: 1px solid #e3e5e9; text-align: left; vertical-align: top; }
th { background: #f0f2f5; font-weight: bold; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:nth-child(even) td { background: #fafbfc; }
footer { margin-top: 2.5em; border-top: 1px solid #d8dbe0; padding-top: .6em; font-size: .8em; color: #5a6270; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .4em 0; }
footer dt { font-weight: bold; }
footer dd { margin: 0; word-break: break-all; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .table { overflow: visible; }
}
)";

}  // namespace

Report::Report(std::string title, std::string kind, std::string description)
    : title_(std::move(title)), kind_(std::move(kind)), description_(std::move(description)) {}

void Report::headline(std::string label, std::string value, std::string detail) {
  headlines_.push_back({std::move(label), std::move(value), std::move(detail)});
}

void Report::section(std::string heading, std::string intro) {
  Block b{Block::Kind::kSection, std::move(heading), std::move(intro), {}, {}, {}, {}, {}};
  blocks_.push_back(std::move(b));
}

void Report::paragraph(std::string text) {
  blocks_.push_back({Block::Kind::kParagraph, {}, std::move(text), {}, {}, {}, {}, {}});
}

void Report::chart(std::string name, std::string svg, std::string caption) {
  CJSIM_CHECK(!name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") ==
                                   std::string::npos,
              "a chart name is a file stem of [a-z0-9_-]");
  for (const Block& b : blocks_) {
    CJSIM_CHECK(b.kind != Block::Kind::kChart || b.name != name, "chart names are unique");
  }
  blocks_.push_back(
      {Block::Kind::kChart, {}, std::move(caption), std::move(name), std::move(svg), {}, {}, {}});
}

void Report::table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows,
                   std::vector<bool> numeric) {
  numeric.resize(header.size(), false);
  blocks_.push_back({Block::Kind::kTable,
                     {},
                     {},
                     {},
                     {},
                     std::move(header),
                     std::move(rows),
                     std::move(numeric)});
}

void Report::provenance(std::string label, std::string value) {
  provenance_.emplace_back(std::move(label), std::move(value));
}

size_t Report::chart_count() const {
  size_t n = 0;
  for (const Block& b : blocks_) n += b.kind == Block::Kind::kChart;
  return n;
}

std::map<std::string, std::string> Report::svg_files() const {
  std::map<std::string, std::string> files;
  for (const Block& b : blocks_) {
    if (b.kind == Block::Kind::kChart) files[b.name + ".svg"] = b.svg + "\n";
  }
  return files;
}

std::string Report::html() const {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Nothing may be loaded: no script, font, image or style from anywhere.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"cjsim\">\n";
  out += "<title>" + escape(title_ + " - " + kind_) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
  out += "<header>\n<p class=\"kind\">cjsim &middot; " + escape(kind_) + "</p>\n";
  out += "<h1>" + escape(title_) + "</h1>\n";
  if (!description_.empty()) out += "<p class=\"description\">" + escape(description_) + "</p>\n";
  out += "</header>\n";
  if (!headlines_.empty()) {
    out += "<div class=\"headlines\">\n";
    for (const Headline& h : headlines_) {
      out += "<div class=\"headline\"><div class=\"label\">" + escape(h.label) +
             "</div><div class=\"value\">" + escape(h.value) + "</div>";
      if (!h.detail.empty()) out += "<div class=\"detail\">" + escape(h.detail) + "</div>";
      out += "</div>\n";
    }
    out += "</div>\n";
  }
  bool open_section = false;
  for (const Block& b : blocks_) {
    switch (b.kind) {
      case Block::Kind::kSection:
        if (open_section) out += "</section>\n";
        out += "<section>\n<h2>" + escape(b.heading) + "</h2>\n";
        if (!b.text.empty()) out += "<p>" + escape(b.text) + "</p>\n";
        open_section = true;
        break;
      case Block::Kind::kParagraph:
        out += "<p>" + escape(b.text) + "</p>\n";
        break;
      case Block::Kind::kChart:
        out += "<figure id=\"" + b.name + "\">\n" + b.svg + "\n";
        if (!b.text.empty()) out += "<figcaption>" + escape(b.text) + "</figcaption>\n";
        out += "</figure>\n";
        break;
      case Block::Kind::kTable: {
        out += "<div class=\"table\"><table>\n<thead><tr>";
        for (size_t c = 0; c < b.header.size(); ++c) {
          out += std::string(b.numeric[c] ? "<th class=\"n\">" : "<th>") + escape(b.header[c]) +
                 "</th>";
        }
        out += "</tr></thead>\n<tbody>\n";
        for (const std::vector<std::string>& row : b.rows) {
          out += "<tr>";
          for (size_t c = 0; c < b.header.size(); ++c) {
            out += std::string(b.numeric[c] ? "<td class=\"n\">" : "<td>") +
                   (c < row.size() ? escape(row[c]) : "") + "</td>";
          }
          out += "</tr>\n";
        }
        out += "</tbody></table></div>\n";
        break;
      }
    }
  }
  if (open_section) out += "</section>\n";
  out +=
      "<footer>\n<strong>Provenance</strong> &middot; everything needed to run this again\n<dl>\n";
  for (const auto& [label, value] : provenance_) {
    out += "<dt>" + escape(label) + "</dt><dd>" + escape(value) + "</dd>\n";
  }
  out += "</dl>\n</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace cjsim::report
