package court.cloudtrial.app.errors

/**
 * The app's errors. Services throw these (never the generated bindings'
 * exceptions); [reason] is a sentence in Chinese from the core, shown to the
 * user as it is. The Rust-backed services convert in one place
 * (`court.cloudtrial.app.rust.ErrorMapping`).
 */
sealed class AppError(val reason: String) : Exception(reason) {
    class Network(reason: String) : AppError(reason)
    class InvalidCode(reason: String) : AppError(reason)
    class Locked(reason: String) : AppError(reason)
    class RateLimited(reason: String) : AppError(reason)
    /** The server ended the session: back to 会议号登录. */
    class SessionExpired(reason: String) : AppError(reason)
    class NotLoggedIn(reason: String) : AppError(reason)
    class Forbidden(reason: String) : AppError(reason)
    /** 您已被屏蔽，请等待法官传唤 */
    class Blocked(reason: String) : AppError(reason)
    class InvalidInput(reason: String) : AppError(reason)
    class Server(reason: String) : AppError(reason)
    /** Camera, microphone or the media connection. */
    class Media(reason: String) : AppError(reason)

    override fun toString(): String = "${this::class.simpleName}($reason)"
}

/** The sentence to show for any failure: the core's own words, or a generic one for a bug. */
fun Throwable.userMessage(): String = when (this) {
    is AppError -> reason
    else -> "操作失败，请稍后重试"
}
