// The Rust-backed services: the only module that sees the generated UniFFI
// bindings (package court.cloudtrial.core). The bindings are generated from
// the Rust library before compiling and are never committed.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

kotlin {
    jvmToolchain(17)
}

val repositoryRoot: File = rootProject.projectDir.parentFile
val generatedBindings = layout.buildDirectory.dir("generated/uniffi")

// bindings/generate.sh builds cloudtrial-ffi and uniffi-bindgen for this
// machine and generates the Kotlin from the library (the same API as the
// per-ABI libraries :app packages).
val generateUniffiBindings by tasks.registering(Exec::class) {
    group = "build"
    description = "Generates the Kotlin bindings of the Rust core (bindings/generate.sh)."
    workingDir = repositoryRoot
    commandLine(
        repositoryRoot.resolve("bindings/generate.sh").path,
        "--release", "--language", "kotlin",
        "--out", generatedBindings.get().asFile.path,
    )
    inputs.dir(repositoryRoot.resolve("bindings/ffi/src"))
    inputs.dir(repositoryRoot.resolve("core/src"))
    inputs.dir(repositoryRoot.resolve("protocol/src"))
    outputs.dir(generatedBindings)
}

sourceSets {
    main {
        kotlin.srcDir(generatedBindings.map { it.dir("kotlin") })
    }
}

tasks.named("compileKotlin") { dependsOn(generateUniffiBindings) }

dependencies {
    api(project(":features"))
    // The app brings JNA as an AAR (with its native dispatcher); plain JVM tests use the JAR.
    compileOnly(libs.jna)
    testImplementation(testFixtures(project(":features")))
    testImplementation(libs.jna)
    testImplementation(libs.junit)
}

// The scenario tests need a running --demo server (see ../run-jvm-tests.sh,
// which starts one); without -Dcloudtrial.baseUrl they are skipped.
tasks.test {
    systemProperty("jna.library.path", repositoryRoot.resolve("target/release").path)
    listOf("cloudtrial.baseUrl", "cloudtrial.meeting").forEach { key ->
        System.getProperty(key)?.let { systemProperty(key, it) }
    }
}
