// Opens a self-contained HTML report in headless Chromium and checks what a
// reader would get: the page paints at laptop width, the console stays
// silent, nothing is asked of the network, and every chart draws something.
//
// Two Chromium runs per page, each under `timeout` so a hung browser fails
// the test instead of hanging it. The first opens a probe copy (the page
// with one inline script allowed, see kProbeScript) and dumps the DOM: chart
// boxes and shape counts, and the page height. The second opens the page
// itself, byte for byte, and takes a full-page screenshot at 1280 px with
// the browser log (console messages) and a net log (requests) recorded.
// Host names are mapped to "not found", so no request leaves the machine
// even when one is attempted; the net log still records the attempt.
//
// Chromium 156 prints every console message of a web page at INFO level,
// whatever the page asked for (levels are passed through for chrome://
// pages only), so console_errors holds every console message: a report has
// no script, so any message at all (a CSP violation, an uncaught error,
// console.log) is a fault.
//
// Thread-safety: check_page runs child processes and writes only inside
// work_dir; calls with distinct work_dirs may run at the same time.
#ifndef CJSIM_TESTS_BROWSER_CHECK_H_
#define CJSIM_TESTS_BROWSER_CHECK_H_

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

namespace cjsim::testing {

// One top-level <svg> of the page as laid out at 1280 px.
struct ChartCheck {
  std::string title;             // its <title>, else aria-label, else "svg #N"
  double width = 0, height = 0;  // bounding box, CSS px
  int shapes = 0;  // path/rect/circle/ellipse/line/polyline/polygon with a non-empty box,
                   // background rects and <defs>/<clipPath>/... contents left out
};

struct PageCheck {
  // Both Chromium runs finished in time and their outputs parsed; when false,
  // why_not says which step failed (with the end of the browser log) and the
  // other fields are partial.
  bool ran = false;
  std::string why_not;

  // Every console message of the page, CSP violations and uncaught errors
  // included, as Chromium logged it: "message", source: URL (line).
  std::vector<std::string> console_errors;
  // http, https, ws and wss URLs the page asked for (net log, URL requests
  // whose initiator is the page or that belong to its file:// site).
  std::vector<std::string> network_requests;
  // Chromium's own background requests in the same log (component updater,
  // account checks); ignored, kept for diagnosis.
  std::vector<std::string> browser_requests;

  int charts = 0;  // top-level <svg> elements
  std::vector<ChartCheck> chart_details;
  // Titles of the charts with a zero-size box or no drawn shape.
  std::vector<std::string> empty_charts;
  // Visible text of the body, whitespace left out (0: nothing to read).
  int text_chars = 0;

  int page_height = 0;  // document height at 1280 px, CSS px
  std::string screenshot_path;
  uintmax_t screenshot_bytes = 0;
  int screenshot_width = 0, screenshot_height = 0;  // from the PNG header
  // "" when the screenshot is a complete PNG of the size asked for, bigger
  // than a blank page and of a page with something on it; else what is wrong.
  std::string screenshot_problem;

  double seconds = 0;  // wall time of both runs

  // The page passes every check (a page without charts may pass; callers
  // that expect charts check `charts`).
  bool ok() const {
    return ran && screenshot_problem.empty() && console_errors.empty() &&
           network_requests.empty() && empty_charts.empty();
  }

