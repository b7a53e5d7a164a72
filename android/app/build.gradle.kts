import java.net.URI

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

val repositoryRoot: File = rootProject.projectDir.parentFile
val serverUrl = providers.gradleProperty("cloudtrial.serverUrl").get()
val debugServerUrl = providers.gradleProperty("cloudtrial.debugServerUrl").get()
val abis = providers.gradleProperty("cloudtrial.abis").get().split(',').map(String::trim)
val nativeLibs = layout.buildDirectory.dir("generated/jniLibs")

android {
    namespace = "court.cloudtrial.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "court.cloudtrial.app"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "1.0.0"
        ndk { abiFilters += abis }
        // The SMS links the app opens itself (Android App Links, verified against
        // the server's /.well-known/assetlinks.json).
        manifestPlaceholders["appLinkHost"] = URI(serverUrl).host
        manifestPlaceholders["usesCleartextTraffic"] = "false"
        buildConfigField("String", "SERVER_URL", "\"$serverUrl\"")
    }

    buildTypes {
        debug {
            applicationIdSuffix = ".debug"
            manifestPlaceholders["usesCleartextTraffic"] = "true"
            buildConfigField("String", "SERVER_URL", "\"$debugServerUrl\"")
        }
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
            // Signing: a keystore from local.properties or the CI's secrets; see android/README.md.
        }
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets["main"].jniLibs.srcDir(nativeLibs)

    packaging {
        jniLibs.useLegacyPackaging = false
    }
}

kotlin {
    jvmToolchain(17)
}

// The Rust core for every ABI (cargo-ndk), into build/generated/jniLibs,
// with libc++_shared.so (the codecs are partly C++). Needs the NDK
// (ANDROID_NDK_HOME) and the Rust Android targets; see android/README.md.
val cargoNdkBuild by tasks.registering(Exec::class) {
    group = "build"
    description = "Builds libcloudtrial_ffi.so for ${abis.joinToString()} with cargo-ndk."
    workingDir = repositoryRoot
    val args = mutableListOf("cargo", "ndk")
    abis.forEach { args += listOf("-t", it) }
    args += listOf("--platform", "26", "--link-libcxx-shared", "-o", nativeLibs.get().asFile.path, "build", "--locked", "--release", "-p", "cloudtrial-ffi")
    commandLine(args)
    inputs.dir(repositoryRoot.resolve("bindings/ffi/src"))
    inputs.dir(repositoryRoot.resolve("core/src"))
    inputs.dir(repositoryRoot.resolve("protocol/src"))
    inputs.file(repositoryRoot.resolve("Cargo.lock"))
    outputs.dir(nativeLibs)
}

tasks.named("preBuild") { dependsOn(cargoNdkBuild) }

dependencies {
    implementation(project(":features"))
    implementation(project(":rust"))
    // The generated bindings call the core through JNA; the AAR carries its native part.
    implementation("${libs.jna.get()}@aar")
    implementation(libs.kotlinx.coroutines.android)

    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.lifecycle.service)
    implementation(libs.androidx.lifecycle.process)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.material3)
    implementation(libs.compose.material.icons)
    implementation(libs.compose.ui.tooling.preview)
    debugImplementation(libs.compose.ui.tooling)

    implementation(libs.camerax.core)
    implementation(libs.camerax.camera2)
    implementation(libs.camerax.lifecycle)
    implementation(libs.camerax.view)
    implementation(libs.work.runtime)
    implementation(libs.play.services.auth.api.phone)
}
