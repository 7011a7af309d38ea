// maillagectl: the operator's command-line tool. Everything is in cli.h, so that tests can
// run the very same code in-process.
#include <iostream>
#include <string>
#include <vector>

#include "tools/maillagectl/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return maillage::ctl::Run(args, std::cout, std::cerr);
}
