// The app's logic in plain Kotlin: no Android, no generated bindings, so it
// compiles and its tests run on any JVM (and with kotlinc, see ../run-jvm-tests.sh).
plugins {
    alias(libs.plugins.kotlin.jvm)
    // Test helpers (awaiting a StateFlow, the console runner) shared with :rust's tests.
    `java-test-fixtures`
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    api(libs.kotlinx.coroutines.core)
    testImplementation(libs.junit)
    testFixturesImplementation(libs.junit)
    testFixturesImplementation(libs.kotlinx.coroutines.core)
}