  // Everything above on a few lines, for test failure messages.
  std::string describe() const {
    std::ostringstream out;
    out << "page check: " << (ok() ? "ok" : "FAILED")
        << (ran ? "" : " (did not run: " + why_not + ")") << "\n  screenshot " << screenshot_path
        << ": " << screenshot_bytes << " bytes, " << screenshot_width << "x" << screenshot_height
        << " (page height " << page_height << ")"
        << (screenshot_problem.empty() ? "" : " - " + screenshot_problem) << "\n  charts " << charts
        << ", text characters " << text_chars << ", " << seconds << " s\n";
    for (const ChartCheck& c : chart_details) {
      out << "  chart \"" << c.title << "\": " << c.width << "x" << c.height << " px, " << c.shapes
          << " shapes\n";
    }
    for (const std::string& t : empty_charts) out << "  empty chart: " << t << "\n";
    for (const std::string& m : console_errors) out << "  console: " << m << "\n";
    for (const std::string& u : network_requests) out << "  network: " << u << "\n";
    for (const std::string& u : browser_requests) out << "  (browser's own: " << u << ")\n";
    return out.str();
  }
};

namespace browser_detail {

inline constexpr int kViewportWidth = 1280;
// The screenshot is at least one laptop screen tall and at most this tall
// (a longer page is cut; page_height still tells its height).
inline constexpr int kMinHeight = 800;
inline constexpr int kMaxHeight = 16384;
inline constexpr int kTimeoutSeconds = 60;
// Chromium 156 compresses a blank 1280 px row to about 5.8 bytes (a blank
// 1280x800 page is 4.7 kB, 1280x8000 is 46 kB); a screenshot no bigger than
// 6 bytes a row plus 1 kB shows next to nothing.
inline constexpr double kBlankBytesPerRow = 6.0;

// Runs in the probe copy once the page has loaded; writes its findings as
// JSON into a hidden <pre id="cjsim-probe"> for --dump-dom to carry out.
// Background rects (class "background" or "bg", or covering the whole
// <svg>) are not shapes: a chart that is only its background is empty.
inline constexpr const char* kProbeScript = R"js(
addEventListener('load', function () {
  var out = {height: 0, text: 0, charts: [], error: ''};
  try {
    var root = document.documentElement;
    out.height = Math.ceil(Math.max(root.scrollHeight, document.body ? document.body.scrollHeight : 0));
    out.text = document.body ? document.body.innerText.replace(/\s+/g, '').length : 0;
    var undrawn = {defs: 1, clippath: 1, mask: 1, marker: 1, pattern: 1, symbol: 1};
    var inside_undrawn = function (el, svg) {
      for (var e = el.parentElement; e && e !== svg; e = e.parentElement) {
        if (undrawn[e.localName.toLowerCase()]) return true;
      }
      return false;
    };
    var all = document.querySelectorAll('svg');
    for (var i = 0; i < all.length; i++) {
      var svg = all[i];
      if (svg.ownerSVGElement) continue;
      var box = svg.getBoundingClientRect();
      var title = null;
      for (var c = svg.firstElementChild; c; c = c.nextElementSibling) {
        if (c.localName === 'title') { title = c; break; }
      }
      var name = title ? title.textContent.trim() : (svg.getAttribute('aria-label') || '').trim();
      if (!name) name = 'svg #' + (out.charts.length + 1);
      var shapes = 0;
      var drawn = svg.querySelectorAll('path,rect,circle,ellipse,line,polyline,polygon');
      for (var j = 0; j < drawn.length; j++) {
        var el = drawn[j];
        if (inside_undrawn(el, svg)) continue;
        if (el.localName === 'rect') {
          var cls = ' ' + (el.getAttribute('class') || '') + ' ';
          if (/\s(background|bg)\s/.test(cls)) continue;
          var r = el.getBoundingClientRect();
          if (r.left <= box.left + 1 && r.top <= box.top + 1 && r.right >= box.right - 1 &&
              r.bottom >= box.bottom - 1) continue;
        }
        var b = el.getBBox();
        if (b.width > 0 || b.height > 0) shapes++;
      }
      out.charts.push({title: name, width: box.width, height: box.height, shapes: shapes});
    }
  } catch (e) {
    out.error = String(e);
  }
  var pre = document.createElement('pre');
  pre.id = 'cjsim-probe';
  pre.hidden = true;
  pre.textContent = JSON.stringify(out);
  (document.body || document.documentElement).appendChild(pre);
});
)js";

inline constexpr const char* kProbeNonce = "cjsim-probe";

// Flags of both runs. --no-sandbox: root in a container; --disable-gpu and
// --disable-dev-shm-usage: no GPU, a small /dev/shm; the rest keep the
// browser's own traffic down and the rendering fixed (scale 1, no
// scrollbars, English). The host rules make every DNS lookup fail, so an
// attempted request is logged but goes nowhere.
inline std::string common_flags(const std::string& profile_dir) {
  return " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars"
         " --force-device-scale-factor=1 --lang=en-US --no-first-run --no-default-browser-check"
         " --disable-background-networking --disable-component-update --disable-sync"
         " --disable-extensions --disable-default-apps"
         " --disable-features=NetworkTimeServiceQuerying --no-proxy-server"
         " '--host-resolver-rules=MAP * ~NOTFOUND'"
         " --user-data-dir=" +
         profile_dir;
}

inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline std::string file_url(const std::filesystem::path& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string url = "file://";
  for (unsigned char c : std::filesystem::absolute(path).lexically_normal().string()) {
    if (std::isalnum(c) ||
        std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      url += static_cast<char>(c);
    } else {
      url += '%';
      url += kHex[c >> 4];
      url += kHex[c & 15];
    }
  }
  return url;
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The exit status of `sh -c command`, or -1 when it did not exit.
inline int run_shell(const std::string& command) {
  const int raw = std::system(command.c_str());
  return raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

// The last lines of a browser log for a failure message, without the D-Bus
// complaints a container always produces.
inline std::string log_tail(const std::string& log) {
  std::istringstream in(log);
  std::vector<std::string> kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find("dbus") == std::string::npos) kept.push_back(line);
  }
  std::string tail;
  for (size_t i = kept.size() > 12 ? kept.size() - 12 : 0; i < kept.size(); ++i) {
    tail += "\n    " + kept[i];
  }
  return tail;
}

// Console messages in a Chromium log: "[pid:tid:time:INFO:CONSOLE:12] "text",
// source: URL (12)" (older versions write CONSOLE(12)). A message with line
// breaks goes on until the line that ends with its source.
inline std::vector<std::string> console_messages(const std::string& log) {
  static const std::regex kStart(R"re(^\[[^\]]*:CONSOLE[:(]\d+\)?\] (.*)$)re");
  static const std::regex kEnd(R"re(", source: .* \(\d+\)$)re");
  std::vector<std::string> messages;
  std::istringstream in(log);
  std::string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (!std::regex_match(line, match, kStart)) continue;
    std::string message = match[1];
    for (int more = 0; more < 50 && !std::regex_search(message, kEnd) && std::getline(in, line);
         ++more) {
      message += "\n" + line;
    }
    messages.push_back(message);
  }
  return messages;
}

