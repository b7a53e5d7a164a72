// Debian 13's swiftlang 6.0.3 builds libswiftObservation.so against a
// `swift::threading::fatal` that its libswiftCore.so does not export, so any
// program using Observation fails to link on Linux. This defines it with the
// same meaning (print and abort). Apple platforms never build this target.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace swift {
namespace threading {
[[noreturn]] void fatal(const char *message, ...) {
    va_list args;
    va_start(args, message);
    std::vfprintf(stderr, message, args);
    va_end(args);
    std::abort();
}
} // namespace threading
} // namespace swift
