// A tiny check runner: each check prints ✓ or ✗ and failures are counted.

var failures = 0

fun check(name: String, block: () -> Unit) {
    try {
        block()
        println("  ✓ $name")
    } catch (e: Throwable) {
        failures++
        println("  ✗ $name: $e")
    }
}

fun expect(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}