inline const google::protobuf::Value* field(const google::protobuf::Value& value,
                                            const std::string& name) {
  if (value.kind_case() != google::protobuf::Value::kStructValue) return nullptr;
  const auto& fields = value.struct_value().fields();
  auto it = fields.find(name);
  return it == fields.end() ? nullptr : &it->second;
}

inline std::string string_field(const google::protobuf::Value& value, const std::string& name) {
  const google::protobuf::Value* f = field(value, name);
  return f && f->kind_case() == google::protobuf::Value::kStringValue ? f->string_value() : "";
}

inline double number_field(const google::protobuf::Value& value, const std::string& name) {
  const google::protobuf::Value* f = field(value, name);
  return f && f->kind_case() == google::protobuf::Value::kNumberValue ? f->number_value() : 0;
}

inline bool parse_json_value(const std::string& json, google::protobuf::Value* value,
                             std::string* error) {
  auto status = google::protobuf::util::JsonStringToMessage(json, value);
  if (!status.ok()) *error = std::string(status.message());
  return status.ok();
}

// Sorts the URL requests of a net log (--log-net-log) into the page's and
// the browser's own. A URL_REQUEST_START_JOB event names the URL, the
// initiator ("not an origin" when the browser itself asks) and the network
// isolation key (the top-level site; "file://" for the page's requests).
inline bool read_net_log(const std::string& json, PageCheck* check, std::string* error) {
  google::protobuf::Value log;
  if (!parse_json_value(json, &log, error)) return false;
  const google::protobuf::Value* constants = field(log, "constants");
  const google::protobuf::Value* types = constants ? field(*constants, "logEventTypes") : nullptr;
  const google::protobuf::Value* start = types ? field(*types, "URL_REQUEST_START_JOB") : nullptr;
  const google::protobuf::Value* events = field(log, "events");
  if (!start || !events || events->kind_case() != google::protobuf::Value::kListValue) {
    *error = "no constants.logEventTypes.URL_REQUEST_START_JOB or events in the net log";
    return false;
  }
  static const std::regex kNetworkUrl(R"re(^(https?|wss?)://.*)re", std::regex::icase);
  std::set<std::string> seen_page, seen_browser;
  for (const google::protobuf::Value& event : events->list_value().values()) {
    if (number_field(event, "type") != start->number_value()) continue;
    const google::protobuf::Value* params = field(event, "params");
    if (!params) continue;
    const std::string url = string_field(*params, "url");
    if (!std::regex_match(url, kNetworkUrl)) continue;
    const bool by_browser =
        string_field(*params, "initiator") == "not an origin" &&
        string_field(*params, "network_isolation_key").find("file://") == std::string::npos;
    if (by_browser) {
      if (seen_browser.insert(url).second) check->browser_requests.push_back(url);
    } else if (seen_page.insert(url).second) {
      check->network_requests.push_back(url);
    }
  }
  return true;
}

