// swift-tools-version:5.10
// CloudTrialKit: everything of the iPhone app that is not UI — app models and
// errors, the service protocols, the view models (Observation), and the
// Rust-backed services over the generated UniFFI bindings. It builds without
// UIKit or SwiftUI, so it compiles and tests on Linux too.
//
// The bindings are generated, never committed: run ../scripts/build-core.sh
// (Xcode's build phase does) to fill Generated/ with
//   CloudTrialCore/CloudTrialCore.swift                       the generated Swift
//   CloudTrialCoreFFI.xcframework (Apple)                     static libraries + header + module map
//   CloudTrialCoreFFI/{module.modulemap, CloudTrialCoreFFI.h} (Linux; link with -L DIR -lcloudtrial_ffi)
import PackageDescription

#if os(Linux)
let ffi: Target = .systemLibrary(name: "CloudTrialCoreFFI", path: "Generated/CloudTrialCoreFFI")
// Debian's swiftlang 6.0.3 ships a libswiftObservation.so that needs a symbol its
// libswiftCore.so keeps hidden; the shim defines it (see its source). Linux only.
let linuxOnly: [Target] = [.target(name: "LinuxObservationShim")]
let observationShim: [Target.Dependency] = [.target(name: "LinuxObservationShim", condition: .when(platforms: [.linux]))]
#else
let ffi: Target = .binaryTarget(name: "CloudTrialCoreFFI", path: "Generated/CloudTrialCoreFFI.xcframework")
let linuxOnly: [Target] = []
let observationShim: [Target.Dependency] = []
#endif

let package = Package(
    name: "CloudTrialKit",
    defaultLocalization: "zh-Hans",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "CloudTrialFeatures", targets: ["CloudTrialFeatures"]),
        .library(name: "CloudTrialRust", targets: ["CloudTrialRust"]),
    ],
    targets: linuxOnly + [
        ffi,
        // The generated bindings (uniffi-bindgen's Swift output); only CloudTrialRust imports them.
        .target(
            name: "CloudTrialCore",
            dependencies: ["CloudTrialCoreFFI"],
            path: "Generated/CloudTrialCore",
            linkerSettings: [.linkedLibrary("cloudtrial_ffi", .when(platforms: [.linux]))]
        ),
        // Models, errors, service protocols, view models: no bindings, no UI.
        .target(name: "CloudTrialFeatures", dependencies: observationShim),
        // One Rust-backed implementation per service.
        .target(name: "CloudTrialRust", dependencies: ["CloudTrialFeatures", "CloudTrialCore"]),
        // Waiting on observable state and streams with timeouts, for the tests.
        .target(name: "CloudTrialTestSupport", dependencies: ["CloudTrialFeatures"]),
        .testTarget(name: "CloudTrialFeaturesTests", dependencies: ["CloudTrialFeatures", "CloudTrialTestSupport"]),
        .testTarget(name: "CloudTrialRustTests", dependencies: ["CloudTrialRust", "CloudTrialCore", "CloudTrialFeatures", "CloudTrialTestSupport"]),
    ]
)
