// Fuzz target: `customsd declare` intake of JSON Lines (ParseDeclarations, IntakeFormat::kJsonLines).
//
// Each input is the file handed to `declare --file`. It is parsed with no options and with the
// options of a one-merchant config; every result must keep the promises of daemon/intake/intake.h
// (fuzz/intake_checks.h), and the accepted records, written back as JSON Lines and as CSV,
// must read back identical. kAuto is run too (it must never crash either way).
#include <cstddef>
#include <cstdint>

#include "fuzz/intake_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace customsd;
  using namespace customsd::fuzz;
  const std::string_view text = AsText(data, size);
  for (const IntakeOptions& options :
       {PlainOptions(IntakeFormat::kJsonLines), OneMerchantOptions(IntakeFormat::kJsonLines)}) {
    const IntakeResult r = ParseDeclarations(text, options);
    CheckIntakeResult(text, options, r);
    CheckRoundTrip(options, r);
  }
  const IntakeOptions automatic = PlainOptions(IntakeFormat::kAuto);
  CheckIntakeResult(text, automatic, ParseDeclarations(text, automatic));
  return 0;
}
