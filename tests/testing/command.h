#ifndef ENLACE_TESTS_TESTING_COMMAND_H_
#define ENLACE_TESTS_TESTING_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace enlace::testing {

// What a command run by RunCommand did.
struct CommandResult {
  int code = -1;  // exit status; 128 + the signal when killed by one
  std::string out;
  std::string err;
};

// "exit N", then stdout and stderr: what an assertion about a command prints.
std::ostream& operator<<(std::ostream& os, const CommandResult& r);

// Runs `binary` with `args` and waits for it, in the test's environment without any ENLACE_*
// variable (so a developer's own settings never leak into a test), plus `env` ("NAME=value").
// Its stdout and stderr go through files named `scratch_prefix`.out and .err.
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& scratch_prefix,
                         const std::vector<std::string>& env = {});

}  // namespace enlace::testing

#endif  // ENLACE_TESTS_TESTING_COMMAND_H_
