#pragma once
// `consentry tcf-decode STRING|-` (SPEC §1).

namespace consentry::filters::consent {

/// Runs tcf-decode. argv[0] is the command name ("tcf-decode"), argv[1] the TC string or `-`
/// (one string per line from stdin, one JSON line each; blank lines skipped). Returns 0 on
/// success, 1 when a single STRING is malformed (message on stderr), 2 on a usage error.
int runTcfDecode(int argc, char** argv);

}  // namespace consentry::filters::consent
