#include "tools/cjsim/csv.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "models/check.h"

namespace cjsim::cli {

namespace {

std::string quote_field(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void append_row(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += quote_field(fields[i]);
  }
  out += '\n';
}

}  // namespace

void CsvTable::add(std::vector<std::string> row) {
  CJSIM_CHECK(row.size() == header_.size(), "a CSV row does not match its header");
  rows_.push_back(std::move(row));
}

std::string CsvTable::text() const {
  std::string out;
  append_row(out, header_);
  for (const auto& row : rows_) append_row(out, row);
  return out;
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

bool make_folder(const std::string& dir, std::string* error) {
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0) {
    if (::mkdir(dir.c_str(), 0777) != 0) {
      *error = dir + ": cannot create the folder: " + std::strerror(errno);
      return false;
    }
  } else if (!S_ISDIR(info.st_mode)) {
    *error = dir + ": not a folder";
    return false;
  }
  return true;
}

std::unique_ptr<CsvFolder> CsvFolder::open(const std::string& dir,
                                           const std::vector<std::string>& names,
                                           std::string* error) {
  if (!make_folder(dir, error)) return nullptr;
  auto folder = std::unique_ptr<CsvFolder>(new CsvFolder());
  for (const std::string& name : names) {
    std::unique_ptr<PendingOutput> file = PendingOutput::open(dir + "/" + name, error);
    if (!file) return nullptr;
    folder->files_[name] = std::move(file);
  }
  return folder;
}

bool CsvFolder::commit(const std::map<std::string, CsvTable>& tables, std::string* error) {
  for (auto& [name, file] : files_) {
    auto it = tables.find(name);
    CJSIM_CHECK(it != tables.end(), "a CSV table was opened but not produced");
    if (!file->commit(it->second.text(), error)) return false;
  }
  return true;
}

}  // namespace cjsim::cli
