package court.cloudtrial.app.rust

import court.cloudtrial.app.errors.AppError
import court.cloudtrial.core.ClientException

/**
 * The one place where the bindings' exceptions become app errors. Every call
 * of a Rust-backed service into the bindings goes through [mapErrors].
 */
internal fun ClientException.toAppError(): AppError = when (this) {
    is ClientException.Network -> AppError.Network(reason)
    is ClientException.InvalidCode -> AppError.InvalidCode(reason)
    is ClientException.Locked -> AppError.Locked(reason)
    is ClientException.RateLimited -> AppError.RateLimited(reason)
    is ClientException.SessionExpired -> AppError.SessionExpired(reason)
    is ClientException.NotLoggedIn -> AppError.NotLoggedIn(reason)
    is ClientException.Forbidden -> AppError.Forbidden(reason)
    is ClientException.Blocked -> AppError.Blocked(reason)
    is ClientException.InvalidInput -> AppError.InvalidInput(reason)
    is ClientException.Server -> AppError.Server(reason)
    is ClientException.Media -> AppError.Media(reason)
}

/** Runs a call into the bindings, turning their exceptions into [AppError]s. Works for suspend calls too. */
internal inline fun <T> mapErrors(call: () -> T): T = try {
    call()
} catch (e: ClientException) {
    throw e.toAppError()
}
