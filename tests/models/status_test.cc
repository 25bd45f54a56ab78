// Unit tests of models/status.h: Status and Result<T>.

#include "models/status.h"

#include <memory>
#include <string>

#include <doctest/doctest.h>

namespace cjsim {
namespace {

Result<int> half(int n) {
  if (n % 2 != 0) return Status::bad_input("n: " + std::to_string(n) + " is odd");
  return n / 2;
}

TEST_CASE("status: ok by default, a code and a message otherwise") {
  CHECK(Status().is_ok());
  CHECK(Status::ok().message().empty());
  const Status bad = Status::bad_input("scenario.textproto:3:7: unknown field");
  CHECK_FALSE(bad.is_ok());
  CHECK(bad.code() == Status::Code::kBadInput);
  CHECK(bad.message() == "scenario.textproto:3:7: unknown field");
  CHECK(Status::failure("disk full").code() == Status::Code::kFailure);
}

TEST_CASE("status: a Result holds a value or the Status saying why not") {
  const Result<int> four = half(8);
  REQUIRE(four);
  CHECK(*four == 4);
  CHECK(four.status().is_ok());
  const Result<int> odd = half(7);
  CHECK_FALSE(odd);
  CHECK(odd.status().code() == Status::Code::kBadInput);
  CHECK(odd.status().message() == "n: 7 is odd");
  // Move-only values move out.
  Result<std::unique_ptr<int>> owned(std::make_unique<int>(3));
  std::unique_ptr<int> taken = std::move(owned).value();
  CHECK(*taken == 3);
}

}  // namespace
}  // namespace cjsim
