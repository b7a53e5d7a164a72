import CloudTrialCore
import CloudTrialFeatures

// The one place where the bindings' `ClientError` becomes an `AppError`.
// Every call of a Rust-backed service into the bindings that can fail goes
// through `mapErrors`.

extension ClientError {
    var appError: AppError {
        switch self {
        case let .Network(reason): return .network(reason: reason)
        case let .InvalidCode(reason): return .invalidCode(reason: reason)
        case let .Locked(reason): return .locked(reason: reason)
        case let .RateLimited(reason): return .rateLimited(reason: reason)
        case let .SessionExpired(reason): return .sessionExpired(reason: reason)
        case let .NotLoggedIn(reason): return .notLoggedIn(reason: reason)
        case let .Forbidden(reason): return .forbidden(reason: reason)
        case let .Blocked(reason): return .blocked(reason: reason)
        case let .InvalidInput(reason): return .invalidInput(reason: reason)
        case let .Server(reason): return .server(reason: reason)
        case let .Media(reason): return .media(reason: reason)
        }
    }
}

/// Runs a call into the bindings, turning their errors into `AppError`s.
func mapErrors<T>(_ call: () throws -> T) throws -> T {
    do {
        return try call()
    } catch let error as ClientError {
        throw error.appError
    }
}

/// The same for the bindings' async calls.
func mapErrors<T>(_ call: () async throws -> T) async throws -> T {
    do {
        return try await call()
    } catch let error as ClientError {
        throw error.appError
    }
}