// The page with its Content-Security-Policy meta loosened just enough for
// the probe: any script-src directive is replaced by one that allows the
// probe's nonce, so the page's own scripts stay as blocked as they were.
// The probe goes before the last </body>, or at the end.
inline std::string probe_copy(const std::string& html) {
  static const std::regex kCspMeta(
      R"re(<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>)re",
      std::regex::icase);
  static const std::regex kContent(R"re((\bcontent\s*=\s*)("([^"]*)"|'([^']*)'))re",
                                   std::regex::icase);
  static const std::regex kScriptDirective(R"re(^\s*script-src(-elem)?\b.*)re", std::regex::icase);
  std::string out;
  auto begin = html.cbegin();
  for (std::sregex_iterator it(html.begin(), html.end(), kCspMeta), end; it != end; ++it) {
    out.append(begin, html.cbegin() + it->position());
    std::string meta = it->str();
    std::smatch content;
    if (std::regex_search(meta, content, kContent)) {
      const bool double_quoted = content[3].matched;
      std::string policy = double_quoted ? content[3].str() : content[4].str();
      std::string loosened;
      std::istringstream directives(policy);
      for (std::string directive; std::getline(directives, directive, ';');) {
        if (std::regex_match(directive, kScriptDirective)) continue;
        if (directive.find_first_not_of(" \t\n") == std::string::npos) continue;
        loosened += directive + ";";
      }
      loosened += " script-src 'nonce-" + std::string(kProbeNonce) + "'";
      // Written double-quoted whatever it was: the nonce has single quotes.
      std::string attribute;
      for (char c : loosened) attribute += c == '"' ? std::string("&quot;") : std::string(1, c);
      meta = content.prefix().str() + content[1].str() + "\"" + attribute + "\"" +
             content.suffix().str();
    }
    out += meta;
    begin = html.cbegin() + it->position() + it->length();
  }
  out.append(begin, html.cend());
  const std::string script =
      "<script nonce=\"" + std::string(kProbeNonce) + "\">" + kProbeScript + "</script>\n";
  std::string lower = out;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t body_end = lower.rfind("</body");
  if (body_end == std::string::npos) return out + script;
  return out.insert(body_end, script);
}

