package court.cloudtrial.app

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull

/** Waits (at most [seconds]) for a state satisfying [predicate]; fails with the last state seen. */
fun <T> StateFlow<T>.await(what: String, seconds: Long = 10, predicate: (T) -> Boolean): T = runBlocking {
    withTimeoutOrNull(seconds * 1000) { first(predicate) } ?: throw AssertionError("timed out waiting for $what; last state: $value")
}

/** A presenter scope on real threads, as on a phone (there is no kotlinx-coroutines-test here). */
class TestScope : AutoCloseable {
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    override fun close() = scope.cancel()
}
