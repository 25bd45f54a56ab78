// The forms of a CalibrationResult (cjsim.v1, calibration.proto): the
// table on stdout, the CSV tables of --csv, and the HTML report, which
// plots each KPI's observations against the calibrated simulation over
// time and lists the parameters in words ("act probability of ig_ad: 2.1%
// (95% interval 1.7% to 2.6%)"). Pure functions of the result.
#ifndef CJSIM_TOOLS_REPORT_CALIBRATION_REPORT_H_
#define CJSIM_TOOLS_REPORT_CALIBRATION_REPORT_H_

#include <map>
#include <string>
#include <vector>

#include "cjsim/v1/calibration.pb.h"
#include "tools/report/csv.h"
#include "tools/report/html.h"

namespace cjsim::report {

inline const std::vector<std::string> kCalibrationCsvFiles = {"parameters.csv", "observations.csv",
                                                              "correlation.csv"};

// "act probability of ig_ad: 2.1% (95% interval 1.7% to 2.6%)"; an
// unidentified parameter says so.
std::string parameter_sentence(const v1::CalibrationParameter& p, double confidence);

// The fitted value of a parameter as its unit shows it ("2.1%", "0.35").
std::string parameter_value(const v1::CalibrationParameter& p, double value);

std::string format_calibration_table(const v1::CalibrationResult& r);
std::map<std::string, CsvTable> calibration_csv(const v1::CalibrationResult& r);
Report calibration_report(const v1::CalibrationResult& r);

}  // namespace cjsim::report

#endif  // CJSIM_TOOLS_REPORT_CALIBRATION_REPORT_H_
