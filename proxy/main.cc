// consentry: the process entry point. The telemetry chain and event sinks are plugged in through
// RunHooks (proxy/run.h).
#include "proxy/cli.h"
#include "proxy/run.h"

int main(int argc, char** argv) {
  consentry::proxy::RunHooks hooks;
  // TODO(filters/events): set hooks.prepare / hooks.chainFactory / hooks.drained to the
  // telemetry chain factory and event pipeline once they are wired (filters/telemetry_chain.h).
  return consentry::proxy::runCli(argc, argv, hooks);
}