inline std::string html_unescape(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> kEntities = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&nbsp;", "\xC2\xA0"}, {"&amp;", "&"}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (const auto& [entity, character] : kEntities) {
        if (text.compare(i, entity.size(), entity) == 0) {
          out += character;
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

// Reads the probe's <pre> out of the dumped DOM.
inline bool read_probe(const std::string& dom, PageCheck* check, std::string* error) {
  const size_t id = dom.find("<pre id=\"cjsim-probe\"");
  const size_t from = id == std::string::npos ? id : dom.find('>', id);
  const size_t to = from == std::string::npos ? from : dom.find("</pre>", from);
  if (to == std::string::npos) {
    *error = "the probe wrote no result into the DOM (did it run?)";
    return false;
  }
  google::protobuf::Value probe;
  const std::string json = html_unescape(dom.substr(from + 1, to - from - 1));
  if (!parse_json_value(json, &probe, error)) return false;
  if (const std::string e = string_field(probe, "error"); !e.empty()) {
    *error = "the probe failed: " + e;
    return false;
  }
  check->page_height = static_cast<int>(number_field(probe, "height"));
  check->text_chars = static_cast<int>(number_field(probe, "text"));
  const google::protobuf::Value* charts = field(probe, "charts");
  if (charts && charts->kind_case() == google::protobuf::Value::kListValue) {
    for (const google::protobuf::Value& c : charts->list_value().values()) {
      ChartCheck chart;
      chart.title = string_field(c, "title");
      chart.width = number_field(c, "width");
      chart.height = number_field(c, "height");
      chart.shapes = static_cast<int>(number_field(c, "shapes"));
      if (chart.width <= 0 || chart.height <= 0 || chart.shapes == 0) {
        check->empty_charts.push_back(chart.title);
      }
      check->chart_details.push_back(chart);
    }
  }
  check->charts = static_cast<int>(check->chart_details.size());
  return true;
}

inline uint32_t big_endian(const std::string& bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// Checks the PNG without decoding it: signature, IHDR first with the size
// asked for, IEND last, and more bytes than a blank page of that height.
inline std::string screenshot_problem(const std::string& png, int width, int height,
                                      PageCheck* check) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  static const std::string kIend("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
  if (png.empty()) return "no screenshot was written";
  if (png.size() < 8 + 25 + 12 || png.compare(0, 8, kSignature) != 0) {
    return "not a PNG file";
  }
  if (big_endian(png, 8) != 13 || png.compare(12, 4, "IHDR") != 0) return "no IHDR chunk first";
  check->screenshot_width = static_cast<int>(big_endian(png, 16));
  check->screenshot_height = static_cast<int>(big_endian(png, 20));
  if (png.compare(png.size() - 12, 12, kIend) != 0) return "the PNG is cut short (no IEND)";
  if (check->screenshot_width != width || check->screenshot_height != height) {
    return "the PNG is " + std::to_string(check->screenshot_width) + "x" +
           std::to_string(check->screenshot_height) + ", not " + std::to_string(width) + "x" +
           std::to_string(height);
  }
  if (static_cast<double>(png.size()) <= kBlankBytesPerRow * height + 1024) {
    return "the PNG is no bigger than a blank page (" + std::to_string(png.size()) + " bytes)";
  }
  if (check->text_chars == 0 && check->charts == 0) return "the page shows no text and no chart";
  return "";
}

}  // namespace browser_detail

// The Chromium to use: $CJSIM_CHROMIUM when set, else the first of chromium,
// chromium-browser and google-chrome on PATH; "" when there is none.
inline std::string find_chromium() {
  if (const char* chosen = std::getenv("CJSIM_CHROMIUM"); chosen && *chosen) {
    return access(chosen, X_OK) == 0 ? chosen : "";
  }
  const char* path = std::getenv("PATH");
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::istringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (dir.empty()) continue;
      const std::filesystem::path candidate = std::filesystem::path(dir) / name;
      std::error_code ec;
      if (std::filesystem::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) {
        return candidate.string();
      }
    }
  }
  return "";
}

