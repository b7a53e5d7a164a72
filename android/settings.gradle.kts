pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "CloudTrial"

// :features — plain Kotlin: app errors, models, service interfaces, presenters (no Android, no bindings).
// :rust     — plain Kotlin: the Rust-backed services over the generated UniFFI bindings.
// :app      — the Android app: Compose views and the platform (camera, audio, network, services).
include(":features", ":rust", ":app")
