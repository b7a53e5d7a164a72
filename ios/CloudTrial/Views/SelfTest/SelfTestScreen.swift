import AVFoundation
import CloudTrialFeatures
import SwiftUI

/// 设备检测: 庭审开始前请提前测试声音、图像等各项功能. The camera, the
/// microphone's level and the speaker; the party may always go on.
struct SelfTestScreen: View {
    let model: SelfTestViewModel
    let enter: () -> Void

    var body: some View {
        NavigationStack {
            List {
                Section {
                    Text("庭审开始前请提前测试声音、图像等各项功能，保证开庭过程中能够正常使用")
                        .font(.callout)
                        .foregroundStyle(.secondary)
                }
                Section("摄像头") {
                    CheckRow(status: model.state.camera, working: "摄像头正常", failed: model.state.cameraError ?? "摄像头无法使用")
                }
                Section("麦克风") {
                    CheckRow(status: model.state.microphone, working: "麦克风正常", failed: model.state.microphoneError ?? "麦克风无法使用")
                    ProgressView(value: Double(model.state.microphoneLevel))
                        .accessibilityLabel(Text("麦克风音量"))
                    if model.state.microphone == .checking {
                        Text("请对着手机说话").font(.footnote).foregroundStyle(.secondary)
                    }
                }
                Section("扬声器") {
                    Button(model.state.speakerPlaying ? "正在播放…" : "播放测试音") { model.playTestSound() }
                        .disabled(model.state.speakerPlaying)
                    HStack {
                        Text("能听到测试音吗？")
                        Spacer()
                        Button("能听到") { model.confirmSpeaker(heard: true) }
                            .buttonStyle(.bordered)
                            .tint(model.state.speakerHeard == true ? .green : .gray)
                        Button("听不到") { model.confirmSpeaker(heard: false) }
                            .buttonStyle(.bordered)
                            .tint(model.state.speakerHeard == false ? .red : .gray)
                    }
                }
                Section {
                    Button {
                        model.stop()
                        enter()
                    } label: {
                        Text("进入庭审").bold().frame(maxWidth: .infinity)
                    }
                } footer: {
                    if !model.state.allWorking {
                        Text("设备未全部检测通过也可以进入庭审，请在庭审中告知法官。")
                    }
                }
            }
            .navigationTitle("设备检测")
            .onAppear { model.start() }
            .onDisappear { model.stop() }
        }
    }
}

private struct CheckRow: View {
    let status: CheckStatus
    let working: String
    let failed: String

    var body: some View {
        switch status {
        case .checking: Label("检测中…", systemImage: "hourglass")
        case .working: Label(working, systemImage: "checkmark.circle.fill").foregroundStyle(.green)
        case .failed: Label(failed, systemImage: "xmark.octagon.fill").foregroundStyle(.red)
        }
    }
}