// Checks the page at html_path (see the top of this file). work_dir keeps
// what the runs leave: probe.html, probe.dom, probe.log, page.log,
// net-log.json and screenshot.png; the browser profiles are removed.
// work_dir is made when missing. REQUIRES: it holds nothing the caller
// needs under those names.
inline PageCheck check_page(const std::string& html_path, const std::string& work_dir) {
  namespace fs = std::filesystem;
  using namespace browser_detail;
  const auto started = std::chrono::steady_clock::now();
  PageCheck check;
  const fs::path dir = fs::absolute(work_dir);
  check.screenshot_path = (dir / "screenshot.png").string();
  auto finish = [&](const std::string& why_not) {
    check.why_not = why_not;
    check.ran = why_not.empty();
    std::error_code ec;
    fs::remove_all(dir / "profile-probe", ec);
    fs::remove_all(dir / "profile-page", ec);
    check.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return check;
  };

  const std::string chromium = find_chromium();
  if (chromium.empty()) return finish("chromium not found");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_regular_file(html_path)) return finish(html_path + " is not a file");
  const std::string timeout =
      "timeout -k 5 " + std::to_string(kTimeoutSeconds) + " " + shell_quote(chromium);
  std::string error;

  // Run 1: the probe copy, laid out at 1280 px, DOM dumped after load.
  {
    std::ofstream(dir / "probe.html", std::ios::binary) << probe_copy(slurp(html_path));
    fs::remove_all(dir / "profile-probe", ec);
    const std::string command =
        timeout + common_flags(shell_quote((dir / "profile-probe").string())) +
        " --window-size=" + std::to_string(kViewportWidth) + "," + std::to_string(kMinHeight) +
        " --dump-dom " + shell_quote(file_url(dir / "probe.html")) + " > " +
        shell_quote((dir / "probe.dom").string()) + " 2> " +
        shell_quote((dir / "probe.log").string()) + " < /dev/null";
    const int status = run_shell(command);
    if (status != 0) {
      return finish("the probe run exited with " + std::to_string(status) +
                    (status == 124 ? " (timed out)" : "") + log_tail(slurp(dir / "probe.log")));
    }
    if (!read_probe(slurp(dir / "probe.dom"), &check, &error)) {
      return finish(error + log_tail(slurp(dir / "probe.log")));
    }
  }

  // Run 2: the page itself, screenshot as tall as the page, logs recorded.
  const int height = std::clamp(check.page_height, kMinHeight, kMaxHeight);
  {
    fs::remove(check.screenshot_path, ec);
    fs::remove(dir / "net-log.json", ec);
    fs::remove_all(dir / "profile-page", ec);
    const std::string command =
        timeout + common_flags(shell_quote((dir / "profile-page").string())) +
        " --enable-logging=stderr --v=0 --log-net-log=" +
        shell_quote((dir / "net-log.json").string()) +
        " --window-size=" + std::to_string(kViewportWidth) + "," + std::to_string(height) +
        " --screenshot=" + shell_quote(check.screenshot_path) + " " +
        shell_quote(file_url(html_path)) + " > /dev/null 2> " +
        shell_quote((dir / "page.log").string()) + " < /dev/null";
    const int status = run_shell(command);
    const std::string log = slurp(dir / "page.log");
    if (status != 0) {
      return finish("the page run exited with " + std::to_string(status) +
                    (status == 124 ? " (timed out)" : "") + log_tail(log));
    }
    check.console_errors = console_messages(log);
    if (!read_net_log(slurp(dir / "net-log.json"), &check, &error)) {
      return finish("net log: " + error + log_tail(log));
    }
    const std::string png = slurp(check.screenshot_path);
    check.screenshot_bytes = png.size();
    check.screenshot_problem = screenshot_problem(png, kViewportWidth, height, &check);
  }
  return finish("");
}

}  // namespace cjsim::testing

#endif  // CJSIM_TESTS_BROWSER_CHECK_H_
