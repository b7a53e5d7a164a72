package court.cloudtrial.app

import org.junit.runner.Description
import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import org.junit.runner.notification.RunListener
import kotlin.system.exitProcess

/**
 * Runs the given JUnit 4 test classes and prints each test and then
 * "N passed, N failed"; exits non-zero when any failed. (Gradle runs the same
 * classes with its own JUnit runner.)
 */
fun main(args: Array<String>) {
    val classes = args.map { Class.forName(it) }
    val core = JUnitCore()
    val failed = mutableSetOf<Description>()
    core.addListener(object : RunListener() {
        override fun testStarted(description: Description) {
            print("  ${description.testClass.simpleName}: ${description.methodName} … ")
            System.out.flush()
        }

        override fun testFailure(failure: Failure) {
            failed += failure.description
            if (failure.description.methodName == null) println("✗ ${failure.description.displayName}: ${failure.message}")
        }

        override fun testFinished(description: Description) {
            println(if (description in failed) "✗" else "✓")
        }
    })
    val result = core.run(*classes.toTypedArray())
    for (failure in result.failures) {
        println("\n✗ ${failure.description.displayName}\n${failure.trace.lineSequence().take(12).joinToString("\n")}")
    }
    val failures = result.failureCount
    val passed = result.runCount - failed.count { it.methodName != null }
    println("\n$passed passed, $failures failed")
    exitProcess(if (failures == 0) 0 else 1)
}
